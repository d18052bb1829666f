"""Talk to a running local cloud: find the one serving a home, ask its health, call ``/_gailab/``, and build the
environment (and boto3 sessions) that reach it and nothing else.

The command line, the grader, the sandbox and the terminal app all use this module, so there is one answer to
"which cloud?" and one place that adds the per-home admin token to mutating admin requests. No Textual, no moto:
cheap to import.

Which cloud (:func:`find_endpoint`): an explicit URL, else ``GAILAB_ENDPOINT``, else the ``gailab serve`` running
for the home (``<home>/cloud/serve.json`` naming a live process), else — for tools that grade any endpoint —
``AWS_ENDPOINT_URL``, else ``http://127.0.0.1:4566``.

Never real AWS by accident (:func:`local_env`, :func:`session`): children get the cloud's endpoint and dummy
credentials and none of the caller's ``AWS_*`` settings (profile, config and credentials files, SSO, session
tokens, per-service endpoints, ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``); the config and credentials files point at
an empty file, so a profile in ``~/.aws`` is never read.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from .core.home import DEFAULT_CREDENTIALS, DEFAULT_PORT, REGION, env_exports

STATE_FILE = Path("cloud") / "serve.json"  # written by ``gailab serve``: {"endpoint", "pid"}
TOKEN_FILE = Path("cloud") / "admin-token"  # when present (readable only by its user), mutating admin calls send it
TOKEN_HEADER = "X-Gailab-Admin-Token"
DEFAULT_ENDPOINT = f"http://127.0.0.1:{DEFAULT_PORT}"


class CloudUnavailable(RuntimeError):
    """No local cloud answers (or it could not be started); the message says where and why."""


class NotAGailabCloud(CloudUnavailable):
    """Something answers HTTP there, but not a gailab cloud (LocalStack, AWS, another server)."""


class AdminError(RuntimeError):
    """An admin route answered with an HTTP error; ``status`` and the server's ``message`` are kept."""

    def __init__(self, path: str, status: int, message: str):
        super().__init__(f"{path} answered HTTP {status}" + (f": {message}" if message else ""))
        self.path = path
        self.status = status
        self.message = message


# --- which cloud ----------------------------------------------------------------------------------------------

def state_path(home: str | os.PathLike) -> Path:
    return Path(home) / STATE_FILE


def write_state(home: str | os.PathLike, endpoint: str, pid: int | None = None) -> None:
    """Announce the cloud serving ``home`` (``gailab serve`` calls this once it listens)."""
    path = state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"endpoint": endpoint, "pid": os.getpid() if pid is None else pid}))
    tmp.replace(path)


def clear_state(home: str | os.PathLike) -> None:
    try:
        state_path(home).unlink()
    except OSError:
        pass


def read_state(home: str | os.PathLike) -> dict | None:
    """``{"endpoint", "pid"}`` of the ``gailab serve`` of this home, or None (no file, unreadable, or its process
    is gone — a crash leaves the file behind)."""
    try:
        state = json.loads(state_path(home).read_text())
        endpoint, pid = state["endpoint"], int(state["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _pid_alive(pid):
        return None
    return {"endpoint": endpoint, "pid": pid}


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) serves nothing
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def running_endpoint(home: str | os.PathLike, timeout: float = 2.0) -> str | None:
    """The endpoint of the cloud serving ``home`` when one is running and answers, else None."""
    state = read_state(home)
    if state is None:
        return None
    try:
        health(state["endpoint"], timeout=timeout)
    except CloudUnavailable:
        return None
    return state["endpoint"].rstrip("/")


def find_endpoint(home: str | os.PathLike | None = None, explicit: str | None = None, *,
                  aws_endpoint: bool = True, environ: dict | None = None) -> str:
    """The cloud a command should talk to (see the module's docstring for the order). Raises ValueError for a
    URL that is not http(s)."""
    environ = os.environ if environ is None else environ
    candidates = [("--endpoint", explicit), ("GAILAB_ENDPOINT", environ.get("GAILAB_ENDPOINT"))]
    if home is not None:
        state = read_state(home)
        candidates.append((str(state_path(home)), state["endpoint"] if state else None))
    if aws_endpoint:
        candidates.append(("AWS_ENDPOINT_URL", environ.get("AWS_ENDPOINT_URL")))
    source, endpoint = next(((name, value) for name, value in candidates if value), ("default", DEFAULT_ENDPOINT))
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"{source} must be an http(s) URL, not {endpoint!r}")
    return endpoint.rstrip("/")


