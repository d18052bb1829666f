"""S3 object bodies of 64 KiB or more live in the journal's content-addressed blob files, not in memory.

moto keeps each object in a SpooledTemporaryFile (in memory up to ~5 MB): a gigabyte of lab data would be a
gigabyte of the server's memory, and a checkpoint would have to copy it. With this patch (declared in
``motoseam``) a large value is written to ``blobs/`` (usually it is there already: the PutObject body was stored
before the request ran) and the key reads it from there through :class:`BlobValue`; small values stay in moto's
buffer. A checkpoint then records the digest, and restoring it opens no file until the object is read.
"""

from __future__ import annotations

import io
import tempfile

from .journal import BLOB_MIN_BYTES


class BlobValue:
    """A read-only stand-in for moto's value buffer, reading a blob file on demand (no descriptor kept open)."""

    def __init__(self, path: str, digest: str, size: int):
        self.path = path
        self.digest = digest
        self.size = size
        self._pos = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(self._pos)
            data = f.read() if size is None or size < 0 else f.read(size)
        self._pos += len(data)
        return data

    def close(self) -> None:
        pass

    def __reduce__(self):
        return (_reopen, (self.digest, self.size))


def _reopen(digest: str, size: int) -> BlobValue:
    from .server import active_cloud

    cloud = active_cloud()
    if cloud is None:
        raise RuntimeError("an S3 object body refers to a blob, but no cloud is running")
    return BlobValue(str(cloud.journal.blobs.path(digest)), digest, size)


def set_value(self, new_value) -> None:
    """Replacement for moto's ``FakeKey.value`` setter."""
    from .motoseam import original
    from .server import active_cloud

    if isinstance(new_value, str):
        new_value = new_value.encode("utf-8")
    cloud = active_cloud()
    if cloud is not None and len(new_value) >= BLOB_MIN_BYTES:
        digest = cloud.journal.blobs.put(bytes(new_value))
        old = getattr(self, "_value_buffer", None)
        self._value_buffer = BlobValue(str(cloud.journal.blobs.path(digest)), digest, len(new_value))
        if old is not None and not isinstance(old, BlobValue):
            old.close()
        self.contentsize = len(new_value)
        return
    if isinstance(getattr(self, "_value_buffer", None), BlobValue):  # small again: back to moto's own buffer
        self._value_buffer = tempfile.SpooledTemporaryFile(self._max_buffer_size)
    original("moto.s3.models:FakeKey.value").fset(self, new_value)


def value_property():
    """moto's ``FakeKey.value`` property with :func:`set_value` as its setter."""
    from .motoseam import original

    return original("moto.s3.models:FakeKey.value").setter(set_value)


def fake_key_state(key) -> dict:
    """What a checkpoint keeps of a key: its attributes, the body by digest when it is a blob."""
    state = {k: v for k, v in key.__dict__.items() if k not in ("lock", "_value_buffer")}
    buffer = key.__dict__.get("_value_buffer")
    if isinstance(buffer, BlobValue):
        state["_blob"] = (buffer.digest, buffer.size)
    elif buffer is not None and not key.__dict__.get("disposed"):
        buffer.seek(0)
        state["_value"] = buffer.read()
    else:
        state["_value"] = b""
    return state


def restore_fake_key(cls, state: dict):
    import threading

    key = cls.__new__(cls)
    blob = state.pop("_blob", None)
    value = state.pop("_value", b"")
    key.__dict__.update(state)
    key.lock = threading.Lock()
    if blob is not None:
        key._value_buffer = _reopen(*blob)
    else:
        key._value_buffer = _spooled(value, key._max_buffer_size)
    return key


def _spooled(value: bytes, max_size: int) -> tempfile.SpooledTemporaryFile:
    """moto's in-memory buffer holding ``value`` without copying it: the unpickler keeps every bytes object it made
    until the whole checkpoint is loaded, so a copy would hold each small S3 body twice at start. (A BytesIO made
    from bytes shares them until it is written to; values this small never roll over to disk.)"""
    buffer = tempfile.SpooledTemporaryFile(max_size)
    buffer._file = io.BytesIO(value)  # type: ignore[attr-defined]
    buffer.seek(0, io.SEEK_END)
    return buffer
