"""Live probes: the only checks that change anything (a request to an API stage, a function invocation)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from . import CheckError, Context


def http(ctx: Context, method: str, url: str, body=None, headers: dict | None = None) -> dict:
    """{"status", "headers", "body" (parsed JSON when it is JSON), "text"}; HTTP errors are answers, not raised."""
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=ctx.timeout) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, dict(exc.headers or {}), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise CheckError(f"{method} {url} could not be sent: {exc}") from None
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return {"status": status, "headers": head, "body": parsed, "text": text}
