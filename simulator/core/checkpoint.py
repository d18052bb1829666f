"""Checkpoints: the cloud's whole state at a journal position, so a start replays only what came after.

``<home>/cloud/checkpoints/checkpoint-<seq>.bin`` is one JSON header line, then a pickle of moto's backends and of
each service's picklable attributes. The header names the journal position it covers (``seq``, byte ``offset``,
record ``count``) and the SHA-256 of the journal line at that position; the payload carries its own SHA-256 and an
HMAC keyed with the home's admin token. At start the newest checkpoint is used only if everything matches (same
gailab, moto and Python; the payload intact and signed by this home; the journal still holding that very line);
otherwise the cloud replays the whole journal and says why. ``Cloud(checkpoints=False)`` ignores them (a
submission's cloud is rebuilt from its records only: a checkpoint someone hands us is never unpickled).

What cannot be pickled is rebuilt, not copied: locks, conditions and events are new ones; S3 bodies that live in
blob files are kept by digest; KMS private keys as PEM; weak dictionaries as their current contents. The cloud
itself and its services are references to the live ones. A moto backend that still cannot be pickled turns
checkpoints off, with a warning; a service attribute that cannot (a thread, a process) keeps its live value.

Taken by a background thread every ``checkpoint_every`` (500) new records, and when the cloud stops, under the
state lock (no request is running while the state is copied; writing the file happens after).
"""

from __future__ import annotations

import collections
import functools
import gc
import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import platform
import socket
import subprocess
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .blobs import fsync_dir

if TYPE_CHECKING:
    from .server import Cloud

log = logging.getLogger("gailab.simulator")

FORMAT = 1
KEEP = 2
_CHUNK = 1 << 20  # bytes hashed at a time when a checkpoint is verified
_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())


class CheckpointError(Exception):
    pass


@functools.cache
def _versions() -> dict:
    """The software a checkpoint is valid for (read once: what runs here does not change while it runs)."""
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return {"gailab": version("gailab"), "moto": version("moto"), "python": platform.python_version()}


@dataclass
class Header:
    seq: int
    offset: int
    count: int
    record_offset: int
    record_sha256: str
    payload_sha256: str
    hmac: str
    versions: dict
    created: float

    def to_json(self) -> bytes:
        return (json.dumps({"gailab-checkpoint": FORMAT, **self.__dict__}) + "\n").encode()


# -- pickling ------------------------------------------------------------------------------------------------------
def _event(is_set: bool) -> threading.Event:
    event = threading.Event()
    if is_set:
        event.set()
    return event


def _defaultdict(factory, items: dict) -> collections.defaultdict:
    return collections.defaultdict(factory, items)


def _versioned_store(kind, items: list):
    store = kind()
    for key, versions in items:
        dict.__setitem__(store, key, versions)
    return store


def _weak_values(items: dict) -> weakref.WeakValueDictionary:
    return weakref.WeakValueDictionary(items)


def _weak_keys(items: dict) -> weakref.WeakKeyDictionary:
    return weakref.WeakKeyDictionary(items)


def _private_key(pem: bytes):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


def _unpicklable(kind: str):
    raise CheckpointError(f"a {kind} cannot be kept in a checkpoint")


class _Pickler(pickle.Pickler):
    def __init__(self, file, live: dict[int, str]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.live = live

    def persistent_id(self, obj):
        return self.live.get(id(obj))

    def reducer_override(self, obj):  # noqa: C901 (one case per kind, read top to bottom)
        kind = type(obj)
        if kind is _LOCK:
            return threading.Lock, ()
        if kind is _RLOCK:
            return threading.RLock, ()
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, threading.Event):
            return _event, (obj.is_set(),)
        if isinstance(obj, threading.local):
            return type(obj), ()
        if isinstance(obj, collections.defaultdict) and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            empty = obj.default_factory()  # a lambda: {} (moto's habit): the same with the type itself
            if type(empty) in (dict, list, set, int) and not empty:
                return _defaultdict, (type(empty), dict(obj))
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj.items()),)
        if isinstance(obj, weakref.WeakKeyDictionary):
            return _weak_keys, (dict(obj.items()),)
        if isinstance(obj, (threading.Thread, socket.socket, subprocess.Popen, io.IOBase)):
            raise CheckpointError(f"a {kind.__name__} cannot be kept in a checkpoint")
        module = kind.__module__
        if module == "moto.s3.utils" and kind.__name__ == "_VersionedKeyStore":
            # Its items() shows the latest version of each key only; keep every version.
            return _versioned_store, (kind, [(key, list(dict.__getitem__(obj, key))) for key in dict.keys(obj)])
        if module == "moto.s3.models" and kind.__name__ == "FakeKey":
            from .s3values import fake_key_state, restore_fake_key

            return restore_fake_key, (kind, fake_key_state(obj))
        if module.startswith("cryptography") and hasattr(obj, "private_bytes"):
            from cryptography.hazmat.primitives import serialization

            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _private_key, (pem,)
        if kind.__name__ == "SpooledTemporaryFile":
            raise CheckpointError("a temporary file cannot be kept in a checkpoint")
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, live: dict[str, Any]):
        super().__init__(file)
        self.live = live

    def persistent_load(self, pid):
        try:
            return self.live[pid]
        except KeyError:
            raise CheckpointError(f"the checkpoint refers to {pid!r}, which this cloud does not have") from None


