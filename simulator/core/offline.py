"""Replay never reaches the network: a journal record must not send an SNS notification, an HTTP integration
call or anything else out again. While :func:`offline` is on for a thread, a socket connect from it fails."""

from __future__ import annotations

import contextlib
import errno
import sys
import threading
from collections.abc import Iterator

_local = threading.local()
_installed = False
_install_lock = threading.Lock()


def _hook(event: str, args: tuple) -> None:
    if event == "socket.connect" and getattr(_local, "on", False):
        raise OSError(errno.ENETUNREACH, "the local cloud makes no network request while it replays its journal")


def install() -> None:
    """Add the audit hook once per process (audit hooks cannot be removed; this one costs a string compare)."""
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


@contextlib.contextmanager
def offline() -> Iterator[None]:
    install()
    previous = getattr(_local, "on", False)
    _local.on = True
    try:
        yield
    finally:
        _local.on = previous


def is_offline() -> bool:
    return getattr(_local, "on", False)
