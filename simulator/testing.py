"""pytest fixtures on a real local cloud: one per test session, reset between tests.

Use from a conftest: ``pytest_plugins = ["gailab.simulator.testing"]``. Fixtures:

* ``gailab_session_cloud`` — the session's :class:`~gailab.simulator.core.server.Cloud`, in a thread of the test
  process, on a free loopback port, with a temporary home;
* ``cloud`` — that cloud, reset before the test, with ``AWS_*`` variables pointing at it for the test's duration;
* ``aws`` — a factory of boto3 clients on it: ``aws("s3")``;
* ``aws_env`` — the environment (a dict) for subprocesses such as the ``aws`` CLI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .core.home import env_exports


@pytest.fixture(scope="session")
def gailab_session_cloud(tmp_path_factory: pytest.TempPathFactory):
    from .core.server import Cloud

    home = tmp_path_factory.mktemp("gailab-home")
    cloud = Cloud(home, port=0).start()
    yield cloud
    cloud.stop()


@pytest.fixture
def cloud(gailab_session_cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    gailab_session_cloud.reset()
    for key, value in env_exports(gailab_session_cloud.endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield gailab_session_cloud


@pytest.fixture
def aws_env(cloud) -> dict[str, str]:
    env = dict(os.environ)
    env.update(env_exports(cloud.endpoint))
    return env


@pytest.fixture
def aws(cloud):
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)

    def client(service: str, **kwargs):
        return session.client(service, endpoint_url=cloud.endpoint, config=kwargs.pop("config", config), **kwargs)

    return client


def admin_request(endpoint: str, path: str, body: bytes | dict | None = b"", method: str = "POST"):
    """A ``urllib`` request to an admin route that changes something, with the home's admin token and a JSON
    content type (as the CLI and the app send them)."""
    import json
    import urllib.request

    from .client import TOKEN_HEADER, admin_token, health

    data = json.dumps(body).encode() if isinstance(body, dict) else body
    token = admin_token(health(endpoint).get("home"))
    headers = {"Content-Type": "application/json", **({TOKEN_HEADER: token} if token else {})}
    return urllib.request.Request(endpoint.rstrip("/") + path, data=data, method=method, headers=headers)
