"""The per-home admin token: the key to the admin routes that change something (``POST /_gailab/...``).

It lives in ``<home>/cloud/admin-token`` (mode 0600, made on the first start), so only the user — the CLI, the app,
the grader, the user's scripts — can read it; a web page cannot, and neither can a Lambda handler (it does not see
the home). Clients send it as the :data:`HEADER` header. :func:`admin_headers` finds it from an endpoint alone: the
cloud's health names its home, and the token is read from there.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.request
from pathlib import Path

HEADER = "X-Gailab-Admin-Token"


def token_path(home: str | os.PathLike[str]) -> Path:
    return Path(home) / "cloud" / "admin-token"


def ensure_token(home: str | os.PathLike[str]) -> str:
    """The home's token, made (random, 0600) if it has none yet; a token others could read is tightened."""
    path = token_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = read_token(home)
        if token:
            if os.name == "posix" and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            return token
        path.unlink(missing_ok=True)  # empty or unreadable: make a new one
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
        out.flush()
        os.fsync(out.fileno())
    return token


def read_token(home: str | os.PathLike[str]) -> str | None:
    try:
        return token_path(home).read_text().strip() or None
    except OSError:
        return None


def admin_headers(endpoint: str, home: str | os.PathLike[str] | None = None, *, timeout: float = 5) -> dict[str, str]:
    """``{HEADER: token}`` for a cloud: from ``home`` when given, else from the home its health names.

    Empty when the token cannot be read (another user's cloud, a remote one): the cloud then refuses changes.
    """
    if home is not None:
        token = read_token(home)
        return {HEADER: token} if token else {}
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_gailab/health", timeout=timeout) as response:
            found = json.load(response).get("home")
    except (OSError, ValueError):
        return {}
    token = read_token(found) if isinstance(found, str) else None
    return {HEADER: token} if token else {}
