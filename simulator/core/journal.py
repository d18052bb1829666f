"""The journal: an append-only JSON-lines file of every acknowledged state change, replayed on start.

Layout of ``<home>/cloud/journal.jsonl``:

* line 1, a header ``{"gailab-journal": 1, "created": <unix time>}``;
* one record per line, ``{"seq": n, "time": t, "kind": k, ...}``. Kind ``"http"`` is a request that changed
  state (method, raw path, headers, base64 body and the seed its IDs were drawn from); other kinds
  (``"ledger"``, ...) are events that services append and replay through their own handlers.

Writes are serialised, each line is flushed and fsync'ed before the caller acknowledges the change, so a
``kill -9`` loses nothing acknowledged. A torn final line (a crash mid-write) is skipped with a warning; a
journal that cannot be read is moved aside and the learner is told, never blocking start.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FORMAT_VERSION = 1


class JournalError(Exception):
    """The journal file is not a gailab journal or is damaged before its last line."""


@dataclass
class LoadResult:
    records: list[dict]
    warnings: list[str] = field(default_factory=list)
    moved_aside: Path | None = None


def _header() -> bytes:
    return (json.dumps({"gailab-journal": FORMAT_VERSION, "created": time.time()}) + "\n").encode()


def read_records(path: Path) -> tuple[list[dict], list[str]]:
    """Parse a journal file. Raises JournalError for anything but a torn last line."""
    data = path.read_bytes()
    if not data:
        return [], []
    lines = data.split(b"\n")
    complete = data.endswith(b"\n")
    tail = lines.pop()  # after the final newline: b"" when the file ends cleanly
    warnings: list[str] = []
    if not complete and tail:
        warnings.append(f"skipped a torn last record ({len(tail)} bytes) in {path.name}: it was never acknowledged")
    if not lines:
        raise JournalError(f"{path.name} has no complete header line")
    try:
        header = json.loads(lines[0])
    except ValueError as exc:
        raise JournalError(f"{path.name} line 1 is not JSON: {exc}") from None
    if not isinstance(header, dict) or "gailab-journal" not in header:
        raise JournalError(f"{path.name} line 1 is not a gailab journal header")
    if header["gailab-journal"] > FORMAT_VERSION:
        raise JournalError(f"{path.name} was written by a newer gailab (format {header['gailab-journal']})")
    records: list[dict] = []
    for number, raw in enumerate(lines[1:], start=2):
        try:
            record = json.loads(raw)
        except ValueError as exc:
            # A complete line that is not JSON is damage, not a torn write.
            raise JournalError(f"{path.name} line {number} is not JSON: {exc}") from None
        if not isinstance(record, dict) or "kind" not in record or "seq" not in record:
            raise JournalError(f"{path.name} line {number} is not a journal record")
        records.append(record)
    return records, warnings


class Journal:
    """An open journal: append records durably, count them, truncate on reset."""

    def __init__(self, directory: Path, *, fsync: bool = True):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "journal.jsonl"
        self.fsync = fsync
        self._lock = threading.Lock()
        self._file = None
        self._seq = 0
        self.count = 0

    # -- opening -------------------------------------------------------------------------------------------
    def load(self, *, fresh: bool = False) -> LoadResult:
        """Read what is there (unless ``fresh``) and open the file for appending."""
        result = LoadResult(records=[])
        if fresh and self.path.exists():
            self._set_aside("fresh")
        elif self.path.exists():
            try:
                result.records, result.warnings = read_records(self.path)
            except (JournalError, OSError) as exc:
                result.moved_aside = self._set_aside("unreadable")
                result.warnings.append(
                    f"the journal could not be read ({exc}); it was moved to {result.moved_aside} "
                    "and the cloud starts empty"
                )
                result.records = []
        if result.records or (self.path.exists() and not result.moved_aside):
            # Rewrite when the last line was torn so appends start on a clean line.
            if result.warnings:
                self._rewrite(result.records)
        else:
            self._rewrite([])
        self._seq = max((r["seq"] for r in result.records), default=0)
        self.count = len(result.records)
        self._file = open(self.path, "ab", buffering=0)
        return result

    def _set_aside(self, why: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.directory / f"journal.{why}-{stamp}.jsonl"
        n = 1
        while target.exists():
            n += 1
            target = self.directory / f"journal.{why}-{stamp}-{n}.jsonl"
        os.replace(self.path, target)
        return target

    def _rewrite(self, records: list[dict]) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            out.write(_header())
            for record in records:
                out.write(_encode(record))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.directory)

    # -- writing -------------------------------------------------------------------------------------------
    def append(self, kind: str, payload: dict) -> dict:
        """Append one record and make it durable before returning it."""
        with self._lock:
            self._seq += 1
            record = {"seq": self._seq, "time": round(time.time(), 3), "kind": kind, **payload}
            assert self._file is not None, "journal not loaded"
            self._file.write(_encode(record))
            self.count += 1
            fd = self._file.fileno()
        if self.fsync:
            # Outside the lock: one fsync makes every earlier write durable too (group commit).
            os.fsync(fd)
        return record

    def reset(self) -> None:
        """Empty the journal atomically (a new file replaces the old one)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._rewrite([])
            self._seq = 0
            self.count = 0
            self._file = open(self.path, "ab", buffering=0)

    def records(self) -> Iterator[dict]:
        records, _ = read_records(self.path)
        yield from records

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None


def _encode(record: dict) -> bytes:
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