# --- health and the admin API ----------------------------------------------------------------------------------

def health(endpoint: str, timeout: float = 2.0) -> dict:
    """GET /_gailab/health; raises CloudUnavailable when no gailab cloud answers there."""
    try:
        return admin(endpoint, "/_gailab/health", timeout=timeout)
    except AdminError as exc:
        raise NotAGailabCloud(f"{endpoint} is not a gailab local cloud ({exc})") from None


def reachable(endpoint: str | None, timeout: float = 3.0) -> bool:
    """True when anything answers HTTP at the endpoint (LocalStack and AWS answer 4xx there), or when there is no
    endpoint to try (the SDK's own resolution: each caller finds out for itself)."""
    if not endpoint:
        return True
    try:
        health(endpoint, timeout=timeout)
    except NotAGailabCloud:
        return True
    except CloudUnavailable:
        return False
    return True


def admin_token(home: str | os.PathLike | None) -> str | None:
    """The home's admin token, when the cloud keeps one (a file only its user can read)."""
    if home is None:
        return None
    try:
        return (Path(home) / TOKEN_FILE).read_text().strip() or None
    except OSError:
        return None


_homes: dict[str, str] = {}
_homes_lock = threading.Lock()


def _home_of(endpoint: str, timeout: float) -> str | None:
    """The home a cloud serves (from its health answer, kept per endpoint) to find its token."""
    with _homes_lock:
        if endpoint in _homes:
            return _homes[endpoint]
    try:
        home = health(endpoint, timeout=timeout).get("home")
    except CloudUnavailable:
        return None
    if home:
        with _homes_lock:
            _homes[endpoint] = home
    return home


def _forget_home(endpoint: str) -> bool:
    with _homes_lock:
        return _homes.pop(endpoint, None) is not None


