"""Where a learner is in a lab, from a grading report (no Textual): each step's state and the first unfinished one.

A step is ``pass`` when all its checks pass, ``partial`` when some do, ``error`` when a check could not run, and —
for the rest — ``fail`` only once the learner has asked for a Check; before that it is ``pending``: a fresh lab is
a list of things to do, not a wall of ✗.
"""

from __future__ import annotations

ICONS = {"pass": "✓", "partial": "◐", "fail": "✗", "error": "!", "pending": "·"}


def step_states(lab, report, checked: bool) -> dict[str, str]:
    """``{step id: pass | partial | fail | pending | error}``; no report yet means every step is pending."""
    states = {step.id: "pending" for step in lab.steps}
    if report is None:
        return states
    by_step: dict[str, list[str]] = {}
    for result in report.results:
        by_step.setdefault(result.step_id, []).append(result.status)
    for step_id, statuses in by_step.items():
        if "error" in statuses:
            states[step_id] = "error"
        elif all(s == "pass" for s in statuses):
            states[step_id] = "pass"
        elif any(s == "pass" for s in statuses):
            states[step_id] = "partial"
        else:
            states[step_id] = "fail" if checked else "pending"
    return states


def first_unfinished(lab, states: dict[str, str]) -> int | None:
    """Index of the first step that does not pass (None when every step passes)."""
    return next((index for index, step in enumerate(lab.steps) if states.get(step.id) != "pass"), None)


def next_lab(labs: list, current, progress: dict) -> object | None:
    """The lab to go on with: the next in catalog order that is not passed yet (wrapping round), else None."""
    if current not in labs:
        return None
    start = labs.index(current)
    for lab in labs[start + 1:] + labs[:start]:
        record = progress.get(lab.id)
        if not (record is not None and getattr(record, "passed", False)):
            return lab
    return None
