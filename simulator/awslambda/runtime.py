"""The Lambda runtime: execution environments (worker processes) per function version, warm reuse, AWS's
errors and log lines, CloudWatch Logs, role-session credentials.

One :class:`Runtime` per cloud. ``invoke(fn, event_json)`` runs a moto ``LambdaFunction`` and returns an
:class:`Invocation` (payload, function error, the log tail), exactly what Lambda's Invoke API reports.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import math
import os
import shutil
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..core import determinism
from ..core.home import ACCOUNT_ID
from . import containment
from .process import WorkerDied, WorkerProcess, WorkerTimeout

log = logging.getLogger("gailab.simulator.lambda")

SUPPORTED_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
TAIL_BYTES = 4096
#: Forks a handler may make (the kernel's RLIMIT_NPROC does not bind root, so the worker counts too).
FORK_LIMIT = 64


# Draw IDs from the OS, not the running request's seed: what runs code is not replayed, so it must not consume
# the seed that replay relies on.
unseeded = determinism.unseeded


@dataclass
class Spec:
    """What an execution environment is built from; a change in any of it means new environments."""

    name: str
    version: str
    arn: str
    runtime: str
    handler: str
    timeout: float
    memory: int
    env: dict
    role: str
    region: str
    code: bytes = field(repr=False)
    layers: list = field(repr=False)
    log_group: str = ""
    code_id: str = ""
    layer_arns: tuple = ()
    #: ReservedConcurrentExecutions (not part of the key: changing it keeps warm environments).
    reserved: int | None = None
    #: EphemeralStorage in MB: the size of the environment's /tmp.
    ephemeral_mb: int = 512

    @classmethod
    def of(cls, fn) -> "Spec":
        from moto.awslambda.models import lambda_backends

        backend = lambda_backends[fn.account_id][fn.region]
        layers, layer_arns = [], []
        for layer in fn.layers or []:
            arn = layer["Arn"] if isinstance(layer, dict) else layer
            found = backend.layers_versions_by_arn(arn)
            if found is not None and found.code_bytes:
                layers.append(found.code_bytes)
                layer_arns.append(arn)
        code = fn.code_bytes or b""
        # moto's digest of the package; hashing it ourselves only when moto has none (it is per update).
        code_id = getattr(fn, "code_sha_256", None) or hashlib.sha256(code).hexdigest()
        return cls(
            name=fn.function_name,
            version=str(fn.version),
            arn=fn.function_arn,
            runtime=fn.run_time or "",
            handler=fn.handler or "",
            timeout=float(fn.timeout or 3),
            memory=int(fn.memory_size or 128),
            env=dict(fn.environment_vars or {}),
            role=fn.role,
            region=fn.region,
            code=code,
            layers=layers,
            log_group=f"/aws/lambda/{fn.function_name}",
            code_id=str(code_id),
            layer_arns=tuple(layer_arns),
            reserved=None if getattr(fn, "reserved_concurrency", None) in (None, "") else int(fn.reserved_concurrency),
            ephemeral_mb=int(getattr(fn, "ephemeral_storage", 512) or 512),
        )

    @property
    def key(self) -> str:
        digest = hashlib.sha256()
        for part in (
            self.arn,
            self.version,
            self.runtime,
            self.handler,
            self.timeout,
            self.memory,
            self.ephemeral_mb,
            json.dumps(self.env, sort_keys=True),
            self.role,
            self.code_id,
            *self.layer_arns,
        ):
            digest.update(str(part).encode() + b"\0")
        return digest.hexdigest()

    @property
    def family(self) -> str:
        return f"{self.arn}:{self.version}"


@dataclass
class Invocation:
    """The outcome Invoke reports."""

    request_id: str
    payload: str
    error_type: str | None = None
    log_text: str = ""
    version: str = "$LATEST"
    cold: bool = False

    @property
    def errored(self) -> bool:
        return self.error_type is not None

    @property
    def log_tail(self) -> str:
        data = self.log_text.encode()[-TAIL_BYTES:]
        return base64.b64encode(data).decode()


class Throttled(Exception):
    pass


class Environment:
    """A warm execution environment: a worker initialised for one Spec, with its own log stream."""

    def __init__(self, worker: WorkerProcess, spec: Spec):
        self.worker = worker
        self.spec = spec
        now = datetime.now(timezone.utc)
        self.stream = f"{now:%Y/%m/%d}/[{spec.version}]{uuid.uuid4().hex}"
        self.initialised = False
        self.last_used = time.monotonic()


class Runtime:
    def __init__(self, cloud) -> None:
        self.cloud = cloud
        self.root = Path(cloud.home) / "lambda"
        self._lock = threading.Condition()
        self._idle: dict[str, list[Environment]] = {}
        self._busy: set[Environment] = set()
        self._spare: WorkerProcess | None = None
        self._starting = 0
        self._stopped = False
        self._sandbox_mode: str | None = None
        self.invocations = 0
        self.cold_starts = 0

    # -- settings -----------------------------------------------------------------------------------------
    @property
    def max_busy(self) -> int:
        return int(self.cloud.settings.get("lambda_max_concurrency", 8))

    @property
    def max_idle(self) -> int:
        return int(self.cloud.settings.get("lambda_max_idle", 12))

    # -- workers ------------------------------------------------------------------------------------------
    def _base_env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_CONFIG_FILE": "/nonexistent/gailab/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/gailab/credentials",
        }
        return env

    def _new_worker(self) -> WorkerProcess:
        self.root.mkdir(parents=True, exist_ok=True)
        env = self._base_env()
        env["GAILAB_SANDBOX"] = json.dumps(self.sandbox_plan())
        return WorkerProcess(env, str(self.root), mode=self.sandbox_mode)

    # -- containment --------------------------------------------------------------------------------------
    @property
    def sandbox_mode(self) -> str:
        """namespaces | landlock | none: the ``lambda_sandbox`` setting, or the best this machine offers."""
        if self._sandbox_mode is None:
            wanted = str(self.cloud.settings.get("lambda_sandbox", "auto"))
            self._sandbox_mode = containment.choose(wanted)
        return self._sandbox_mode

    def sandbox_plan(self) -> dict:
        """What a worker builds its sandbox from (read by sandbox.Plan)."""
        host = self.cloud.host if self.cloud.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return {
            "mode": self.sandbox_mode,
            "port": self.cloud.port,
            "host": host,
            "readable": containment.python_dirs(),
            "hidden": [str(self.cloud.home)],
            "stage": str(self.root),
            "uid": containment.next_uid(),
            "gid": containment.next_uid(),
            "tmp_root": str(containment.landlock_tmp_root()),
        }

    def prestart(self) -> None:
        """Keep one worker that has already imported boto3, so the next cold start skips that."""
        with self._lock:
            if self._stopped or self._spare is not None:
                return
            self._spare = self._new_worker()

    def _take_spare(self) -> WorkerProcess:
        with self._lock:
            worker, self._spare = self._spare, None
        if worker is None or worker.proc.poll() is not None:
            if worker is not None:
                worker.kill()
            worker = self._new_worker()
        threading.Thread(target=self.prestart, name="lambda-prestart", daemon=True).start()
        return worker

    def _acquire(self, spec: Spec) -> Environment:
        deadline = time.monotonic() + 30
        with self._lock:
            while True:
                if self._stopped:
                    raise Throttled("the local cloud is stopping")
                self._retire_stale(spec)
                if spec.reserved is not None and sum(e.spec.arn == spec.arn for e in self._busy) >= spec.reserved:
                    raise Throttled("Rate Exceeded.")  # AWS throttles at once past reserved concurrency
                idle = self._idle.get(spec.key)
                if idle:
                    env = idle.pop()
                    self._busy.add(env)
                    return env
                if len(self._busy) + self._starting < self.max_busy:
                    self._starting += 1  # holds the slot while the worker starts, outside the lock
                    break
                if not self._lock.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() > deadline:
                    raise Throttled("Rate Exceeded.")
        try:
            env = Environment(self._take_spare(), spec)
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            self._busy.add(env)
            self._trim_idle()
        return env

    def _retire_stale(self, spec: Spec) -> None:
        """UpdateFunctionCode/Configuration retire the version's old environments (called with the lock)."""
        for key in [
            k for k, envs in self._idle.items() if envs and envs[0].spec.family == spec.family and k != spec.key
        ]:
            for env in self._idle.pop(key):
                env.worker.kill()

    def _trim_idle(self) -> None:
        """Keep at most max_idle warm environments, none idle longer than lambda_idle_seconds (AWS recycles
        idle environments too; deleted and updated functions leave theirs behind)."""
        envs = sorted((e for lst in self._idle.values() for e in lst), key=lambda e: e.last_used)
        too_old = time.monotonic() - float(self.cloud.settings.get("lambda_idle_seconds", 600))
        while envs and (len(envs) > self.max_idle or envs[0].last_used < too_old):
            oldest = envs.pop(0)
            self._idle[oldest.spec.key].remove(oldest)
            oldest.worker.kill()

    def _release(self, env: Environment, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(env)
            if healthy and not self._stopped and not env.worker.dead and not env.worker.left_processes():
                env.last_used = time.monotonic()
                self._idle.setdefault(env.spec.key, []).append(env)
            else:
                env.worker.kill()
            self._lock.notify_all()

    def kill_all(self) -> None:
        """Kill every worker (reset and stop); invocations in flight end with Runtime.ExitError."""
        with self._lock:
            envs = [e for lst in self._idle.values() for e in lst] + list(self._busy)
            self._idle.clear()
            spare, self._spare = self._spare, None
        for env in envs:
            env.worker.kill()
        if spare is not None:
            spare.kill()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self.kill_all()

    def environments(self) -> list[dict]:
        """The execution environments alive now: function, version, busy, the host pid of their process tree."""
        with self._lock:
            idle = [(e, False) for envs in self._idle.values() for e in envs]
            busy = [(e, True) for e in self._busy]
        return [
            {
                "function": e.spec.name,
                "version": e.spec.version,
                "busy": b,
                "pid": e.worker.pid,
                "logStream": e.stream,
                "containment": e.worker.mode,
            }
            for e, b in idle + busy
        ]

    def stats(self) -> dict:
        with self._lock:
            return {
                "warm": sum(len(v) for v in self._idle.values()),
                "busy": len(self._busy),
                "invocations": self.invocations,
                "coldStarts": self.cold_starts,
                "spare": self._spare is not None,  # a worker that has imported boto3, for the next cold start
            }

    # -- code ---------------------------------------------------------------------------------------------
    def _unpack(self, kind: str, data: bytes) -> Path:
        target = self.root / kind / hashlib.sha256(data).hexdigest()[:32]
        if target.is_dir():
            return target
        scratch = target.with_name(target.name + f".{uuid.uuid4().hex[:8]}.tmp")
        scratch.mkdir(parents=True)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(scratch)
            os.replace(scratch, target)
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
            if not target.is_dir():
                raise
        except zipfile.BadZipFile:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return target

    # -- credentials --------------------------------------------------------------------------------------
    def role_credentials(self, role_arn: str, session_name: str) -> dict[str, str]:
        """A session of the execution role, from the local cloud's STS (as Lambda gets one from AWS STS)."""
        from moto.sts.models import sts_backends

        with unseeded():
            role = sts_backends[ACCOUNT_ID]["aws"].assume_role(
                region_name="us-east-1",
                role_session_name=session_name[:64],
                role_arn=role_arn,
                policy=None,
                duration=43200,
                external_id=None,
            )
        return {
            "AWS_ACCESS_KEY_ID": role.access_key_id,
            "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
            "AWS_SESSION_TOKEN": role.session_token,
        }

    def _function_env(self, spec: Spec, env: Environment, code_dir: Path) -> dict[str, str]:
        values = {k: str(v) for k, v in spec.env.items()}
        values.update(
            {
                "_HANDLER": spec.handler,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
                "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
                "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": env.stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                # In a network namespace the cloud is the sandbox's own 127.0.0.1:<port> (a forwarder to the real one).
                "AWS_ENDPOINT_URL": (
                    f"http://127.0.0.1:{self.cloud.port}"
                    if self.sandbox_mode == "namespaces"
                    else self.cloud.endpoint or ""
                ),
                "LAMBDA_TASK_ROOT": str(code_dir),
                "LAMBDA_RUNTIME_DIR": str(Path(__file__).parent),
                "TZ": ":UTC",
            }
        )
        values.update(self.role_credentials(spec.role, spec.name))
        return values

    # -- invoke -------------------------------------------------------------------------------------------
    def invoke(self, fn, event_json: str, *, request_id: str | None = None) -> Invocation:
        spec = Spec.of(fn)
        request_id = request_id or str(uuid.uuid4())
        self.invocations += 1
        if spec.runtime not in SUPPORTED_RUNTIMES or getattr(fn, "package_type", "Zip") == "Image":
            what = "container images" if getattr(fn, "package_type", "Zip") == "Image" else spec.runtime
            message = (
                f"The local cloud runs Python functions only ({SUPPORTED_RUNTIMES[0]} to "
                f"{SUPPORTED_RUNTIMES[-1]}); it cannot run runtime {what!s} of function {spec.name}."
            )
            self._metrics(spec, Invocations=1, Errors=1)
            return self._failed(spec, None, request_id, "Runtime.InvalidRuntime", message, "")
        try:
            env = self._acquire(spec)
        except Throttled:
            self._metrics(spec, Throttles=1)
            raise  # Invoke answers TooManyRequestsException
        cold = not env.initialised
        healthy = False
        started = time.perf_counter()
        result = None
        try:
            init_ms = None
            if cold:
                self.cold_starts += 1
                outcome = self._init(env, request_id)
                if isinstance(outcome, Invocation):
                    result = outcome
                    return outcome
                init_ms, init_text = outcome
            else:
                init_text = ""
            result, healthy = self._run(env, event_json, request_id, init_ms, init_text)
            result.cold = cold
            return result
        finally:
            self._release(env, healthy)
            if result is not None:
                self._metrics(
                    spec,
                    Invocations=1,
                    Errors=1 if result.errored else 0,
                    Duration=(time.perf_counter() - started) * 1000,
                )

    def _metrics(self, spec: Spec, **values: float) -> None:
        """AWS/Lambda metrics per invocation (Invocations, Errors, Duration, Throttles), per function and across
        all functions (no dimension), as Lambda publishes them; journaled, so alarms see them after a restart."""
        from ..cloudwatch.service import publish

        units = {"Duration": "Milliseconds"}
        data = [
            {"name": name, "value": float(value), "unit": units.get(name, "Count"), "dims": dims}
            for dims in ([["FunctionName", spec.name]], [])
            for name, value in values.items()
        ]
        publish("AWS/Lambda", data, region=spec.region)

    def _init(self, env: Environment, request_id: str):
        spec = env.spec
        try:
            code_dir = self._unpack("code", spec.code)
            layer_dirs = [self._unpack("layers", data) for data in spec.layers]
        except (zipfile.BadZipFile, OSError) as exc:
            return self._failed(
                spec,
                env,
                request_id,
                "Runtime.InvalidEntrypoint",
                f"Could not unpack the deployment package: {exc}",
                "",
            )
        paths = [str(code_dir)]
        for layer in layer_dirs:  # what Lambda puts on sys.path from /opt
            paths += [str(layer / "python"), str(layer / "python" / "lib" / spec.runtime / "site-packages")]
        message = {
            "op": "init",
            "env": self._function_env(spec, env, code_dir),
            "paths": paths,
            "cwd": str(code_dir),
            "handler": spec.handler,
            "memory_bytes": spec.memory * 1024 * 1024,
            "nproc": FORK_LIMIT + 8 if self.sandbox_mode == "namespaces" else _nproc_limit(),
            "nproc_forks": FORK_LIMIT,
            # Relative to the lambda folder: the sandbox mounts them at /var/task and /opt.
            "code": str(code_dir.relative_to(self.root)),
            "layers": [str(layer.relative_to(self.root)) for layer in layer_dirs],
            "tmp_mb": spec.ephemeral_mb,
            "runtime": spec.runtime,
        }
        try:
            env.worker.wait_ready()  # a spare still starting: its start-up is the platform's, not the function's
        except WorkerTimeout as exc:
            return self._timed_out(spec, env, request_id, exc.args[0].text(), time.perf_counter())
        except WorkerDied as exc:
            return self._died(spec, env, request_id, exc, getattr(exc, "output", None))
        deadline = time.monotonic() + spec.timeout
        started = time.perf_counter()
        try:
            answer, output = env.worker.request(message, deadline)
        except WorkerTimeout as exc:
            return self._timed_out(spec, env, request_id, exc.args[0].text(), started)
        except WorkerDied as exc:
            return self._died(spec, env, request_id, exc, getattr(exc, "output", None))
        init_text = output.text()
        if answer.get("oom"):
            return self._failed(
                spec,
                env,
                request_id,
                "Runtime.OutOfMemory",
                f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                init_text,
            )
        if answer.get("error"):
            err = dict(answer["error"])
            body = json.dumps(err)
            return self._finish(
                spec,
                env,
                request_id,
                body,
                err["errorType"],
                init_text,
                "",
                duration=(time.perf_counter() - started) * 1000,
                init_ms=None,
                max_mem=answer.get("max_memory_mb", 0),
                status=("error", err["errorType"]),
            )
        env.initialised = True
        return answer["init_ms"], init_text

    def _run(self, env: Environment, event_json: str, request_id: str, init_ms, init_text: str):
        spec = env.spec
        context = {
            "function_name": spec.name,
            "function_version": spec.version,
            "invoked_function_arn": spec.arn,
            "memory_limit_in_mb": str(spec.memory),
            "aws_request_id": request_id,
            "log_group_name": spec.log_group,
            "log_stream_name": env.stream,
        }
        message = {
            "op": "invoke",
            "event": event_json,
            "context": context,
            "timeout": spec.timeout,
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
        }
        started = time.perf_counter()
        try:
            answer, output = env.worker.request(message, time.monotonic() + spec.timeout)
        except WorkerTimeout as exc:
            return self._timed_out(spec, env, request_id, exc.args[0].text(), started, init_ms, init_text), False
        except WorkerDied as exc:
            return self._died(spec, env, request_id, exc, getattr(exc, "output", None), init_ms, init_text), False
        text = output.text()
        if answer.get("oom"):
            msg = f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
            return self._failed(spec, env, request_id, "Runtime.OutOfMemory", msg, text, init_ms, init_text), False
        if "exit" in answer:
            msg = f"RequestId: {request_id} Error: Runtime exited with error: exit status {answer['exit']}"
            return self._failed(spec, env, request_id, "Runtime.ExitError", msg, text, init_ms, init_text), False
        err = answer.get("error")
        duration = answer.get("duration_ms", (time.perf_counter() - started) * 1000)
        if err:
            result = self._finish(
                spec,
                env,
                request_id,
                json.dumps(err),
                err["errorType"],
                init_text,
                text,
                duration=duration,
                init_ms=init_ms,
                max_mem=answer.get("max_memory_mb", 0),
            )
            return result, True
        result = self._finish(
            spec,
            env,
            request_id,
            answer["body"],
            None,
            init_text,
            text,
            duration=duration,
            init_ms=init_ms,
            max_mem=answer.get("max_memory_mb", 0),
        )
        return result, True

    # -- outcomes -----------------------------------------------------------------------------------------
    def _timed_out(self, spec, env, request_id, text, started, init_ms=None, init_text=""):
        env.worker.kill()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        text = _ensure_newline(text) + f"{stamp} {request_id} Task timed out after {spec.timeout:.2f} seconds\n"
        body = json.dumps(
            {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"RequestId: {request_id} Error: Task timed out after {spec.timeout:.2f} seconds",
            }
        )
        return self._finish(
            spec,
            env,
            request_id,
            body,
            "Sandbox.Timedout",
            init_text,
            text,
            duration=spec.timeout * 1000,
            init_ms=init_ms,
            max_mem=spec.memory,
            status=("timeout", None),
        )

    def _died(self, spec, env, request_id, exc: WorkerDied, output, init_ms=None, init_text=""):
        text = output.text() if output is not None else ""
        message = f"RequestId: {request_id} Error: {exc.reason}"
        return self._failed(spec, env, request_id, "Runtime.ExitError", message, text, init_ms, init_text)

    def _failed(self, spec, env, request_id, error_type, message, text, init_ms=None, init_text=""):
        if env is not None:
            env.worker.kill()
        body = json.dumps({"errorType": error_type, "errorMessage": message})
        text = _ensure_newline(text) + f"{message}\n{error_type}\n"
        return self._finish(
            spec,
            env,
            request_id,
            body,
            error_type,
            init_text,
            text,
            duration=0.0,
            init_ms=init_ms,
            max_mem=0,
            status=("error", error_type),
        )

    def _finish(
        self, spec, env, request_id, body, error_type, init_text, text, *, duration, init_ms, max_mem, status=None
    ) -> Invocation:
        lines: list[str] = []
        if init_ms is not None or (env is not None and not env.initialised):
            lines.append(
                f"INIT_START Runtime Version: {spec.runtime}.v1\tRuntime Version ARN: "
                f"arn:aws:lambda:{spec.region}::runtime:gailab-local-{spec.runtime}"
            )
            lines += _lines(init_text)
        lines.append(f"START RequestId: {request_id} Version: {spec.version}")
        lines += _lines(text)
        lines.append(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: "
            f"{max(1, math.ceil(duration))} ms\tMemory Size: {spec.memory} MB\tMax Memory Used: "
            f"{max_mem} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if status is not None:
            report += f"Status: {status[0]}\t"
            if status[1]:
                report += f"Error Type: {status[1]}\t"
        lines.append(report)
        stream = (
            env.stream
            if env is not None
            else (f"{datetime.now(timezone.utc):%Y/%m/%d}/[{spec.version}]{uuid.uuid4().hex}")
        )
        self._write_logs(spec, stream, lines)
        invocation_lines = lines[lines.index(f"START RequestId: {request_id} Version: {spec.version}") :]
        return Invocation(
            request_id,
            body if body is not None else "null",
            error_type,
            "\n".join(invocation_lines) + "\n",
            spec.version,
        )

    def _write_logs(self, spec: Spec, stream: str, lines: list[str]) -> None:
        from moto.logs.models import logs_backends

        try:
            if not self._may_log(spec, stream):
                return
            backend = logs_backends[ACCOUNT_ID][spec.region]
            with unseeded():
                backend.ensure_log_group(spec.log_group)
                group = backend.groups[spec.log_group]
                if stream not in group.streams:
                    backend.create_log_stream(spec.log_group, stream)
                now = int(time.time() * 1000)
                backend.put_log_events(spec.log_group, stream, [{"timestamp": now, "message": line} for line in lines])
        except Exception:  # logs are best effort; the invocation's answer matters more
            log.exception("could not write Lambda logs for %s", spec.name)

    def _may_log(self, spec: Spec, stream: str) -> bool:
        """Lambda writes the function's logs with its execution role: without logs:CreateLogStream and
        logs:PutLogEvents on the group, AWS writes nothing (``lambda_logs_need_permission`` turns this off)."""
        if not self.cloud.settings.get("lambda_logs_need_permission", True):
            return True
        from ..iam import policy, principals

        role = principals.Principal(arn=spec.role, kind="assumed-role", role_arn=spec.role, session_name=spec.name)
        found = principals.identity_policies(role)
        if found is None:
            return False
        arn = f"arn:aws:logs:{spec.region}:{ACCOUNT_ID}:log-group:{spec.log_group}:log-stream:{stream}"
        allowed = all(
            policy.evaluate(found, action, arn).allowed for action in ("logs:CreateLogStream", "logs:PutLogEvents")
        )
        if not allowed:
            log.info(
                "%s: its role %s may not write logs to %s; none written (as in AWS)",
                spec.name,
                spec.role,
                spec.log_group,
            )
        return allowed


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line != ""] if text else []


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _nproc_limit() -> int:
    """RLIMIT_NPROC counts every task of the user: allow what runs now plus FORK_LIMIT."""
    uid = os.getuid()
    if uid == 0:  # not enforced for root; the worker's own fork count applies
        return 0
    count = 0
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (macOS): the worker's own fork count still applies
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError):
            continue
    return count + FORK_LIMIT
