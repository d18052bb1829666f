"""Where gailab keeps its data: one home folder (``GAILAB_HOME`` or the user data dir)."""

from __future__ import annotations

import os
from pathlib import Path

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
