"""The router: one WSGI app in front of moto. Admin API, our services, then moto; journals what changed.

See design.md, "One request". Every request is read once into a :class:`RequestInfo`; the first extension that
matches answers it, else moto does. A request that changed state and succeeded is appended to the journal
(fsync'ed) before its response leaves, together with the seed its generated IDs came from.
"""

from __future__ import annotations

import io
import json
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

from xml.parsers.expat import ExpatError

from . import awserrors, determinism, requestcheck
from .diskerrors import JournalWriteError
from .journal import BLOB_MIN_BYTES

if TYPE_CHECKING:
    from .server import Cloud

log = logging.getLogger("gailab.simulator")

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_READ_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Query",
    "Scan",
    "Search",
    "Select",
    "BatchGet",
    "Lookup",
    "Check",
    "Test",
    "Simulate",
    "Estimate",
    "Validate",
    "Filter",
    "Download",
    "Preview",
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateRandom",
    "GenerateMac",
    "VerifyMac",
    "Sign",
    "Verify",
    "ReEncrypt",
    "Invoke",
    "StartQuery",
    "StopQuery",
)
_LAMBDA_INVOKE = re.compile(
    r"^/20\d\d-\d\d-\d\d/functions/[^/]+/(invocations|invoke-async|response-streaming-invocations)/?$"
)
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


def _flask_page(info: RequestInfo, status: int) -> Response:
    """moto's web framework answered with its own HTML page: say it in the request's protocol instead."""
    if status in (404, 405):  # moto has no route for this request
        return awserrors.not_implemented(info.service, info.operation())
    if 300 <= status < 400:  # a redirect to the same path without an empty segment ("//")
        rest_xml = awserrors.service_shape(info.service).protocol == "rest-xml"
        return awserrors.error_response(
            info.service,
            "InvalidURI" if rest_xml else "ValidationException",
            f"The request path {info.path[:200]} has an empty segment where a name belongs.",
            400,
        )
    if status < 500:
        return awserrors.error_response(
            info.service, "BadRequest", "The request could not be read (its body or form data is malformed).", status
        )
    return awserrors.error_response(
        info.service, "InternalFailure", "The local cloud failed while handling this request.", status, sender=False
    )


def _missing_name(info: RequestInfo, exc: KeyError) -> Response | None:
    """moto looked up a name the request gave and found nothing (a KeyError instead of its not-found error):
    answer the operation's own not-found error. None when the key is not one the request named."""
    key = exc.args[0] if exc.args else None
    if not isinstance(key, str) or not key:
        return None
    named = unquote(info.raw_uri) + "\n" + info.body.decode("utf-8", "replace")
    if key not in named and key not in info.raw_uri:
        return None
    code = awserrors.not_found_code(info.service, info.operation())
    return awserrors.error_response(info.service, code, f"The resource '{key[:200]}' does not exist.", 404)


def _drain(environ: dict) -> None:
    stream = environ.get("wsgi.input")
    try:
        left = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            return
        left -= len(chunk)


def _malformed(info: RequestInfo, exc: BaseException) -> Response:
    if awserrors.service_shape(info.service).protocol == "rest-xml":
        return awserrors.error_response(info.service, "MalformedXML", requestcheck.MALFORMED_XML, 400)
    what = "nested too deeply" if isinstance(exc, RecursionError) else f"not readable ({exc})"
    return awserrors.error_response(info.service, "SerializationException", f"The request body is {what}.", 400)


