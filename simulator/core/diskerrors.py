"""The one error the journal raises when the disk refuses a write, and the words the learner reads for it."""

from __future__ import annotations

import errno
from typing import NoReturn

#: errno values that mean "no room": a full disk, a quota, a file size limit.
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class JournalWriteError(Exception):
    """A state change could not be made durable; nothing of it was kept. ``full`` when the disk has no room."""

    def __init__(self, message: str, *, full: bool, errno_value: int | None = None):
        super().__init__(message)
        self.full = full
        self.errno = errno_value


def raise_write_error(exc: OSError, what: str) -> NoReturn:
    if exc.errno in _NO_SPACE:
        raise JournalWriteError(
            "The local cloud's disk is full; this change was not made. Free some disk space: the cloud "
            "accepts changes again as soon as there is room.",
            full=True,
            errno_value=exc.errno,
        ) from None
    raise JournalWriteError(
        f"The local cloud could not write its journal ({what}: {exc.strerror or exc}); this change was not made.",
        full=False,
        errno_value=exc.errno,
    ) from None
