"""The learner's files for a lab: ``<home>/workspaces/<lab-id>/``, created from the lab's ``starter/``."""

from __future__ import annotations

import shutil
from pathlib import Path

from .manifest import Lab


def workspace_path(lab: Lab, home: Path | None = None) -> Path:
    from gailab.simulator.core.home import resolve_home

    return resolve_home(home) / "workspaces" / lab.id


def workspace_for(lab: Lab, home: Path | None = None) -> Path:
    """The lab's workspace; on first use it is created with a copy of the starter files."""
    path = workspace_path(lab, home)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        shutil.rmtree(tmp, ignore_errors=True)
        if lab.starter_dir:
            shutil.copytree(lab.starter_dir, tmp, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            tmp.mkdir()
        tmp.rename(path)  # all or nothing: a crash never leaves half a starter
    return path


def reset_workspace(lab: Lab, home: Path | None = None) -> Path:
    """Throw away the learner's changes (quiz answers included) and start again from the starter."""
    path = workspace_path(lab, home)
    if path.exists():
        trash = path.with_name(path.name + ".old")
        shutil.rmtree(trash, ignore_errors=True)
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    return workspace_for(lab, home)
