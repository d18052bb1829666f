"""The local cloud in this process: moto's server app behind our router, on a threaded loopback server."""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from . import admin, determinism, motoseam
from .admintoken import ensure_token
from .extensions import DEFAULT_EXTENSIONS, Extension, load_extensions
from .home import ACCOUNT_ID, resolve_home
from .checkpoint import Checkpointer, Checkpoints, restore
from .diskerrors import JournalWriteError
from .guard import Guard
from .home import HomeLock, bind_listener
from .journal import Journal
from .offline import offline
from .router import Router
from .rwlock import ReadersWriterLock

log = logging.getLogger("gailab.simulator")

_active: "Cloud | None" = None


@functools.cache
def version() -> str:
    try:
        return metadata.version("gailab")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def active_cloud() -> "Cloud | None":
    """The cloud running in this process (moto's state is per process, so there is at most one)."""
    return _active


class Cloud:
    """A local cloud served from a thread of this process.

    ``Cloud(home=..., port=0).start()`` binds a free loopback port, replays the journal and serves until
    :meth:`stop`. Use :class:`~gailab.simulator.core.process.CloudProcess` for a cloud in a child process.
    """

    def __init__(
        self,
        home: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fresh: bool = False,
        fsync: bool = True,
        extensions: list[Extension] | None = None,
        verbose: bool = False,
        settings: dict | None = None,
        listen_fd: int | None = None,
        checkpoints: bool = True,
    ):
        self.home = resolve_home(home)
        self.host = host
        self.port = port
        self.fresh = fresh
        self.verbose = verbose
        self.settings = dict(settings or {})
        #: A socket already listening (a supervisor's, kept across restarts), instead of binding host:port.
        self.listen_fd = listen_fd
        #: Restarts of this home's cloud by its supervisor, and why the last one happened.
        self.restarts = int(os.environ.get("GAILAB_RESTARTS", "0") or 0)
        self.last_restart = os.environ.get("GAILAB_LAST_RESTART", "")
        self.journal = Journal(self.home / "cloud", fsync=fsync)
        #: Start from the newest checkpoint (False: replay every record; a submission's cloud never trusts one).
        self.use_checkpoints = checkpoints
        self.checkpoints = Checkpoints(self)
        self._checkpointer: Checkpointer | None = None
        #: The journal seq the state came from at start (a checkpoint), 0 for a replay from the first record.
        self.started_from = 0
        self._extensions_given = extensions
        self.extensions: list[Extension] = []
        #: Called before dispatch with each request; a returned Response (e.g. AccessDenied) answers it instead.
        self.authorizers: list = []
        self.state_lock = ReadersWriterLock()
        self.warnings: list[str] = []
        self.version = version()
        self.account_id = ACCOUNT_ID
        self.endpoint: str | None = None
        self.started_at = time.monotonic()
        self.replay_seconds = 0.0
        self.replayed = 0
        self._server: Any = None  # werkzeug's BaseWSGIServer once started
        self._thread: threading.Thread | None = None
        self.router: Router | None = None
        self._rebuilding = threading.Event()
        self._home_lock: HomeLock | None = None
        self.admin_token = ""
        self.guard: Guard | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> "Cloud":
        # Before anything touches the journal: a home serves one cloud at a time (fresh or not).
        self._home_lock = HomeLock(self.home).acquire()
        try:
            if _active is not None and _active is not self:
                raise RuntimeError("a local cloud already runs in this process; moto keeps one state per process")
            return self._start()
        except BaseException:
            self._home_lock.release()
            raise

    def _start(self) -> "Cloud":
        global _active
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        if not self.verbose:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _ignore_file_size_signal()
        self.admin_token = ensure_token(self.home)
        self.guard = Guard(self)
        determinism.install()  # every moto patch (simulator/core/motoseam.py)
        motoseam.import_at_start()  # what background threads read, before any of them runs
        _reset_moto()
        moto_app = _take_preloaded_app() or DomainDispatcherApplication(create_backend_app)
        self.router = Router(self, moto_app)
        self.extensions = (
            list(self._extensions_given) if self._extensions_given is not None else load_extensions(DEFAULT_EXTENSIONS)
        )
        self.router.admin_routes.update(admin.routes(self))
        for ext in self.extensions:
            ext.attach(self)
            self.router.admin_routes.update(ext.admin_routes())
        # Bind first (a taken port fails fast), serve after the replay.
        if self.listen_fd is not None:
            sock = socket.socket(fileno=os.dup(self.listen_fd))
        else:
            sock = bind_listener(self.host, self.port)
        try:
            self._server = make_server(
                self.host, self.port, self.router, threaded=True, request_handler=MotoRequestHandler, fd=sock.fileno()
            )
        finally:
            sock.close()  # make_server duplicated the descriptor
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        shown_host = self.host if ":" not in self.host else f"[{self.host}]"
        self.endpoint = f"http://{shown_host}:{self.port}"
        _active = self
        try:
            self._replay()
        except BaseException:
            self._server.server_close()
            _active = None
            raise
        for ext in self.extensions:
            ext.ready()
        self.started_at = time.monotonic()
        # serve_forever checks for shutdown between polls: 0.1 s instead of 0.5 s makes stop() (and each class
        # regrade, which starts and stops one cloud per submission) that much quicker, for ten idle wake-ups a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="gailab-cloud", daemon=True
        )
        self._thread.start()
        every = int(self.settings.get("checkpoint_every", 500) or 0)
        if self.use_checkpoints and every > 0:
            self._checkpointer = Checkpointer(self.checkpoints, every)
            self._checkpointer.start()
        return self

    def _replay(self) -> None:
        started = time.perf_counter()
        found = None
        if self.fresh:
            self.checkpoints.clear()
        elif self.use_checkpoints:
            found = self.checkpoints.newest()
        replay = None
        if found is not None:
            header, payload = found
            try:
                with payload, offline():
                    restore(self, payload)
                replay = self.journal.load(
                    start_offset=header.offset,
                    after_seq=header.seq,
                    base_count=header.count,
                    start_line=header.count + 2,
                )
                self.started_from = header.seq
                self.checkpoints.last_count = header.count
            except Exception as exc:  # a checkpoint that does not restore: start over from the first record
                log.exception("checkpoint could not be restored")
                self.warnings.append(
                    f"the checkpoint at record {header.seq} could not be restored ({exc}); replaying the whole journal"
                )
                _reset_moto()
                for ext in self.extensions:
                    ext.reset()
                replay = None
        if replay is None:
            replay = self.journal.load(fresh=self.fresh)
        with offline():
            for record in replay:
                self._apply(record)
        replay.finish()
        self.warnings[:0] = replay.warnings  # damage first: it is what the learner must hear about
        self.replayed = replay.count
        self.replay_seconds = time.perf_counter() - started
        for warning in self.warnings:
            log.warning(warning)

    def _apply(self, record: dict) -> None:
        """Replay one journal record; a record that fails becomes a warning, never a failed start."""
        assert self.router is not None
        kind = record["kind"]
        try:
            if kind == "http":
                response = self.router.replay(record)
                if response.status_code >= 300:
                    self.warnings.append(
                        f"journal record {record['seq']} ({record['method']} {record['uri'][:80]}) "
                        f"answered {response.status_code} on replay"
                    )
                return
            ext = next((e for e in self.extensions if kind in e.event_kinds), None)
            if ext is None:
                self.warnings.append(f"journal record {record['seq']} has unknown kind {kind!r}; skipped")
            else:
                ext.replay_event(record)
        except Exception as exc:  # one bad record never blocks start
            self.warnings.append(f"journal record {record['seq']} could not be replayed: {exc}")

    # -- a change that could not be made durable ------------------------------------------------------------
    def refuse_changes_while_rebuilding(self) -> None:
        if self._rebuilding.is_set():
            raise JournalWriteError(
                "The local cloud is restoring its state after a failed journal write; try again in a moment.",
                full=False,
            )

    def rebuild_after_failed_write(self) -> None:
        """A change reached memory but not the journal: rebuild memory from the journal, in the background (the
        failing request may hold the state lock), refusing other changes until it is done."""
        if self._rebuilding.is_set():
            return
        self._rebuilding.set()
        threading.Thread(target=self._rebuild, name="gailab-rebuild", daemon=True).start()

    def _rebuild(self) -> None:
        try:
            with self.state_lock.exclusive(timeout=600):
                _reset_moto()
                for ext in self.extensions:
                    ext.reset()
                with offline():
                    for record in self.journal.records():
                        self._apply(record)
        except Exception:
            log.exception("could not rebuild the cloud's state from its journal")
        finally:
            self._rebuilding.clear()

    def reset(self) -> None:
        """Wipe every service's state and the journal, as one step no request can see half done."""
        with self.state_lock.exclusive():
            _reset_moto()
            for ext in self.extensions:
                ext.reset()
            self.journal.reset()
            self.checkpoints.clear()
            self.warnings.clear()

    def stop(self) -> None:
        global _active
        if self._checkpointer is not None:
            self._checkpointer.halt.set()
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=10)
            self._server.server_close()
            self._server = None
            if self._checkpointer is not None and self.journal.count != self.checkpoints.last_count:
                try:  # the next start replays nothing
                    self.checkpoints.take()
                except Exception:
                    log.exception("could not take a checkpoint at stop")
        for ext in self.extensions:
            try:
                ext.stop()
            except Exception:
                log.exception("extension %s failed to stop", ext.name)
        self.journal.close()
        if self._home_lock is not None:
            self._home_lock.release()
        if _active is self:
            _active = None

    def __enter__(self) -> "Cloud":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def extension(self, name: str) -> Extension | None:
        return next((e for e in self.extensions if e.name == name), None)


