"""A lab's ``[deploy]`` table and the one deploy logic behind the app's Ctrl+D, ``gailab lab deploy`` and
``gailab lab validate``: zip the workspace's source files and create or update the lab's Lambda function.

The table names what the lab fixes (function, runtime, handler, role, files). Timeout, memory and environment are
optional: when the table gives them, every deploy applies them; when it does not, a new function gets Lambda's
defaults (3 s, 128 MB, no variables) and a deploy never touches what the learner configured — so a lab can grade
them.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
FUNCTION_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HANDLER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.[A-Za-z_][A-Za-z0-9_]*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ROLE_RE = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+|[\w+=,.@-]{1,64})$")
# field: (type, required, what it means) — the documented schema (docs/labs.md renders the same list).
FIELDS: dict[str, tuple[type, bool, str]] = {
    "function_name": (str, True, "the Lambda function to create or update"),
    "runtime": (str, False, f"one of {', '.join(RUNTIMES)} (default python3.12)"),
    "handler": (str, True, "module.function, e.g. lambda_function.lambda_handler"),
    "role": (str, True, "the execution role's name or ARN; it must exist before the first deploy"),
    "source_files": (list, True, "workspace files zipped into the function, e.g. [\"lambda_function.py\"]"),
    "timeout": (int, False, "seconds, 1-900; when set every deploy applies it"),
    "memory": (int, False, "MB, 128-10240; when set every deploy applies it"),
    "env": (dict, False, "environment variables (strings); when set every deploy applies them"),
}


class DeployError(Exception):
    """A deploy that could not be done; the message says why in one line (``kind`` lets callers tell causes)."""

    def __init__(self, message: str, kind: str = "deploy"):
        super().__init__(message)
        self.kind = kind  # "files", "role", "aws" or "deploy"


@dataclass(frozen=True)
class DeploySpec:
    function_name: str
    handler: str
    role: str
    source_files: tuple[str, ...]
    runtime: str = "python3.12"
    timeout: int | None = None
    memory: int | None = None
    env: dict[str, str] | None = field(default=None, hash=False)

    @property
    def handler_module(self) -> str:
        """The file the handler lives in: ``lambda_function.lambda_handler`` → ``lambda_function.py``."""
        return self.handler.rsplit(".", 1)[0].replace(".", "/") + ".py"


def parse_deploy(raw: dict, err) -> DeploySpec | None:
    """A typed spec from the manifest's table, or None; ``err(field, message)`` collects every problem."""
    ok = True
    for key in raw:
        if key not in FIELDS:
            err(f"deploy.{key}", f"unknown field; the [deploy] table takes {', '.join(FIELDS)}")
            ok = False
    values: dict = {}
    for key, (kind, required, _) in FIELDS.items():
        if key not in raw:
            if required:
                err(f"deploy.{key}", "is required")
                ok = False
            continue
        value = raw[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            err(f"deploy.{key}", f"must be {kind.__name__}, not {type(value).__name__}")
            ok = False
            continue
        values[key] = value
    name = values.get("function_name")
    if name is not None and not FUNCTION_NAME_RE.match(name):
        err("deploy.function_name", f"{name!r} is not a Lambda function name (letters, digits, - and _, up to 64)")
        ok = False
    runtime = values.get("runtime", "python3.12")
    if runtime not in RUNTIMES:
        err("deploy.runtime", f"{runtime!r} is not supported; use one of {', '.join(RUNTIMES)}")
        ok = False
    handler = values.get("handler")
    if handler is not None and not HANDLER_RE.match(handler):
        err("deploy.handler", f"{handler!r} must be module.function, e.g. lambda_function.lambda_handler")
        ok = False
    role = values.get("role")
    if role is not None and not ROLE_RE.match(role):
        err("deploy.role", f"{role!r} is neither a role name nor a role ARN")
        ok = False
    files = values.get("source_files")
    if files is not None:
        if not files:
            err("deploy.source_files", "lists no file")
            ok = False
        for i, name_ in enumerate(files):
            if not isinstance(name_, str) or not _relative(name_):
                err(f"deploy.source_files[{i}]", f"{name_!r} must be a path inside the workspace, like handler.py")
                ok = False
    timeout = values.get("timeout")
    if timeout is not None and not 1 <= timeout <= 900:
        err("deploy.timeout", f"{timeout} is outside 1-900 seconds")
        ok = False
    memory = values.get("memory")
    if memory is not None and not 128 <= memory <= 10240:
        err("deploy.memory", f"{memory} is outside 128-10240 MB")
        ok = False
    env = values.get("env")
    if env is not None:
        for key, value in env.items():
            if not ENV_NAME_RE.match(key) or not isinstance(value, str):
                err(f"deploy.env.{key}", "variables are NAME = \"text\" (a letter first, then letters, digits, _)")
                ok = False
    if not ok or name is None or handler is None or role is None or files is None:
        return None  # every required field was reported missing above
    spec = DeploySpec(name, handler, role, tuple(files), runtime, timeout, memory,
                      {str(k): str(v) for k, v in env.items()} if env is not None else None)
    if spec.handler_module not in spec.source_files:
        err("deploy.handler", f"its module {spec.handler_module} is not among source_files")
        return None
    return spec


def _relative(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def build_zip(workspace: Path, files) -> bytes:
    """Zip the named workspace files (a folder adds everything under it), paths relative to the workspace."""
    workspace = Path(workspace).resolve()
    chosen: list[Path] = []
    for name in files:
        path = (workspace / name).resolve()
        if not path.is_relative_to(workspace):
            raise DeployError(f"{name} is outside the workspace", "files")
        if path.is_dir():
            chosen.extend(p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            chosen.append(path)
        else:
            raise DeployError(f"{name} is not in the workspace {workspace}", "files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in chosen:
            archive.write(path, path.relative_to(workspace).as_posix())
    return buffer.getvalue()


@dataclass
class Deployed:
    function_name: str
    action: str  # "created" | "updated"
    files: list[str]
    configuration: dict


def deploy(spec: DeploySpec, workspace: Path, endpoint: str | None, profile: str | None = None,
           timeout: float = 60.0) -> Deployed:
    """Create or update ``spec.function_name`` from the workspace, then wait until Lambda reports it ready."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .checks import Context, error_code

    code = build_zip(workspace, spec.source_files)
    ctx = Context(endpoint, None, timeout=30.0, profile=profile)
    try:
        role = _role_arn(ctx, spec.role)
        lam = ctx.client("lambda")
        wanted: dict[str, object] = {"Runtime": spec.runtime, "Handler": spec.handler, "Role": role}
        if spec.timeout is not None:
            wanted["Timeout"] = spec.timeout
        if spec.memory is not None:
            wanted["MemorySize"] = spec.memory
        if spec.env is not None:
            wanted["Environment"] = {"Variables": dict(spec.env)}
        try:
            current = lam.get_function_configuration(FunctionName=spec.function_name)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            lam.create_function(FunctionName=spec.function_name, Code={"ZipFile": code}, **wanted)
            action = "created"
        else:
            _wait_ready(lam, spec.function_name, timeout)
            lam.update_function_code(FunctionName=spec.function_name, ZipFile=code)
            changed = {k: v for k, v in wanted.items() if _current(current, k) != v}
            if changed:
                _wait_ready(lam, spec.function_name, timeout)
                lam.update_function_configuration(FunctionName=spec.function_name, **changed)
            action = "updated"
        config = _wait_ready(lam, spec.function_name, timeout)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise DeployError(f"{err.get('Code')}: {err.get('Message')}", "aws") from None
    except BotoCoreError as exc:
        raise DeployError(f"the cloud did not answer: {exc}", "aws") from None
    return Deployed(spec.function_name, action, list(spec.source_files),
                    {k: config.get(k) for k in ("Runtime", "Handler", "Role", "Timeout", "MemorySize")}
                    | {"Environment": (config.get("Environment") or {}).get("Variables") or {}})


def _current(config: dict, key: str):
    if key == "Environment":
        return {"Variables": (config.get("Environment") or {}).get("Variables") or {}}
    return config.get(key)


def _role_arn(ctx, role: str) -> str:
    if role.startswith("arn:"):
        return role
    from botocore.exceptions import ClientError

    from .checks import error_code

    try:
        return ctx.client("iam").get_role(RoleName=role)["Role"]["Arn"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            raise DeployError(f"the execution role {role} does not exist yet: create it first", "role") from None
        raise


def _wait_ready(lam, name: str, timeout: float) -> dict:
    """Lambda refuses a second update while one is in progress (real AWS): poll until State and LastUpdateStatus
    settle, with a deadline."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        config = lam.get_function_configuration(FunctionName=name)
        if config.get("State", "Active") != "Pending" and config.get("LastUpdateStatus", "Successful") != "InProgress":
            if config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed":
                reason = config.get("StateReason") or config.get("LastUpdateStatusReason") or "no reason given"
                raise DeployError(f"Lambda could not prepare {name}: {reason}", "aws")
            return config
        if time.monotonic() > deadline:
            raise DeployError(f"{name} was still being updated after {timeout:g} s", "aws")
        time.sleep(delay)  # polling the service's state, not waiting for time to pass
        delay = min(delay * 2, 1.0)


def deploy_lab(lab, workspace: Path, endpoint: str | None, profile: str | None = None) -> Deployed:
    """The lab's function from ``workspace`` (a lab without a [deploy] table is a DeployError)."""
    if lab.deploy is None:
        raise DeployError(f"lab {lab.id} has no [deploy] table: it deploys no function", "deploy")
    return deploy(lab.deploy, workspace, endpoint, profile)


def deploy_from_env(workspace: Path | None = None) -> Deployed:
    """For reference solutions and setup scripts: deploy the lab in ``GAILAB_LAB_DIR`` from ``GAILAB_WORKSPACE``
    (or ``workspace``) to ``AWS_ENDPOINT_URL``."""
    import os

    from .manifest import load_lab

    lab_dir = os.environ.get("GAILAB_LAB_DIR")
    if not lab_dir:
        raise DeployError("GAILAB_LAB_DIR is not set: run this from a lab's solution (gailab lab solve)", "deploy")
    where = workspace or os.environ.get("GAILAB_WORKSPACE") or "."
    return deploy_lab(load_lab(lab_dir), Path(where), os.environ.get("AWS_ENDPOINT_URL"))
