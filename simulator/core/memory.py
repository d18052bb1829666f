"""Process memory settings shared by the app and the local cloud."""

from __future__ import annotations

import os

_M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Two glibc heap arenas instead of up to eight per core: our threads share the GIL, so more arenas only hold
    more memory. Set at run time (MALLOC_ARENA_MAX, when given, wins). False where this is not glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