def _live(cloud: "Cloud") -> dict[str, Any]:
    found: dict[str, Any] = {"cloud": cloud, "journal": cloud.journal}
    for ext in cloud.extensions:
        found[f"ext:{ext.name}"] = ext
    return found


def capture(cloud: "Cloud") -> bytes:
    """The state as bytes (call with the state lock held exclusively)."""
    from moto.core.base_backend import BackendDict

    live = _live(cloud)
    ids = {id(obj): name for name, obj in live.items()}
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, ids)
    instances: list = BackendDict._instances  # type: ignore[misc]
    moto_state = {bd.service_name: dict(bd.items()) for bd in list(instances)}
    pickler.dump(moto_state)
    services: dict[str, dict[str, Any]] = {}
    for ext in cloud.extensions:
        kept: dict[str, Any] = {}
        for name, value in vars(ext).items():
            if value is cloud or isinstance(value, (int, float, str, bool, type(None))) and name.startswith("_"):
                continue
            try:  # a throwaway pickle first: a thread or a process deep inside leaves the live value alone
                _Pickler(io.BytesIO(), ids).dump(value)
            except Exception:
                continue
            kept[name] = value
        services[ext.name] = kept
    pickler.dump(services)
    return buffer.getvalue()


def restore(cloud: "Cloud", payload: "bytes | BinaryIO") -> None:
    """Put a captured state back (moto's backends replaced; each service's kept attributes set).

    ``payload`` is the captured bytes or a file positioned at them: a start unpickles straight from the checkpoint
    file, so the file is never in memory next to the state it holds."""
    import moto.backends
    from moto.core.base_backend import BackendDict

    source = io.BytesIO(payload) if isinstance(payload, (bytes, bytearray)) else payload
    unpickler = _Unpickler(source, _live(cloud))
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none garbage: the collector would only rescan them (~12% of it)
    try:
        moto_state = unpickler.load()
        services = unpickler.load()
    finally:
        if collecting:
            gc.enable()
    for service_name, accounts in moto_state.items():
        backend_dict = moto.backends.get_backend(service_name)  # type: ignore[call-overload]
        backend_dict.clear()
        backend_dict.update(accounts)
        instances: list = BackendDict._instances  # type: ignore[misc]
        if backend_dict not in instances:
            instances.append(backend_dict)
    for ext in cloud.extensions:
        for name, value in services.get(ext.name, {}).items():
            setattr(ext, name, value)
        restored = getattr(ext, "after_checkpoint_restore", None)
        if restored is not None:
            restored()


# -- files -----------------------------------------------------------------------------------------------------------
def _digest(f: BinaryIO, start: int, hasher: Any) -> str:
    """The hex digest of the file from ``start`` to its end, read in chunks; the file is left at ``start``."""
    try:
        f.seek(start)
        while chunk := f.read(_CHUNK):
            hasher.update(chunk)
        f.seek(start)
    except OSError as exc:
        raise CheckpointError(f"unreadable: {exc}") from None
    return hasher.hexdigest()


