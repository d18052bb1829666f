"""A readers-writer lock that prefers readers: a reset waits for requests in flight, requests never wait on
each other (a Lambda handler's own calls back into the cloud must not deadlock behind a waiting reset)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator


class ReadersWriterLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        #: When the last shared holder (a request) finished; a background checkpoint waits for a quiet moment.
        self.last_release = time.monotonic()

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
                self.last_release = time.monotonic()
                if not self._readers:
                    self._cond.notify_all()

    def quiet_for(self) -> float:
        """Seconds since the last request finished (0 while one is in flight)."""
        with self._cond:
            return 0.0 if self._readers else time.monotonic() - self.last_release

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
