"""The checks library: what a check returns, the context it runs in, and helpers per service.

A check is a function of one argument, the :class:`Context`, marked with ``@check("id")`` in a lab's
``checks.py``. It returns :class:`Pass` or :class:`Fail` (expected, actual, hint — in en and pt-BR), or raises
:class:`CheckError` when it could not run at all (an error is never counted as a wrong answer). Checks only
read, except the explicit live probes in :mod:`.probes`. The grader enforces each check's timeout.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..text import T

REGION = "us-east-1"


@dataclass
class Pass:
    message: T | None = None
    actual: Any = None


@dataclass
class Fail:
    message: T
    expected: Any = None
    actual: Any = None
    hint: T | None = None  # defaults to the check's hint in the manifest


class CheckError(Exception):
    """The check could not run (cloud unreachable, service missing, timeout): not the learner's fault."""

    def __init__(self, message: T | str):
        self.text = T.of(message)
        super().__init__(self.text.en)


def check(check_id: str):
    """Mark a function of a lab's ``checks.py`` as the check ``check_id`` of the manifest."""

    def mark(fn):
        fn.__gailab_check__ = check_id
        return fn

    return mark


def expect(condition: bool, message: T, expected=None, actual=None, hint: T | None = None):
    """Pass when ``condition`` holds, else a Fail with the given message."""
    return Pass(actual=actual) if condition else Fail(message, expected, actual, hint)


_sessions: dict = {}
_client_lock = threading.Lock()
_client_cache: dict = {}


def _session(profile: str | None):
    """boto3 sessions are slow to build; one per profile for the life of the process. (A local cloud's clients come
    from gailab.simulator.client's session, which reads no AWS profile or config file: a stale ``AWS_PROFILE`` must
    not break or redirect them.)"""
    import boto3

    key = profile
    if key not in _sessions:
        if profile:
            _sessions[key] = boto3.session.Session(profile_name=profile)
        else:
            _sessions[key] = boto3.session.Session()
    return _sessions[key]


@dataclass
class Context:
    """What a check may use: AWS clients on the graded endpoint, the admin API, the workspace, a shared cache."""

    endpoint: str | None
    workspace: Path | None = None
    lang: str = "en"
    timeout: float = 10.0
    profile: str | None = None
    region: str = REGION
    cache: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def client(self, service: str):
        with _client_lock:
            return self._client(service)

    def _client(self, service: str):
        if service not in self._clients:
            from botocore.config import Config

            config = Config(
                retries={"max_attempts": 1, "mode": "standard"},
                connect_timeout=min(3.0, self.timeout),
                read_timeout=self.timeout,
                region_name=self.region,
            )
            kwargs: dict = {"config": config}
            if self.endpoint:
                kwargs["endpoint_url"] = self.endpoint
                if not self.profile:  # the local cloud takes any credentials; use the conventional ones
                    kwargs.update(aws_access_key_id="test", aws_secret_access_key="test")
            key = (service, self.endpoint, self.profile, self.region, self.timeout)
            if key not in _client_cache:  # building a client costs ~10 ms; they are thread-safe, so keep them
                if self.endpoint and not self.profile:  # the process's one local session (shared with the app)
                    from gailab.simulator.client import new_client

                    _client_cache[key] = new_client(service, **kwargs)
                else:
                    _client_cache[key] = _session(self.profile).client(service, **kwargs)
            self._clients[service] = _client_cache[key]
        return self._clients[service]

    def admin(self, path: str, params: dict | None = None, method: str = "GET", body: Any = None) -> Any:
        """JSON from the local cloud's ``/_gailab/`` API. A cloud without it (real AWS) is a CheckError."""
        from gailab.simulator.client import AdminError, CloudUnavailable, admin

        if not self.endpoint:
            raise CheckError(T("this check needs the local cloud's admin API (/_gailab/); grade with --endpoint",
                               "esta verificação precisa da API de administração da nuvem local (/_gailab/); "
                               "avalie com --endpoint"))
        try:
            return admin(self.endpoint, path, body, method=method, params=params, timeout=self.timeout)
        except AdminError as exc:
            if exc.status == 404:
                raise CheckError(T(f"the cloud at {self.endpoint} does not serve {path} (is this a gailab cloud "
                                   "with the simulated Bedrock?)",
                                   f"a nuvem em {self.endpoint} não atende {path} (é uma nuvem gailab com o "
                                   "Bedrock simulado?)")) from None
            raise CheckError(f"{path} answered HTTP {exc.status}") from None
        except CloudUnavailable as exc:
            raise CheckError(f"cannot read {path}: {exc}") from None

    def workspace_file(self, name: str) -> Path | None:
        return self.workspace / name if self.workspace else None


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""