def _estimate(info: RequestInfo) -> int:
    """An upper bound of the journal line a request will need (before an extension has run it)."""
    body = len(info.body)
    inline = (body + 2) // 3 * 4 if body < BLOB_MIN_BYTES else 160
    headers = len(json.dumps([[k, v] for k, v in info.headers.items()]))
    return inline + headers + len(json.dumps(info.raw_uri)) + 256


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
        big = requestcheck.too_large(environ)
        if big is not None:  # refused before the body is read into memory (read and dropped, so the client hears)
            _drain(environ)
            return requestcheck.too_large_response(*big)(environ, start_response)
        try:
            info = self.read(environ)
        except Exception as exc:  # a body we cannot even read
            response = awserrors.error_response(None, "BadRequest", f"Unreadable request: {exc}", 400)
            return response(environ, start_response)
        big = requestcheck.too_large(environ, len(info.body))
        if big is not None:
            return requestcheck.too_large_response(*big)(environ, start_response)
        assert self.cloud.guard is not None
        refused = self.cloud.guard.screen(info)
        response = refused if refused is not None else self.dispatch(info)
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
            taker = None
            for ext in self.cloud.extensions:
                try:
                    taken = ext.matches(info)
                except Exception as exc:  # a broken matcher must not take the whole cloud down
                    log.exception("extension %s failed to match", ext.name)
                    return awserrors.internal_error(info.service, exc)
                if taken:
                    taker = ext
                    break
            if not info.replaying:  # what was accepted once replays as it was
                # An API's own Authorization header (a Lambda authorizer's token) is not a signature.
                problem = requestcheck.check_envelope(info, signature=not getattr(taker, "own_authorization", False))
                if problem is not None:
                    return problem
                for authorize in self.cloud.authorizers:
                    denied = authorize(info)
                    if denied is not None:
                        return denied
            if not info.replaying:
                problem = requestcheck.check_body(info, extension=taker is not None)
                if problem is not None:
                    return problem
            if taker is not None:
                info.journal = info.method not in ("GET", "HEAD", "OPTIONS")
                # Extensions may decide while handling that a request changes nothing (info.journal = False):
                # its record is built after it ran.
                return self._run(info, lambda: taker.handle(info), record_first=False)
            info.journal = is_mutating(info)
            return self._run(info, lambda: self.call_moto(info), record_first=True)

    def _run(self, info: RequestInfo, handler: Callable[[], Response], *, record_first: bool) -> Response:
        """Run a request; journal it if it changed state. Room in the journal (and a large body's blob) is secured
        before it runs, so a full disk refuses the change instead of half-making it."""
        if info.seed is None and info.journal:
            info.seed = determinism.new_seed()
        if info.journal:
            info.extra.setdefault("time", round(time.time(), 3))
        record = reservation = None
        durable = info.journal and not info.replaying
        if durable:
            try:
                self.cloud.refuse_changes_while_rebuilding()
                if record_first:
                    record = self.record_of(info)
                    reservation = self.cloud.journal.reserve(self.cloud.journal.estimate("http", record))
                else:
                    reservation = self.cloud.journal.reserve(_estimate(info))
            except JournalWriteError as exc:
                return self.unavailable(info, exc)
        _clock.time = info.extra.get("time")
        try:
            if info.seed is not None:
                with determinism.seeded(info.seed):
                    response = handler()
            else:
                response = handler()
        except NotImplementedError as exc:
            self.cloud.journal.release(reservation)
            return awserrors.not_implemented(info.service, info.operation(), str(exc))
        except (RecursionError, ExpatError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            # input nested too deep, or a body a service could not parse
            self.cloud.journal.release(reservation)
            return _malformed(info, exc)
        except KeyError as exc:
            self.cloud.journal.release(reservation)
            missing = _missing_name(info, exc)
            if missing is None:
                log.exception("request failed: %s %s", info.method, info.raw_uri)
                return awserrors.internal_error(info.service, exc)
            return missing
        except JournalWriteError as exc:  # a service's own journal event could not be written
            self.cloud.journal.release(reservation)
            return self.unavailable(info, exc)
        except Exception as exc:
            self.cloud.journal.release(reservation)
            log.exception("request failed: %s %s", info.method, info.raw_uri)
            return awserrors.internal_error(info.service, exc)
        finally:
            _clock.time = None
        if durable and info.journal and 200 <= response.status_code < 300:
            try:
                if record is None:
                    record = self.record_of(info)
                self.cloud.journal.append("http", record, reservation)
            except JournalWriteError as exc:
                # The change is in memory but not on disk: put memory back in line with the journal.
                self.cloud.journal.release(reservation)
                self.cloud.rebuild_after_failed_write()
                return self.unavailable(info, exc)
        else:
            self.cloud.journal.release(reservation)
        return response

    @staticmethod
    def unavailable(info: RequestInfo, exc: JournalWriteError) -> Response:
        """503 in the request's protocol: the change was not made (boto3 retries, then shows the message)."""
        return awserrors.error_response(
            info.service, "ServiceUnavailable", str(exc), 503, sender=False, extra_headers={"Retry-After": "5"}
        )

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
        if ctype.startswith("text/html") and body.lstrip()[:15].lower() == b"<!doctype html>":
            return _flask_page(info, status)
        response = Response(body, status=status)
        response.headers.clear()
        for key, value in headers:
            response.headers.add(key, value)
        return response

    # -- journal ------------------------------------------------------------------------------------------
    def record_of(self, info: RequestInfo) -> dict:
        """The journal record of a request (a large body goes to a blob file, written durably now)."""
        headers = [[k, v] for k, v in info.headers.items() if k.lower() not in _TRANSPORT_HEADERS]
        record = {
            "method": info.method,
            "uri": info.raw_uri,
            "headers": headers,
            **self.cloud.journal.body_fields(info.body),
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
            data=self.cloud.journal.body(record),
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
        assert self.cloud.guard is not None
        refused = self.cloud.guard.admin_refusal(info) or requestcheck.check_admin_body(info)
        if refused is not None:
            return refused
        try:
            return handler(info)
        except Exception as exc:
            log.exception("admin route failed")
            return awserrors.internal_error("gailab", exc)