class Checkpoints:
    """The checkpoints of one home: write, find the newest usable one, forget them all."""

    def __init__(self, cloud: "Cloud"):
        self.cloud = cloud
        self.directory = cloud.journal.directory / "checkpoints"
        self.disabled: str | None = None  # why checkpoints are off (a moto backend that cannot be pickled)
        self.last_count = 0
        self.last_seconds = 0.0
        self.taken = 0
        self._lock = threading.Lock()

    def _key(self) -> bytes:
        return hashlib.sha256(b"gailab-checkpoint\0" + (self.cloud.admin_token or "").encode()).digest()

    def take(self) -> Path | None:
        """Copy the state now (waits for requests in flight) and write it; None when there was nothing new."""
        with self._lock:
            if self.disabled:
                return None
            journal = self.cloud.journal
            started = time.perf_counter()
            with self.cloud.state_lock.exclusive(timeout=30):
                with journal.position() as (seq, offset, count, record_offset):
                    if count == self.last_count and self.taken:
                        return None
                    try:
                        payload = capture(self.cloud)
                    except Exception as exc:
                        self.disabled = f"{type(exc).__name__}: {exc}"
                        self.cloud.warnings.append(
                            f"checkpoints are off: the state could not be saved ({exc}); "
                            "each start replays the whole journal"
                        )
                        log.warning("checkpoints are off: %s", exc)
                        return None
                    record = journal.read_range(record_offset, offset)
            header = Header(
                seq=seq,
                offset=offset,
                count=count,
                record_offset=record_offset,
                record_sha256=hashlib.sha256(record).hexdigest(),
                payload_sha256=hashlib.sha256(payload).hexdigest(),
                hmac=hmac.new(self._key(), payload, hashlib.sha256).hexdigest(),
                versions=dict(_versions()),
                created=time.time(),
            )
            path = self._write(header, payload)
            self.last_count = count
            self.last_seconds = time.perf_counter() - started
            self.taken += 1
            return path

    def _write(self, header: Header, payload: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"checkpoint-{header.seq:012d}.bin"
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            out.write(header.to_json())
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        fsync_dir(self.directory)
        for old in sorted(self.directory.glob("checkpoint-*.bin"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return target

    def newest(self) -> tuple[Header, BinaryIO] | None:
        """The newest checkpoint that matches this journal and this software, else None (warnings say why).

        It comes back as its header and the open file positioned at the payload (the caller closes it): the payload
        is verified in chunks and then unpickled from that same open file, never read whole into memory, and a
        checkpoint written meanwhile (a rename) cannot swap what was verified."""
        for path in sorted(self.directory.glob("checkpoint-*.bin"), reverse=True):
            try:
                return self._verify(path)
            except CheckpointError as exc:
                self.cloud.warnings.append(
                    f"checkpoint {path.name} not used ({exc}); replaying from an older one or from the first record"
                )
        return None

    def _verify(self, path: Path) -> tuple[Header, BinaryIO]:
        try:
            f = open(path, "rb")
        except OSError as exc:
            raise CheckpointError(f"unreadable: {exc}") from None
        try:
            header = self._check(f)
        except BaseException:
            f.close()
            raise
        return header, f

    def _check(self, f: BinaryIO) -> Header:
        try:
            raw = json.loads(f.readline(64 * 1024))
            start = f.tell()
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"unreadable: {exc}") from None
        if not isinstance(raw, dict) or raw.pop("gailab-checkpoint", None) != FORMAT:
            raise CheckpointError("not a checkpoint of this format")
        try:
            header = Header(**raw)
        except TypeError as exc:
            raise CheckpointError(f"unexpected header: {exc}") from None
        if header.versions != _versions():
            raise CheckpointError(f"taken by {header.versions}, this is {_versions()}")
        # The HMAC alone proves the payload intact and ours; only when it fails does a second pass (the plain
        # SHA-256) tell damage from a checkpoint of another home, for the warning.
        if not hmac.compare_digest(_digest(f, start, hmac.new(self._key(), digestmod=hashlib.sha256)), header.hmac):
            if _digest(f, start, hashlib.sha256()) != header.payload_sha256:
                raise CheckpointError("its contents are damaged")
            raise CheckpointError("it was not written by this home's cloud")
        record = self.cloud.journal.read_range(header.record_offset, header.offset)
        if hashlib.sha256(record).hexdigest() != header.record_sha256:
            raise CheckpointError(f"the journal no longer holds record {header.seq} where it was")
        return header

    def clear(self) -> None:
        for path in self.directory.glob("checkpoint-*"):
            path.unlink(missing_ok=True)
        self.last_count = 0
        self.taken = 0


class Checkpointer(threading.Thread):
    """Takes a checkpoint once ``every`` new records have come, at a quiet moment.

    A checkpoint stops the world while it copies the state, so under a burst of calls it waits for a pause of
    ``quiet`` seconds; a backlog of ``every * backlog`` records is taken anyway, so a start never replays more.
    """

    def __init__(
        self, checkpoints: Checkpoints, every: int, interval: float = 0.5, quiet: float = 1.0, backlog: int = 4
    ):
        super().__init__(name="gailab-checkpoint", daemon=True)
        self.checkpoints = checkpoints
        self.every = every
        self.interval = interval
        self.quiet = quiet
        self.backlog = backlog
        self.halt = threading.Event()

    def due(self) -> bool:
        """Whether to take one now: enough new records, and either a quiet moment or too many waiting."""
        cloud = self.checkpoints.cloud
        waiting = cloud.journal.count - self.checkpoints.last_count
        if waiting < self.every or self.checkpoints.disabled:
            return False
        return waiting >= self.every * self.backlog or cloud.state_lock.quiet_for() >= self.quiet

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            if self.due():
                try:
                    self.checkpoints.take()
                except TimeoutError:
                    continue  # requests in flight all along: next time
                except Exception:
                    log.exception("could not take a checkpoint")
