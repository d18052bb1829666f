"""Content-addressed files for large bodies (S3 objects, Lambda zips), so the journal stays small.

``<home>/cloud/blobs/ab/abcdef...`` holds the bytes whose SHA-256 is ``abcdef...``. A blob is written to a
temporary name, fsync'ed and renamed before the journal record that names it is written, so a record never
points at a blob that a crash could lose. Equal bodies are stored once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from .diskerrors import raise_write_error


class BlobStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` durably; return its SHA-256. Raises JournalWriteError when the disk refuses."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        try:
            if target.is_file() and target.stat().st_size == len(data):
                return digest
        except OSError:
            pass
        scratch = target.with_name(f".{digest}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(scratch, target)
            fsync_dir(target.parent)
        except OSError as exc:
            try:
                scratch.unlink()
            except OSError:
                pass
            raise_write_error(exc, f"blob {digest[:12]}")
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def digests(self) -> Iterator[str]:
        if not self.directory.is_dir():
            return
        for sub in self.directory.iterdir():
            if sub.is_dir():
                for entry in sub.iterdir():
                    if not entry.name.startswith("."):
                        yield entry.name

    def collect(self, keep: Iterable[str]) -> int:
        """Delete every blob not in ``keep`` (and stale temporary files); return how many went."""
        wanted = set(keep)
        removed = 0
        if not self.directory.is_dir():
            return 0
        for sub in self.directory.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                if entry.name.startswith(".") or entry.name not in wanted:
                    try:
                        entry.unlink()
                        removed += 1
                    except OSError:
                        pass
        return removed

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