#: moto's services the course uses: a supervisor imports them before it forks a cloud (:func:`preload`).
PRELOADED_MOTO_SERVICES = ("s3", "iam", "sts", "kms", "awslambda", "logs", "apigateway", "cloudwatch")
#: ... and the botocore models moto parses their requests with and our request checks read.
PRELOADED_MODELS = ("s3", "iam", "sts", "kms", "lambda", "logs", "apigateway", "cloudwatch", "bedrock-runtime")
PRELOADED_APPS = ("s3", "iam", "sts", "kms", "lambda", "logs", "apigateway", "cloudwatch")


def preload() -> None:
    """Import what a start and its replay need — moto's server and the course's services, boto3, werkzeug, every
    default service of ours — and make no state. The supervisor calls it once and forks each cloud from it, so a
    killed cloud is back in the time its journal takes to replay, not the seconds of a Python start."""
    import importlib

    import boto3  # noqa: F401
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from werkzeug.serving import make_server  # noqa: F401

    for service in PRELOADED_MOTO_SERVICES:
        for part in ("models", "responses", "urls"):
            importlib.import_module(f"moto.{service}.{part}")
    for path in DEFAULT_EXTENSIONS:
        module = importlib.import_module(path.partition(":")[0])
        warm = getattr(module, "preload", None)  # a service's own caches that every start would fill again
        if warm is not None:
            warm()
    version()
    from .checkpoint import _versions

    _versions()
    from moto.core.utils import get_service_model

    from . import awserrors

    from moto.core.routing import get_service_router
    from moto.moto_server.werkzeug_app import create_backend_app

    for name in PRELOADED_MODELS:  # caches of this process: a fork inherits them
        model = get_service_model(name)
        awserrors._service_model(name)
        try:  # moto's operation router for the service's protocol (werkzeug rules compiled)
            get_service_router(name)._get_router(model.metadata.get("protocol", ""))
        except Exception:
            pass
    determinism.install()  # the seam's patches (moto's global CORS off among them) before any app is made
    # moto's Flask app per service (their URL rules compiled), for the first cloud of this process to take. Making
    # them instantiates empty backends, which every start's reset clears.
    global _preloaded_app
    app = DomainDispatcherApplication(create_backend_app)
    for service in PRELOADED_APPS:
        app.app_instances[service] = app.create_app(service)  # type: ignore[arg-type]
    _preloaded_app = app


_preloaded_app: Any = None


def _take_preloaded_app() -> Any:
    """The moto app :func:`preload` made, once (a second cloud in the process makes its own)."""
    global _preloaded_app
    app, _preloaded_app = _preloaded_app, None
    return app


def _ignore_file_size_signal() -> None:
    """Past RLIMIT_FSIZE a write fails with EFBIG (which the journal reports) instead of killing the process."""
    sigxfsz = getattr(signal, "SIGXFSZ", None)
    if sigxfsz is not None and threading.current_thread() is threading.main_thread():
        signal.signal(sigxfsz, signal.SIG_IGN)


def _reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
