"""The journal: an append-only JSON-lines file of every acknowledged state change, replayed on start.

Layout of ``<home>/cloud/journal.jsonl``:

* line 1, a header ``{"gailab-journal": 1, "created": <unix time>}``;
* one record per line, ``{"seq": n, "time": t, "kind": k, ...}``. Kind ``"http"`` is a request that changed
  state (method, raw path, headers, base64 body and the seed its IDs were drawn from); other kinds
  (``"ledger"``, ...) are events that services append and replay through their own handlers.

Writes are serialised, each line is flushed and fsync'ed before the caller acknowledges the change, so a
``kill -9`` loses nothing acknowledged. A torn final line (a crash mid-write) is skipped with a warning; a
journal that cannot be read is moved aside and the learner is told, never blocking start.

Taking a cloud elsewhere (``gailab submit``, ``gailab class regrade``) goes through one pair of functions only:
:func:`export_records` yields every record of a cloud's directory complete and self-contained, whatever the
on-disk layout is, and :func:`import_records` writes such records as the journal of a new cloud directory. Any
change to the layout (side files for large bodies, checkpoints...) keeps that pair working: a submission carries
records only, and a regrade replays them from the first record, never from a checkpoint it was handed.
:func:`parse_lines` and :func:`record_problem` read a journal that came from elsewhere without trusting it.
"""

from __future__ import annotations

import json
import os
import threading
import time
import base64
import binascii
from collections.abc import Iterable, Iterator
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


# -- taking a cloud elsewhere -------------------------------------------------------------------------------
def export_records(cloud_dir: Path) -> Iterator[dict]:
    """Every acknowledged record of the cloud kept in ``cloud_dir``, oldest first, each complete on its own
    (bodies inline), ready for :func:`import_records`. A torn last line was never acknowledged and is left out;
    a journal damaged before that raises :class:`JournalError`. No journal yet: no records."""
    path = Path(cloud_dir) / "journal.jsonl"
    if not path.exists():
        return
    records, _ = read_records(path)
    yield from records


def import_records(cloud_dir: Path, records: Iterable[dict]) -> int:
    """Write ``records`` as the whole journal of ``cloud_dir`` (a new or empty folder), durably, so that a
    ``Cloud`` started on its home replays exactly them, from the first. Returns how many were written."""
    directory = Path(cloud_dir)
    directory.mkdir(parents=True, exist_ok=True)
    leftovers = [p.name for p in directory.iterdir()]
    if leftovers:
        raise JournalError(f"{directory} is not empty ({', '.join(sorted(leftovers)[:3])}); import into a new home")
    path = directory / "journal.jsonl"
    tmp = path.with_suffix(".tmp")
    count = 0
    with open(tmp, "wb") as out:
        out.write(_header())
        for record in records:
            out.write(_encode(record))
            count += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    _fsync_dir(directory)
    return count


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def record_problem(record) -> str | None:
    """Why ``record`` (from a journal that came from elsewhere) is not a record replay can use; None when it is.
    Only the shape is judged here: whether the request makes sense is the service's answer on replay."""
    if not isinstance(record, dict):
        return f"a journal record is a JSON object, not {type(record).__name__}"
    seq, kind = record.get("seq"), record.get("kind")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return "'seq' must be a positive integer"
    if not isinstance(kind, str) or not kind:
        return "'kind' must be a non-empty string"
    if kind != "http":
        return None  # events of a service (ledger, settings...): that service judges them when it replays them
    if record.get("method") not in _METHODS:
        return f"'method' must be one of {', '.join(sorted(_METHODS))}"
    uri = record.get("uri")
    if not isinstance(uri, str) or not uri.startswith("/"):
        return "'uri' must be a path starting with /"
    headers = record.get("headers")
    if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in headers):
        return "'headers' must be a list of [name, value] string pairs"
    body = record.get("body")
    if not isinstance(body, str):
        return "'body' must be a base64 string"
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return "'body' is not valid base64"
    seed = record.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        return "'seed' must be an integer or null"
    return None


@dataclass
class ParsedJournal:
    """A journal read without trusting it: the usable records and, per unusable line, its number and why."""

    records: list[dict]
    problems: list[tuple[int, str]] = field(default_factory=list)
    #: The line number of each usable record, in the same order as ``records``.
    lines: list[int] = field(default_factory=list)

    def line_of(self, seq: int) -> int | None:
        return next((line for line, r in zip(self.lines, self.records) if r["seq"] == seq), None)


def parse_lines(data: bytes) -> ParsedJournal:
    """Read journal text from elsewhere (a submission): line 1 is the header, then one record per line. Lines
    that are not records are reported with their 1-based line number and skipped, never guessed at."""
    parsed = ParsedJournal(records=[])
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        parsed.problems.append((1, "the journal is empty: it has no header line"))
        return parsed
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not isinstance(header, dict) or "gailab-journal" not in header:
        parsed.problems.append((1, "line 1 is not a gailab journal header"))
    elif not isinstance(header["gailab-journal"], int) or header["gailab-journal"] > FORMAT_VERSION:
        parsed.problems.append((1, f"journal format {header['gailab-journal']!r} is newer than this gailab reads "
                                   f"({FORMAT_VERSION})"))
        return parsed
    last_seq = 0
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            parsed.problems.append((number, "an empty line"))
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            parsed.problems.append((number, f"not JSON ({getattr(exc, 'msg', exc)})"))
            continue
        problem = record_problem(record)
        if problem is None and record["seq"] <= last_seq:
            problem = f"seq {record['seq']} does not follow seq {last_seq}: gailab numbers records in order"
        if problem:
            parsed.problems.append((number, problem))
        else:
            last_seq = record["seq"]
            parsed.records.append(record)
            parsed.lines.append(number)
    return parsed


def encode_records(records: Iterable[dict]) -> bytes:
    """The journal text of ``records`` (header first): what a submission carries and :func:`parse_lines` reads."""
    return _header() + b"".join(_encode(r) for r in records)
