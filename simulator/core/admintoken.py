"""The per-home admin token: the key to the admin routes that change something (``POST /_gailab/...``).

It lives in ``<home>/cloud/admin-token`` (mode 0600, made on the first start), so only the user — the CLI, the app,
the grader, the user's scripts — can read it; a web page cannot, and neither can a Lambda handler (it does not see
the home). Clients send it as the :data:`HEADER` header: ``gailab.simulator.client.admin`` does (it finds the home
from the cloud's health). This module is the server's side: making the token.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..client import TOKEN_FILE, TOKEN_HEADER, admin_token

HEADER = TOKEN_HEADER


def token_path(home: str | os.PathLike[str]) -> Path:
    return Path(home) / TOKEN_FILE


def ensure_token(home: str | os.PathLike[str]) -> str:
    """The home's token, made (random, 0600) if it has none yet; a token others could read is tightened."""
    path = token_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = admin_token(home)
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
