"""The server's side of Lambda containment: which mode this machine allows, and what a sandbox may read.

``sandbox.py`` (in the worker) does the containing; this module decides the plan it gets. Modes, best first:
``namespaces`` (Linux with user namespaces, or root), ``landlock`` (Linux with Landlock), ``none``. The
``lambda_sandbox`` setting (``auto``, or a mode) chooses; ``auto`` takes the best available.
"""

from __future__ import annotations

import itertools
import logging
import os
import site
import sys
import tempfile
import threading
from pathlib import Path

from . import sandbox

log = logging.getLogger("gailab.simulator.lambda")
MODES = ("namespaces", "landlock", "none")

_probe: dict | None = None
_lock = threading.Lock()
# Unprivileged user ids for sandboxes of a root server: one per environment, so RLIMIT_NPROC counts only its own.
_uids = itertools.cycle(range(0x7F000000, 0x7F00FFFF))


def probe() -> dict:
    """What this machine offers (cached): namespaces, Landlock ABI, seccomp, root."""
    global _probe
    with _lock:
        if _probe is None:
            _probe = sandbox.probe()
        return _probe


def choose(wanted: str = "auto") -> str:
    found = probe()
    available = [
        m for m, ok in (("namespaces", found["namespaces"]), ("landlock", found["landlock"] > 0), ("none", True)) if ok
    ]
    if wanted in MODES and wanted in available:
        return wanted
    if wanted not in ("auto", *MODES):
        log.warning("lambda_sandbox=%r is not one of auto, %s; using the best available", wanted, ", ".join(MODES))
    elif wanted != "auto":
        log.warning("Lambda containment %r is not available here; using %r", wanted, available[0])
    return available[0]


def python_dirs() -> list[str]:
    """The folders the worker's Python needs (its install, the venv, site-packages), as real paths."""
    found = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
    }
    try:
        found.update(site.getsitepackages())
    except AttributeError:
        pass
    found.update(p for p in sys.path if p and os.path.isdir(p) and p.startswith(tuple(found)))
    out = set()
    for path in found:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real != "/":
            out.add(real)
    # Drop folders inside others that are already there.
    return sorted(p for p in out if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in out))


def next_uid() -> int:
    with _lock:
        return next(_uids)


def landlock_tmp_root() -> Path:
    root = Path(tempfile.gettempdir()) / f"gailab-lambda-{os.getuid() if hasattr(os, 'getuid') else 0}"
    root.mkdir(mode=0o711, exist_ok=True)
    return root


def describe() -> dict:
    """For ``/_gailab/lambda``: the mode in use and what the kernel offers."""
    return {**probe(), "modes": [m for m in MODES if choose(m) == m]}
