"""Who may reach the local cloud: the learner's own tools, never a web page they happen to visit.

* **Host.** Only loopback names (``localhost``, ``*.localhost``, ``127.0.0.0/8``, ``::1``), IP literals, and
  the names in the ``allowed_hosts`` setting (and the ``--host`` a cloud serves on) are answered:
  a DNS-rebinding page reaches the cloud with its own name in ``Host`` and gets 403.
* **Origin.** A request from a page of another site (an ``Origin`` that is not a loopback origin, or
  ``Sec-Fetch-Site: cross-site``) gets 403 and changes nothing — except an S3 request whose bucket's own CORS
  configuration allows that origin and method, as S3 does. The cloud adds no CORS headers of its own (moto's
  global CORS is off); only a bucket's CORS configuration and an API's own responses carry them.
* **moto's API** (``/moto-api/...``: its state dump holds secret keys, its reset wipes everything, its recorder can
  hang the next start) is not exposed.
* **Admin routes that change something** need the home's admin token (:mod:`.admintoken`), no ``Origin``, and a
  body that no HTML form can send (JSON or nothing; not ``text/plain``, form or multipart).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Response

from . import awserrors
from .admintoken import HEADER

if TYPE_CHECKING:
    from .router import RequestInfo
    from .server import Cloud

#: Content types a page can POST without a CORS preflight: an admin change never takes them.
_FORM_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
_SAFE_METHODS = ("GET", "HEAD")


def host_name(value: str) -> str:
    """The name in a ``Host`` header or URL netloc, without port or IPv6 brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def is_loopback_name(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    def __init__(self, cloud: "Cloud"):
        self.cloud = cloud
        extra = cloud.settings.get("allowed_hosts") or []
        self.allowed_hosts = {host_name(h) for h in extra if isinstance(h, str)}
        bound = host_name(cloud.host)
        if bound and not is_loopback_name(bound) and bound not in ("0.0.0.0", "::"):
            self.allowed_hosts.add(bound)  # served on a name with --allow-remote: that name is its own

    # -- every request --------------------------------------------------------------------------------------
    def screen(self, info: "RequestInfo") -> Response | None:
        """A refusal for a request no learner's tool would send, else None."""
        host = info.headers.get("Host")
        if host is not None and not self.host_allowed(host):
            return self._refuse(
                info,
                f"The local cloud answers only requests addressed to a loopback name (localhost, 127.0.0.1, ::1); "
                f"this one was addressed to {host_name(host)!r}. To accept other names, start it with "
                "--allow-remote --host <name>.",
            )
        if info.path.startswith("/moto-api") and not info.replaying:
            return awserrors.error_response(
                "gailab", "NotFound", "The local cloud does not expose moto's own API (/moto-api/).", 404
            )
        origin = info.headers.get("Origin")
        preflight = self.s3_preflight(info)
        if preflight is not None:
            return preflight
        cross_site = info.headers.get("Sec-Fetch-Site", "").lower() == "cross-site"
        if (origin is not None and not self.origin_allowed(origin)) or cross_site:
            if not self._bucket_cors_allows(info, origin):
                shown = origin if origin is not None else "another site"
                return self._refuse(
                    info,
                    f"The local cloud refuses requests from web pages of other sites (Origin: {shown}). Only your "
                    "own tools and pages served from localhost may use it; an S3 bucket's CORS configuration can "
                    "allow other origins for that bucket.",
                )
        return None

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        return not name or is_loopback_name(name) or _is_ip(name) or name in self.allowed_hosts

    def origin_allowed(self, origin: str) -> bool:
        if origin == "null":
            return False
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        name = host_name(parts.netloc)
        return is_loopback_name(name) or name in self.allowed_hosts

    # -- admin routes -----------------------------------------------------------------------------------------
    def admin_refusal(self, info: "RequestInfo") -> Response | None:
        """Admin changes need the token, no Origin and no form-like body."""
        if info.method in _SAFE_METHODS:
            return None
        if info.headers.get("Origin") is not None:
            return awserrors.error_response(
                "gailab",
                "AccessDenied",
                "Admin changes are not accepted from web pages (the request has an Origin).",
                403,
            )
        ctype = info.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if ctype in _FORM_TYPES:
            return awserrors.error_response(
                "gailab",
                "UnsupportedMediaType",
                f"Admin changes take a JSON body (Content-Type: application/json), not {ctype}.",
                415,
            )
        expected = self.cloud.admin_token
        given = info.headers.get(HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return awserrors.error_response(
                "gailab",
                "AccessDenied",
                f"Admin changes need the header {HEADER} with the token in {self.cloud.home}/cloud/admin-token "
                "(the gailab CLI and app send it).",
                403,
            )
        return None

    # -- S3 CORS --------------------------------------------------------------------------------------------
    @staticmethod
    def _s3_bucket(info: "RequestInfo") -> str | None:
        if info.service not in (None, "s3") or info.path.startswith(("/_gailab", "/moto-api")):
            return None
        return unquote(info.path.lstrip("/").split("/", 1)[0]) or None

    def _bucket_cors_allows(self, info: "RequestInfo", origin: str | None) -> bool:
        """Whether an S3 bucket's own CORS rules allow this origin and method (as S3 decides for a browser)."""
        bucket = self._s3_bucket(info)
        if origin is None or origin == "null" or bucket is None:
            return False
        from .motoseam import s3_bucket_cors

        return any(
            _origin_matches(origin, rule["origins"]) and info.method in rule["methods"]
            for rule in s3_bucket_cors(bucket) or []
        )

    def s3_preflight(self, info: "RequestInfo") -> Response | None:
        """An S3 preflight (OPTIONS with Origin and Access-Control-Request-Method), answered from the bucket's CORS
        rules as S3 does: the first rule that allows the origin, method and headers, else 403."""
        origin = info.headers.get("Origin")
        method = info.headers.get("Access-Control-Request-Method", "").upper()
        bucket = self._s3_bucket(info)
        if info.method != "OPTIONS" or origin is None or not method or bucket is None:
            return None
        from .motoseam import s3_bucket_cors

        asked = [
            h.strip().lower() for h in info.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()
        ]
        for rule in s3_bucket_cors(bucket) or []:
            allowed = [h.lower() for h in rule["headers"]]
            if (
                _origin_matches(origin, rule["origins"])
                and method in rule["methods"]
                and all(_origin_matches(h, allowed) for h in asked)
            ):
                headers = {
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ", ".join(rule["methods"]),
                    "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
                }
                if asked:
                    headers["Access-Control-Allow-Headers"] = ", ".join(asked)
                if rule["expose"]:
                    headers["Access-Control-Expose-Headers"] = ", ".join(rule["expose"])
                if rule["max_age"] is not None:
                    headers["Access-Control-Max-Age"] = str(rule["max_age"])
                return Response(b"", status=200, headers=headers)
        return awserrors.error_response(
            "s3",
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
            "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
            "by the resource's CORS spec.",
            403,
        )

    def _refuse(self, info: "RequestInfo", message: str) -> Response:
        return awserrors.error_response(info.service, "AccessDenied", message, 403)


def _origin_matches(origin: str, patterns: list[str]) -> bool:
    """S3's rule: an allowed origin may hold one ``*`` wildcard."""
    for pattern in patterns:
        if pattern == "*" or pattern == origin:
            return True
        if pattern.count("*") == 1:
            head, tail = pattern.split("*")
            if origin.startswith(head) and origin.endswith(tail) and len(origin) >= len(head) + len(tail):
                return True
    return False
