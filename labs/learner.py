"""Who is learning: ``GAILAB_LEARNER`` or the OS user (kept import-light: the app's first frame needs it)."""

from __future__ import annotations

import getpass
import os


def default_learner() -> str:
    name = os.environ.get("GAILAB_LEARNER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:
        return "learner"
