"""Class mode: learners hand in submissions, an instructor regrades them by rebuilding each learner's cloud.

``models`` (the class tables), ``chain`` (tamper evidence), ``classstore`` (the class store: init, roster, collect,
claims, results), ``worker`` and ``regrade`` (regrading in worker processes), ``gradebook`` (exports and stats).
"""
