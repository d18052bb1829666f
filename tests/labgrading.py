"""Grading helpers the lab outcome tests share: results by check id, and a workspace solved by the reference."""

from __future__ import annotations

from pathlib import Path

from gailab.labs.catalog import get_lab
from gailab.labs.grader import grade
from gailab.labs.solutions import solve


def check_results(lab, endpoint: str, workspace: Path | None = None) -> dict:
    """Each check's result by its id, from a grade of ``lab`` (a Lab or its id) against the cloud at ``endpoint``."""
    lab = get_lab(lab) if isinstance(lab, str) else lab
    return {r.check_id: r for r in grade(lab, endpoint=endpoint, workspace=workspace).results}


def solved(lab_id: str, endpoint: str, workspace: Path, *, prerequisites: bool = True) -> Path:
    """``workspace`` after the lab's reference solution (and its prerequisites' by default) ran against the cloud."""
    solve(get_lab(lab_id), endpoint, workspace, with_prerequisites=prerequisites)
    return workspace


def failing(results_by_id: dict) -> dict:
    """The checks that did not pass, with their English messages (what an assertion should show)."""
    return {k: r.message("en") for k, r in results_by_id.items() if r.status != "pass"}
