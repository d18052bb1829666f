"""The learner's files for a lab: ``<home>/workspaces/<lab-id>/``, created from the lab's ``starter/`` in the
learner's language (its comments; see :mod:`gailab.labs.starter`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .manifest import Lab
from .starter import copy_starter
from .text import env_lang


def workspace_path(lab: Lab, home: Path | None = None) -> Path:
    from gailab.simulator.core.home import resolve_home

    return resolve_home(home) / "workspaces" / lab.id


def workspace_for(lab: Lab, home: Path | None = None, lang: str | None = None) -> Path:
    """The lab's workspace; on first use it is created with a copy of the starter files in ``lang`` (default: the
    environment's language). An existing workspace is the learner's: a later language switch leaves it alone."""
    path = workspace_path(lab, home)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        shutil.rmtree(tmp, ignore_errors=True)
        if lab.starter_dir:
            copy_starter(lab.starter_dir, tmp, lang or env_lang())
        else:
            tmp.mkdir()
        tmp.rename(path)  # all or nothing: a crash never leaves half a starter
    return path


def reset_workspace(lab: Lab, home: Path | None = None, lang: str | None = None) -> Path:
    """Throw away the learner's changes (quiz answers included) and start again from the starter."""
    path = workspace_path(lab, home)
    if path.exists():
        trash = path.with_name(path.name + ".old")
        shutil.rmtree(trash, ignore_errors=True)
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    return workspace_for(lab, home, lang)
