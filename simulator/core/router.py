"""The router: one WSGI app in front of moto. Admin API, our services, then moto; journals what changed.

See design.md, "One request". Every request is read once into a :class:`RequestInfo`; the first extension that
matches answers it, else moto does. A request that changed state and succeeded is appended to the journal
(fsync'ed) before its response leaves, together with the seed its generated IDs came from.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from . import awserrors, determinism

if TYPE_CHECKING:
    from .server import Cloud

log = logging.getLogger("gailab.simulator")

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_READ_PREFIXES = (
    "Get", "List", "Describe", "Head", "Query", "Scan", "Search", "Select", "BatchGet", "Lookup", "Check",
    "Test", "Simulate", "Estimate", "Validate", "Filter", "Download", "Preview", "Decrypt", "Encrypt",
    "GenerateDataKey", "GenerateRandom", "GenerateMac", "VerifyMac", "Sign", "Verify", "ReEncrypt", "Invoke",
    "StartQuery", "StopQuery",
)
_LAMBDA_INVOKE = re.compile(r"^/20\d\d-\d\d-\d\d/functions/[^/]+/(invocations|invoke-async|response-streaming-invocations)/?$")
# Headers that only describe one transfer; replay rebuilds them.
_TRANSPORT_HEADERS = {"content-length", "transfer-encoding", "connection", "host", "expect", "keep-alive"}

_replaying = threading.local()
_clock = threading.local()


def replaying() -> bool:
    """True while the journal is being replayed on this thread (side effects such as running code are skipped)."""
    return getattr(_replaying, "on", False)


def replay_time() -> float | None:
    """While replaying, the time the record being replayed was journaled (so replayed data keeps its time)."""
    return getattr(_replaying, "time", None) if replaying() else None


def request_time() -> float | None:
    """The time of the journaled request running on this thread: the time it is journaled with, and on replay the
    time it was journaled (so creation times and time-driven statuses come back the same). None outside one."""
    return getattr(_clock, "time", None)


@dataclass
class RequestInfo:
    """One request, read once, with what the router learned about it."""

    request: Request
    body: bytes
    service: str | None  # the SigV4 signing name, None when unsigned
    region: str
    access_key: str | None
    raw_uri: str
    replaying: bool = False
    seed: int | None = None
    #: Set by the router (and may be overridden by an extension): journal this request if it succeeds.
    journal: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def headers(self):
        return self.request.headers

    @property
    def query(self) -> dict[str, str]:
        return {k: v for k, v in self.request.args.items()}

    def form(self) -> dict[str, str]:
        ctype = self.request.headers.get("Content-Type", "")
        if ctype.startswith("application/x-www-form-urlencoded") and self.body:
            return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}
        return {}

    def operation(self) -> str | None:
        return awserrors.operation_name(self.service, self.method, self.path, self.query, self.headers, self.form())


def _scope(request: Request) -> tuple[str | None, str, str | None]:
    """(service, region, access key) from the SigV4 Authorization header or a presigned URL."""
    auth = request.headers.get("Authorization", "")
    match = _CREDENTIAL.search(auth)
    if match is None:
        cred = request.args.get("X-Amz-Credential")
        if cred:
            parts = cred.split("/")
            if len(parts) >= 5:
                return parts[3], parts[2], parts[0]
        return None, "us-east-1", None
    return match.group(4), match.group(3), match.group(1)


def is_mutating(info: RequestInfo) -> bool:
    """Whether a request to moto may change state (and so belongs in the journal if it succeeds)."""
    op = info.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1] or info.query.get("Action")
    if not op and info.method == "POST":
        op = info.form().get("Action")
    if op:
        return not op.startswith(_READ_PREFIXES)
    if info.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if _LAMBDA_INVOKE.match(info.path):
        return False
    if info.method == "POST" and "select" in info.request.args and (info.service in (None, "s3")):
        return False
    return True


class Router:
    """The WSGI application the local cloud serves."""

    def __init__(self, cloud: "Cloud", moto_app: Callable):
        self.cloud = cloud
        self.moto_app = moto_app
        self.admin_routes: dict[tuple[str, str], Callable[[RequestInfo], Response]] = {}

    # -- WSGI entry -----------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            info = self.read(environ)
        except Exception as exc:  # a body we cannot even read
            response = awserrors.error_response(None, "BadRequest", f"Unreadable request: {exc}", 400)
            return response(environ, start_response)
        response = self.dispatch(info)
        return response(environ, start_response)

    def read(self, environ: dict, *, replaying: bool = False) -> RequestInfo:
        request = Request(environ)
        body = request.get_data(cache=True, parse_form_data=False)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        service, region, key = _scope(request)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path.rstrip("?")
        return RequestInfo(request, body, service, region, key, raw_uri, replaying=replaying)

    def dispatch(self, info: RequestInfo) -> Response:
        path = info.path
        if path.startswith("/_gailab/") or path == "/_gailab":
            return self.admin(info)
        with self.cloud.state_lock.shared():
            if not info.replaying:
                for authorize in self.cloud.authorizers:
                    denied = authorize(info)
                    if denied is not None:
                        return denied
            for ext in self.cloud.extensions:
                try:
                    taken = ext.matches(info)
                except Exception as exc:  # a broken matcher must not take the whole cloud down
                    log.exception("extension %s failed to match", ext.name)
                    return awserrors.internal_error(info.service, exc)
                if taken:
                    info.journal = info.method not in ("GET", "HEAD", "OPTIONS")
                    return self._run(info, lambda: ext.handle(info))
            info.journal = is_mutating(info)
            return self._run(info, lambda: self.call_moto(info))

    def _run(self, info: RequestInfo, handler: Callable[[], Response]) -> Response:
        if info.seed is None and info.journal:
            info.seed = determinism.new_seed()
        if info.journal:
            info.extra.setdefault("time", round(time.time(), 3))
        _clock.time = info.extra.get("time")
        try:
            if info.seed is not None:
                with determinism.seeded(info.seed):
                    response = handler()
            else:
                response = handler()
        except NotImplementedError as exc:
            return awserrors.not_implemented(info.service, info.operation(), str(exc))
        except Exception as exc:
            log.exception("request failed: %s %s", info.method, info.raw_uri)
            return awserrors.internal_error(info.service, exc)
        finally:
            _clock.time = None
        if info.journal and not info.replaying and 200 <= response.status_code < 300:
            self.cloud.journal.append("http", self.record_of(info))
        return response

    # -- moto ---------------------------------------------------------------------------------------------
    def call_moto(self, info: RequestInfo) -> Response:
        captured: dict = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        result = self.moto_app(info.request.environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        status = int(captured["status"].split(" ", 1)[0])
        headers = captured["headers"]
        ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
        if status in (404, 405) and ctype.startswith("text/html") and body.lstrip()[:15].lower() == b"<!doctype html>":
            # Flask's own page: moto has no route for this request.
            return awserrors.not_implemented(info.service, info.operation())
        response = Response(body, status=status)
        response.headers.clear()
        for key, value in headers:
            response.headers.add(key, value)
        return response

    # -- journal ------------------------------------------------------------------------------------------
    @staticmethod
    def record_of(info: RequestInfo) -> dict:
        headers = [[k, v] for k, v in info.headers.items() if k.lower() not in _TRANSPORT_HEADERS]
        record = {
            "method": info.method,
            "uri": info.raw_uri,
            "headers": headers,
            "body": base64.b64encode(info.body).decode("ascii"),
            "seed": info.seed,
        }
        if info.extra.get("time") is not None:
            record["time"] = info.extra["time"]  # the journal keeps the time the request ran with
        return record

    def replay(self, record: dict) -> Response:
        path, _, query = record["uri"].partition("?")
        builder = EnvironBuilder(
            method=record["method"],
            path=unquote(path),
            query_string=query,
            headers=record["headers"],
            data=base64.b64decode(record["body"]),
            base_url=self.cloud.endpoint or "http://127.0.0.1:4566",
        )
        environ = builder.get_environ()
        environ["RAW_URI"] = environ["REQUEST_URI"] = record["uri"]
        info = self.read(environ, replaying=True)
        info.seed = record.get("seed")
        info.extra["time"] = record.get("time")
        _replaying.on = True
        _replaying.time = record.get("time")
        try:
            return self.dispatch(info)
        finally:
            _replaying.on = False
            _replaying.time = None

    # -- admin --------------------------------------------------------------------------------------------
    def admin(self, info: RequestInfo) -> Response:
        handler = self.admin_routes.get((info.method, info.path.rstrip("/")))
        if handler is None:
            known = sorted({p for _, p in self.admin_routes})
            return awserrors.error_response(
                "gailab", "NotFound", f"No admin route {info.method} {info.path}. Known: {', '.join(known)}", 404
            )
        try:
            return handler(info)
        except Exception as exc:
            log.exception("admin route failed")
            return awserrors.internal_error("gailab", exc)
