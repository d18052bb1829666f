"""Labs as data, the checks library, the grader and the SQLite store. Never imports Textual."""