def admin(endpoint: str, path: str, payload: Any = None, *, method: str | None = None, params: dict | None = None,
          timeout: float = 5.0, home: str | os.PathLike | None = None) -> Any:
    """JSON from an admin route under ``/_gailab/``: GET, or POST when there is a payload (or ``method``).

    Mutating requests carry the home's admin token when it has one (``home`` given, or asked of the cloud).
    Raises CloudUnavailable when nothing answers, AdminError for an HTTP error status.
    """
    endpoint = endpoint.rstrip("/")
    method = method or ("GET" if payload is None else "POST")
    query = ""
    if params:
        query = "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(endpoint + path + query, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if method != "GET":
        token = admin_token(home if home is not None else _home_of(endpoint, min(timeout, 3.0)))
        if token:
            request.add_header(TOKEN_HEADER, token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 403 and method != "GET" and home is None and _forget_home(endpoint):
            # Another cloud (another home) took over this endpoint since we asked: ask again, once.
            return admin(endpoint, path, payload, method=method, params=params, timeout=timeout)
        raise AdminError(path, exc.code, _error_message(exc)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CloudUnavailable(f"no local cloud answers at {endpoint}: {reason}") from None
    try:
        return json.loads(body) if body else {}
    except ValueError:
        raise NotAGailabCloud(f"{endpoint}{path} did not answer JSON; is this a gailab local cloud?") from None


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return ""
    if isinstance(body, dict):
        return str(body.get("message") or body.get("Message") or body.get("error") or "")
    return ""


# --- the environment of children ------------------------------------------------------------------------------

def tools_dir() -> str:
    """The folder of the Python gailab runs in, with its ``aws`` and ``gailab``: first on children's PATH."""
    return os.path.dirname(sys.executable)


def lab_app_id(lab_id: str) -> str:
    """The User-Agent app id of calls made from a lab's workspace: the ledger's ``client``, so a lab reset can
    forget that lab's records."""
    return f"gailab-lab-{lab_id}"


def local_env(endpoint: str | None, base: Mapping[str, str] | None = None, *, home: str | os.PathLike | None = None,
              workspace: str | os.PathLike | None = None, lab: str | None = None) -> dict[str, str]:
    """The environment of a child that must reach the local cloud and never real AWS.

    Every ``AWS_*`` variable of ``base`` (default: this process's environment) is dropped; the cloud's exports
    are set when there is an ``endpoint``; the AWS config and credentials files are an empty file; this Python's
    tools come first on PATH. ``GAILAB_ENDPOINT``, ``GAILAB_HOME`` and ``GAILAB_WORKSPACE`` tell gailab's own
    commands (``gailab env``, ``gailab grade``) the same cloud. With a ``lab``, SDK calls carry its app id
    (:func:`lab_app_id`) in their User-Agent.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_PAGER"] = ""
    if endpoint:
        env.update(env_exports(endpoint.rstrip("/")))
        env["GAILAB_ENDPOINT"] = endpoint.rstrip("/")
    else:
        env.pop("GAILAB_ENDPOINT", None)
    if home is not None:
        env["GAILAB_HOME"] = str(home)
    if workspace is not None:
        env["GAILAB_WORKSPACE"] = str(workspace)
    if lab:
        env["AWS_SDK_UA_APP_ID"] = lab_app_id(lab)
    path = env.get("PATH", os.defpath)
    bindir = tools_dir()
    env["PATH"] = bindir + os.pathsep + path if path.split(os.pathsep)[0] != bindir else path
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def forget_aws_settings(environ: dict | None = None) -> None:
    """Make this process's own AWS settings harmless, for a process that serves or grades only a local cloud
    (``gailab serve``, ``grade --fresh``): moto and botocore read ``AWS_PROFILE`` and the config files, and a
    profile missing there breaks every request."""
    environ = os.environ if environ is None else environ
    for name in [k for k in environ if k.startswith("AWS_")]:
        del environ[name]
    environ["AWS_CONFIG_FILE"] = os.devnull
    environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    environ["AWS_EC2_METADATA_DISABLED"] = "true"


# --- boto3 on the local cloud ---------------------------------------------------------------------------------

_session = None
#: boto3 sessions are not thread-safe: clients are made from the shared one under this lock.
session_lock = threading.RLock()


def session():
    """The process's boto3 session on the local cloud: dummy credentials, no profile, config or credentials file.

    One for the process: each session has its own loader, which parses botocore's endpoints and each service's
    model again (~10 MiB a session); clients made from one share them. Make clients with :func:`new_client`.
    """
    global _session
    with session_lock:
        if _session is None:
            import boto3
            import botocore.session

            core = botocore.session.Session(session_vars={
                "profile": (None, None, None, None),
                "config_file": (None, None, os.devnull, None),
                "credentials_file": (None, None, os.devnull, None),
            })
            key, secret = DEFAULT_CREDENTIALS
            _session = boto3.session.Session(botocore_session=core, aws_access_key_id=key,
                                             aws_secret_access_key=secret, region_name=REGION)
        return _session


def new_client(service: str, **kwargs):
    """A new boto3 client from the shared local session (made under its lock)."""
    with session_lock:
        return session().client(service, **kwargs)


_clients: dict = {}
_clients_lock = threading.Lock()


def client(endpoint: str, service: str, timeout: float = 60, app_id: str | None = None):
    """A boto3 client on the local cloud, cached (clients are thread-safe; creating one costs ~10-100 ms).

    ``app_id`` goes into the User-Agent (``app/<id>``), so the ledger can tell who called.
    """
    key = (endpoint, service, timeout, app_id)
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            from botocore.config import Config

            config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3,
                            read_timeout=timeout, user_agent_appid=app_id)
            found = _clients[key] = new_client(service, endpoint_url=endpoint, config=config)
        return found
