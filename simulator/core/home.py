"""Where gailab keeps its data: one home folder (``GAILAB_HOME`` or the user data dir)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TextIO

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
DEFAULT_PORT = 4566
DEFAULT_CREDENTIALS = ("test", "test")


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The home folder: an explicit one, else ``GAILAB_HOME``, else platformdirs' user data dir."""
    if home is None:
        home = os.environ.get("GAILAB_HOME") or None
    if home is None:
        import platformdirs

        home = platformdirs.user_data_dir("gailab", appauthor=False)
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def env_exports(endpoint: str) -> dict[str, str]:
    """The environment that points boto3, the ``aws`` CLI and handlers at a local cloud."""
    key, secret = DEFAULT_CREDENTIALS
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": REGION,
    }


class HomeInUse(RuntimeError):
    """Another local cloud (``gailab serve``, the app, a test) already serves this home."""


class HomeLock:
    """An exclusive lock on a home (``<home>/cloud/serve.lock``), held while a cloud uses its journal.

    ``flock`` locks belong to one open file, so a second cloud in the same process is refused too; the lock
    goes with the process, so a crash never leaves a home locked.
    """

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / "cloud" / "serve.lock"
        self._file: TextIO | None = None

    def acquire(self) -> "HomeLock":
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise HomeInUse(
                f"another local cloud already uses the home {self.home}{self._where()}; stop it or use another home"
            ) from None
        self._file = handle
        return self

    def _where(self) -> str:
        import json

        try:
            state = json.loads((self.home / "cloud" / "serve.json").read_text())
            return f" at {state['endpoint']} (pid {state['pid']})"
        except (OSError, ValueError, KeyError, TypeError):
            return ""

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind and listen ourselves: werkzeug prints and exits on a taken port; we raise OSError instead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
