"""A readers-writer lock that prefers readers: a reset waits for requests in flight, requests never wait on
each other (a Lambda handler's own calls back into the cloud must not deadlock behind a waiting reset)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class ReadersWriterLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self, timeout: float = 60.0) -> Iterator[None]:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._writer and not self._readers, timeout):
                raise TimeoutError("requests still in flight")
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()
