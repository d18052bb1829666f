"""The journal: an append-only JSON-lines file of every acknowledged state change, replayed on start.

Layout of ``<home>/cloud/journal.jsonl``:

* line 1, a header ``{"gailab-journal": 2, "created": <unix time>}``;
* one record per line, ``{"seq": n, "time": t, "kind": k, ...}``. Kind ``"http"`` is a request that changed
  state (method, raw path, headers, the body — inline as base64 ``body``, or as ``blob``, the SHA-256 of a file
  in ``blobs/`` when it is large — and the seed its IDs were drawn from); other kinds (``"ledger"``, ...) are
  events that services append and replay through their own handlers.

A record is acknowledged only once all its bytes are written and fsync'ed. When the disk refuses (full, quota,
file size limit, I/O error) the file is cut back to the last good record and the caller gets a
:class:`JournalWriteError`; :meth:`Journal.reserve` lets the router ask for the room *before* it changes any
state, so a full disk refuses a change instead of half-making it.

Reading streams the file: every intact record is replayed. A torn last line (a crash mid-write, never
acknowledged) is dropped; a damaged region elsewhere is set aside in its own file and reported with its line
numbers, and the records before and after it are replayed. Only a file with no record at all is moved aside
whole.

Taking a cloud elsewhere (``gailab submit``, ``gailab class regrade``) goes through one pair of functions only:
:func:`export_records` yields every record of a cloud's directory complete and self-contained, whatever the
on-disk layout is (blob bodies come back inline), and :func:`import_records` writes such records as the journal of
a new cloud directory. A submission carries records only, and a regrade replays them from the first record, never
from a checkpoint it was handed. :func:`parse_lines` and :func:`record_problem` read a journal that came from
elsewhere without trusting it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .blobs import BlobStore, fsync_dir
from .diskerrors import JournalWriteError, raise_write_error

__all__ = [
    "Journal",
    "JournalError",
    "JournalWriteError",
    "Replay",
    "Reservation",
    "BLOB_MIN_BYTES",
    "export_records",
    "import_records",
    "parse_lines",
    "record_problem",
    "encode_records",
]

FORMAT_VERSION = 2
#: Bodies this large or larger live in ``blobs/``, not in the journal line.
BLOB_MIN_BYTES = 64 * 1024
_RECORD_START = b'{"seq":'


class JournalError(Exception):
    """The journal file cannot be used at all (written by a newer gailab)."""


def _header() -> bytes:
    return (json.dumps({"gailab-journal": FORMAT_VERSION, "created": time.time()}) + "\n").encode()


def _encode(record: dict) -> bytes:
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


def _as_record(raw: bytes, after_seq: int) -> dict | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if (
        isinstance(record, dict)
        and isinstance(record.get("seq"), int)
        and isinstance(record.get("kind"), str)
        and record["seq"] > after_seq
    ):
        return record
    return None


@dataclass
class Damage:
    """A run of damaged lines, set aside in ``path``."""

    first_line: int
    last_line: int
    chunks: list[bytes] = field(default_factory=list)
    path: Path | None = None

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.chunks)


class Replay:
    """One pass over the journal's intact records. Iterate it once; :meth:`finish` repairs and opens the file.

    ``warnings`` fills in as the pass goes (damage, a torn tail); ``count`` is the number of records yielded.
    """

    def __init__(self, journal: "Journal", *, start_offset: int = 0, after_seq: int = 0, start_line: int = 1):
        self.journal = journal
        self.warnings: list[str] = []
        self.count = 0
        self.damage: list[Damage] = []
        self.moved_aside: Path | None = None
        self._start_offset = start_offset
        self._after_seq = after_seq
        self._start_line = start_line
        self._spans: list[tuple[int, int]] = []  # (offset, length) of each good record line
        self._torn = 0
        self._header_ok = start_offset > 0
        self._iterated = False
        self._unusable: str | None = None
        self.last_seq = after_seq
        self.end_offset = start_offset

    def __iter__(self) -> Iterator[dict]:
        if self._iterated:
            raise RuntimeError("a journal replay is iterated once")
        self._iterated = True
        path = self.journal.path
        if not path.exists():
            return
        with open(path, "rb") as handle:
            handle.seek(self._start_offset)
            offset = self._start_offset
            number = self._start_line - 1
            current: Damage | None = None
            for raw in handle:
                number += 1
                line_offset = offset
                offset += len(raw)
                if not raw.endswith(b"\n"):
                    self._torn = len(raw)
                    self.warnings.append(
                        f"skipped a torn last record ({len(raw)} bytes) in {path.name}: it was never acknowledged"
                    )
                    break
                if number == 1 and not self._header_ok:
                    try:
                        if self._read_header(raw):
                            continue
                    except JournalError as exc:
                        self._unusable = str(exc)
                        return
                    current = self._damaged(current, number, raw)
                    continue
                record = _as_record(raw, self.last_seq)
                if record is None:
                    # Two records glued together (a write that was cut short, then the next one): keep the second.
                    at = raw.find(_RECORD_START, 1)
                    if at > 0:
                        record = _as_record(raw[at:], self.last_seq)
                        if record is not None:
                            current = self._damaged(current, number, raw[:at] + b"\n")
                            line_offset += at
                if record is None:
                    current = self._damaged(current, number, raw)
                    continue
                current = None
                self._spans.append((line_offset, offset - line_offset))
                self.last_seq = record["seq"]
                self.count += 1
                self.end_offset = offset
                yield record
            self.end_offset = max(self.end_offset, offset - self._torn)

    def _read_header(self, raw: bytes) -> bool:
        try:
            header = json.loads(raw)
        except ValueError:
            return False
        if not isinstance(header, dict) or "gailab-journal" not in header:
            return False
        version = header["gailab-journal"]
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise JournalError(f"{self.journal.path.name} was written by a newer gailab (format {version})")
        self._header_ok = True
        return True

    def _damaged(self, current: Damage | None, number: int, raw: bytes) -> Damage:
        if current is None or current.last_line != number - 1:
            current = Damage(number, number)
            self.damage.append(current)
        current.last_line = number
        current.chunks.append(raw)
        return current

    def finish(self) -> None:
        """Set damaged regions aside, rewrite the journal without them (or the torn tail), open it for appends."""
        if not self._iterated:
            for _ in self:
                pass
        journal = self.journal
        if not journal.path.exists():
            journal._rewrite_header_only()
        elif self._unusable:
            self.moved_aside = journal._set_aside("unreadable")
            self.warnings.append(
                f"the journal could not be read ({self._unusable}); it was moved to {self.moved_aside} "
                "and the cloud starts empty"
            )
            journal._rewrite_header_only()
        elif self.count == 0 and self.damage and self._start_offset == 0:
            # Nothing in it was a record: not a journal (or wholly destroyed). Keep it, start empty.
            self.moved_aside = journal._set_aside("unreadable")
            self.warnings.append(
                f"the journal could not be read (no line of it is a journal record); it was moved to "
                f"{self.moved_aside} and the cloud starts empty"
            )
            self.damage = []
            journal._rewrite_header_only()
        elif self.damage or self._torn or not self._header_ok:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            for region in self.damage:
                region.path = journal._write_aside(
                    f"damaged-{stamp}-lines-{region.first_line}-{region.last_line}", region.chunks
                )
                lines = (
                    f"line {region.first_line}"
                    if region.first_line == region.last_line
                    else f"lines {region.first_line}-{region.last_line}"
                )
                self.warnings.append(
                    f"journal {lines} ({region.size} bytes) were damaged; they were set aside in "
                    f"{region.path.name} and every intact record before and after them was replayed"
                )
            journal._rewrite_spans(self._spans, keep_prefix=self._start_offset)
        journal._open_append()
        journal._seq = max(journal._seq, self.last_seq)
        journal.count = journal._base_count + self.count


@dataclass
class Reservation:
    """Room held in the journal for one record that is about to be appended."""

    size: int
    released: bool = False


class Journal:
    """An open journal: reserve room, append records durably, count them, truncate on reset."""

    def __init__(self, directory: Path, *, fsync: bool = True):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "journal.jsonl"
        self.blobs = BlobStore(self.directory / "blobs")
        self.fsync = fsync
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._seq = 0
        self._size = 0  # bytes of good records on disk (the file's length)
        self._reserved = 0  # bytes promised to reservations not yet appended
        self._allocated = 0  # file offset up to which blocks are allocated (fallocate)
        self._epoch = 0  # bumped when a failed fsync cuts records off the end
        self._unsynced: list[tuple[int, int]] = []  # (start offset, epoch) of records not yet known durable
        self._cuts: list[tuple[int, int]] = []  # (epoch, offset) of each cut made after a failed fsync
        self._syncing = False  # a thread is in fsync: the others wait for it rather than queue their own
        self._synced = threading.Condition(self._lock)
        self.fsyncs = 0  # of records (group commit makes it fewer than the records under concurrent writes)
        self._base_count = 0
        self.count = 0

    # -- opening -------------------------------------------------------------------------------------------
    def load(
        self,
        *,
        fresh: bool = False,
        start_offset: int = 0,
        after_seq: int = 0,
        base_count: int = 0,
        start_line: int = 1,
    ) -> Replay:
        """A :class:`Replay` of the records on disk (none when ``fresh``: the old file is set aside first).

        ``start_offset``/``after_seq``/``base_count``/``start_line`` resume after a checkpoint.
        """
        replay = Replay(self, start_offset=start_offset, after_seq=after_seq, start_line=start_line)
        self._base_count = base_count
        self._seq = after_seq
        if fresh and self.path.exists():
            self._set_aside("fresh")
            self.blobs.clear()
        return replay

    def _set_aside(self, why: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.directory / f"journal.{why}-{stamp}.jsonl"
        n = 1
        while target.exists():
            n += 1
            target = self.directory / f"journal.{why}-{stamp}-{n}.jsonl"
        os.replace(self.path, target)
        return target

    def _write_aside(self, why: str, chunks: list[bytes]) -> Path:
        target = self.directory / f"journal.{why}.jsonl"
        n = 1
        while target.exists():
            n += 1
            target = self.directory / f"journal.{why}-{n}.jsonl"
        with open(target, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return target

    def _rewrite_header_only(self) -> None:
        self._rewrite_spans([], keep_prefix=0)

    def _rewrite_spans(self, spans: list[tuple[int, int]], *, keep_prefix: int) -> None:
        """Replace the journal by its first ``keep_prefix`` bytes (or a new header) plus the given line spans."""
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            source = open(self.path, "rb") if (spans or keep_prefix) and self.path.exists() else None
            try:
                if keep_prefix and source is not None:
                    _copy(source, out, 0, keep_prefix)
                else:
                    out.write(_header())
                for offset, length in spans:
                    assert source is not None
                    _copy(source, out, offset, length)
            finally:
                if source is not None:
                    source.close()
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        fsync_dir(self.directory)

    def _open_append(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
        self._size = os.fstat(self._fd).st_size
        self._allocated = self._size
        self._reserved = 0
        self._unsynced.clear()

    # -- bodies --------------------------------------------------------------------------------------------
    def body_fields(self, body: bytes) -> dict:
        """How a record carries ``body``: inline base64, or a blob written (durably) now."""
        if len(body) >= BLOB_MIN_BYTES:
            return {"blob": self.blobs.put(body), "size": len(body)}
        return {"body": base64.b64encode(body).decode("ascii")}

    def body(self, record: dict) -> bytes:
        """The body a record carries (reads its blob when it has one)."""
        if "blob" in record:
            return self.blobs.get(record["blob"])
        return base64.b64decode(record.get("body") or "")

    # -- writing -------------------------------------------------------------------------------------------
    def reserve(self, size: int) -> Reservation:
        """Hold room for a record of at most ``size`` bytes, or raise JournalWriteError (nothing is changed)."""
        with self._lock:
            need = self._size + self._reserved + size
            if need > _file_size_limit():
                raise_write_error(OSError(27, "File too large"), "journal")  # EFBIG
            if need > self._allocated and self._fd is not None:
                end = need + 64 * 1024
                try:
                    _preallocate(self._fd, self._size, end - self._size)
                except OSError as exc:
                    raise_write_error(exc, "journal")
                self._allocated = end
            self._reserved += size
            return Reservation(size)

    def release(self, reservation: Reservation | None) -> None:
        if reservation is None:
            return
        with self._lock:
            self._release_locked(reservation)

    def _release_locked(self, reservation: Reservation) -> None:
        if not reservation.released:
            reservation.released = True
            self._reserved -= reservation.size

    @staticmethod
    def estimate(kind: str, payload: dict) -> int:
        """An upper bound of the bytes ``append(kind, payload)`` will write."""
        return len(_encode({"seq": 10**15, "time": 10.0**10, "kind": kind, **payload})) + 16

    def append(self, kind: str, payload: dict, reservation: Reservation | None = None) -> dict:
        """Append one record and make it durable before returning it; JournalWriteError if that fails."""
        with self._lock:
            assert self._fd is not None, "journal not loaded"
            if reservation is not None:
                self._release_locked(reservation)
            record = {"seq": self._seq + 1, "time": round(time.time(), 3), "kind": kind, **payload}
            data = _encode(record)
            start = self._size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view) :]
            except OSError as exc:
                self._cut(start)
                raise_write_error(exc, "journal")
            self._seq += 1
            self._size += len(data)
            self._allocated = max(self._allocated, self._size)
            self.count += 1
            epoch = self._epoch
            self._unsynced.append((start, epoch))
            fd = self._fd
        if self.fsync:
            self._make_durable(start, epoch, fd)
        with self._lock:
            if self._cut_off(start, epoch):
                # A failed fsync of an earlier record cut this one off too.
                raise JournalWriteError(
                    "The local cloud could not write its journal; this change was not made.", full=False
                )
        return record

    def _cut_off(self, start: int, epoch: int) -> bool:
        return any(e > epoch and at <= start for e, at in self._cuts)

    def _make_durable(self, start: int, epoch: int, fd: int) -> None:
        """Group commit: one fsync at a time, outside the lock, covering every byte written before it began; a
        record written meanwhile waits for that fsync to end and then for the next one, which it may lead."""
        while True:
            with self._lock:
                while self._syncing and (start, epoch) in self._unsynced and not self._cut_off(start, epoch):
                    self._synced.wait()
                if (start, epoch) not in self._unsynced or self._cut_off(start, epoch):
                    return  # made durable by another thread's fsync (or cut off: the caller says so)
                self._syncing = True
                covered = self._size
            error: OSError | None = None
            try:
                os.fsync(fd)
            except OSError as exc:
                error = exc
            with self._lock:
                self.fsyncs += 1
                self._syncing = False
                self._synced.notify_all()
                if error is None:
                    self._unsynced = [(s, e) for s, e in self._unsynced if s >= covered]
                elif (start, epoch) in self._unsynced:  # no other fsync made it durable meanwhile
                    self._cut(start)
                    raise_write_error(error, "journal")

    def _cut(self, start: int) -> None:
        """Truncate back to ``start`` (called with the lock): a record that failed, and any after it, are gone."""
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, start)
        except OSError:
            pass
        dropped = sum(1 for s, _ in self._unsynced if s >= start)
        self._unsynced = [(s, e) for s, e in self._unsynced if s < start]
        if dropped:
            self._epoch += 1
            self._cuts.append((self._epoch, start))
            self._seq -= dropped
            self.count -= dropped
        self._size = start
        self._allocated = min(self._allocated, start)

    @contextlib.contextmanager
    def position(self) -> Iterator[tuple[int, int, int, int]]:
        """``(seq, end offset, record count, start offset of the last record)``, with appends held meanwhile."""
        with self._lock:
            yield self._seq, self._size, self.count, self._last_record_start()

    def _last_record_start(self) -> int:
        """Where the last line starts (the header's start when there is no record)."""
        if self._size == 0:
            return 0
        window = 1 << 16
        with open(self.path, "rb") as f:
            while True:
                start = max(0, self._size - window)
                f.seek(start)
                data = f.read(self._size - start)
                at = data.rfind(b"\n", 0, len(data) - 1)
                if at >= 0:
                    return start + at + 1
                if start == 0:
                    return 0
                window *= 4

    def read_range(self, start: int, end: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(start)
            return f.read(max(0, end - start))

    def reset(self) -> None:
        """Empty the journal atomically (a new file replaces the old one) and forget every blob."""
        with self._lock:
            self._rewrite_header_only()
            self.blobs.clear()
            self._open_append()
            self._seq = 0
            self._base_count = 0
            self.count = 0

    def records(self) -> Iterator[dict]:
        """Every intact record on disk (reading only: damage is skipped, nothing is repaired)."""
        yield from Replay(self)

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def size(self) -> int:
        return self._size

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                try:
                    os.fsync(self._fd)
                except OSError:
                    pass
                os.close(self._fd)
                self._fd = None


def _copy(source, out, offset: int, length: int) -> None:
    source.seek(offset)
    while length > 0:
        chunk = source.read(min(length, 1 << 20))
        if not chunk:
            break
        out.write(chunk)
        length -= len(chunk)


def _file_size_limit() -> float:
    try:
        import resource
    except ImportError:  # not POSIX
        return float("inf")
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return float("inf") if soft == resource.RLIM_INFINITY else soft


_fallocate = None


def _preallocate(fd: int, offset: int, length: int) -> None:
    """Allocate disk blocks past the end without changing the file's size (Linux fallocate KEEP_SIZE), so a
    full disk shows up here, before a change is made, and not in the write that records it."""
    global _fallocate
    if not sys.platform.startswith("linux"):
        return
    if _fallocate is None:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.fallocate
        func.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
        func.restype = ctypes.c_int
        _fallocate = (func, ctypes)
    func, ctypes = _fallocate
    if func(fd, 1, offset, length) != 0:  # FALLOC_FL_KEEP_SIZE
        err = ctypes.get_errno()
        import errno

        if err in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            return  # this file system cannot preallocate; the write itself will tell
        raise OSError(err, os.strerror(err))


# -- taking a cloud elsewhere -------------------------------------------------------------------------------
def export_records(cloud_dir: Path) -> Iterator[dict]:
    """Every acknowledged record of the cloud kept in ``cloud_dir``, oldest first, each complete on its own
    (bodies inline, even those the journal keeps in blob files), ready for :func:`import_records`. A torn last
    line was never acknowledged and is left out; a journal with a damaged region raises :class:`JournalError`
    (before any record is yielded) naming its lines. No journal yet: no records."""
    if not (Path(cloud_dir) / "journal.jsonl").exists():
        return
    journal = Journal(Path(cloud_dir))
    check = Replay(journal)
    for _ in check:
        pass
    if check._unusable:
        raise JournalError(check._unusable)
    if check.damage:
        lines = ", ".join(f"{d.first_line}-{d.last_line}" for d in check.damage)
        raise JournalError(
            f"{journal.path.name} is damaged at lines {lines}; start a cloud on it once to set the "
            "damage aside, then export"
        )
    for record in Replay(journal):
        if "blob" in record:
            record = dict(record)
            digest = record.pop("blob")
            record.pop("size", None)
            record["body"] = base64.b64encode(journal.blobs.get(digest)).decode("ascii")
        yield record


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
    fsync_dir(directory)
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
        isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in headers
    ):
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
        parsed.problems.append(
            (1, f"journal format {header['gailab-journal']!r} is newer than this gailab reads ({FORMAT_VERSION})")
        )
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
