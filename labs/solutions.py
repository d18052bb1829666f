"""Reference solutions (skip ahead), setup commands, and removing a lab's resources (reset).

A solution is a script in the lab (``solution = "solution/solve.py"``): Python runs with this interpreter, ``.sh``
with bash. It gets the cloud's environment (``AWS_ENDPOINT_URL``, test credentials, region), ``GAILAB_ENDPOINT``,
``GAILAB_WORKSPACE`` and ``GAILAB_LAB_DIR`` (the lab's folder), so boto3 and the ``aws`` CLI reach the right cloud,
``gailab.labs.deploy.deploy_from_env`` deploys the lab's function and ``gailab.labs.quiz.answer_from_env`` answers
its questions into the workspace.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .manifest import Lab

SCRIPT_TIMEOUT = 180.0


class SolutionError(Exception):
    """A solution or setup command failed; the message ends with the tail of its output."""


def cloud_env(endpoint: str | None, workspace: Path | None = None, base: dict | None = None) -> dict[str, str]:
    """A local cloud's environment (none of the caller's AWS settings); with no endpoint (grading a real AWS
    profile) the caller's environment as it is."""
    if not endpoint:
        env = dict(os.environ if base is None else base)
        if workspace is not None:
            env["GAILAB_WORKSPACE"] = str(workspace)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env
    from gailab.simulator.client import local_env

    return local_env(endpoint, base, workspace=workspace)


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line for line in (text or "").strip().splitlines()[-lines:])


SOLVE_APP_ID = "gailab-solve"  # in the User-Agent of every call a reference solution makes (journaled)


def solve_app_id(lab_id: str) -> str:
    """The app id of a lab's reference solution: ``gailab-solve-<id>`` (it starts with SOLVE_APP_ID, which the
    regrade looks for; the lab's part lets a lab reset forget the solution's ledger records too)."""
    return f"{SOLVE_APP_ID}-{lab_id}"


def run_script(script: Path, endpoint: str | None, workspace: Path | None, timeout: float = SCRIPT_TIMEOUT,
               extra_env: dict[str, str] | None = None):
    script = Path(script)
    if script.suffix == ".py":
        cmd = [sys.executable, str(script)]
    elif script.suffix == ".sh":
        cmd = ["bash", str(script)]
    else:
        cmd = [str(script)]
    return _run(cmd, f"{script.name}", endpoint, workspace, timeout, shell=False, extra_env=extra_env)


def run_solution(lab: Lab, endpoint: str | None, workspace: Path | None, script: Path | None = None,
                 extra_env: dict[str, str] | None = None):
    """Run the lab's reference solution (or ``script``, e.g. a patched copy of it) with the lab's environment."""
    script = script or lab.solution_script
    if script is None:
        raise SolutionError(f"lab {lab.id} has no reference solution")
    return run_script(script, endpoint, workspace, extra_env={"GAILAB_LAB_DIR": str(lab.path), **(extra_env or {})})


def run_solutions(runs: list, endpoint: str | None, extra_env=None, timeout: float = SCRIPT_TIMEOUT * 2):
    """Several labs' solutions in order — ``runs`` holds ``(lab, workspace, script or None)`` — the Python ones in
    one interpreter (:mod:`gailab.labs.runscripts`): a prerequisite chain pays for starting Python and boto3
    once, not once per lab. ``extra_env`` is a mapping, or a function of the lab that gives one."""
    import json

    batch: list[dict] = []

    def flush() -> None:
        if not batch:
            return
        items = list(batch)
        batch.clear()
        try:
            _run([sys.executable, "-m", "gailab.labs.runscripts"], "the solutions", endpoint, None, timeout,
                 shell=False, stdin_text=json.dumps(items))
        except SolutionError as exc:
            failed = str(exc).split("gailab-runscripts: failed: ", 1)
            name = Path(failed[1].split(" | ", 1)[0].split(" exited", 1)[0]).name if len(failed) > 1 else "a solution"
            raise SolutionError(f"{name} failed: {exc}") from None

    for lab, workspace, script in runs:
        script = Path(script or lab.solution_script or "")
        if lab.solution_script is None and not script.name:
            raise SolutionError(f"lab {lab.id} has no reference solution")
        own_env = extra_env(lab) if callable(extra_env) else extra_env
        if script.suffix != ".py":
            flush()
            run_solution(lab, endpoint, workspace, script, own_env)
            continue
        if workspace is not None:
            Path(workspace).mkdir(parents=True, exist_ok=True)
        env = {"GAILAB_LAB_DIR": str(lab.path), **(own_env or {})}
        if workspace is not None:
            env["GAILAB_WORKSPACE"] = str(workspace)
        batch.append({"script": str(script), "cwd": str(workspace) if workspace else None, "env": env})
    flush()


def run_setup(command: str, endpoint: str | None, workspace: Path | None, timeout: float = SCRIPT_TIMEOUT,
              cwd: Path | None = None, tail_bytes: int = 8192, lab_dir: Path | None = None):
    """``gailab grade --setup CMD``: the learner's deploy command, run by bash (sh where there is no bash) in
    ``cwd`` with the cloud's environment, this Python's ``python``, ``aws`` and ``gailab`` first on PATH, and
    none of the caller's AWS settings (and ``GAILAB_LAB_DIR``, the graded lab's folder). Never raises: returns a :class:`~gailab.labs.report.SetupOutcome`."""
    import time

    from .report import SetupOutcome

    if workspace is not None:
        Path(workspace).mkdir(parents=True, exist_ok=True)
    bash = shutil.which("bash")
    argv = [bash, "--noprofile", "--norc", "-c", command] if bash else ["/bin/sh", "-c", command]
    env = cloud_env(endpoint, workspace)
    if lab_dir is not None:
        env["GAILAB_LAB_DIR"] = str(lab_dir)
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, env=env, cwd=cwd or workspace or None,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError as exc:
        return SetupOutcome(command, "not-started", None, (time.perf_counter() - started) * 1000, str(exc))
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read(65536), b"")),
                              daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout)
        status, note = ("ok" if code == 0 else "failed"), ""
    except subprocess.TimeoutExpired:
        code, status, note = None, "timeout", f"\n(stopped after {timeout:g} s)"
    try:  # whatever it left running in its group (a server started with &) ends with it, closing the pipe
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    reader.join(10)
    proc.stdout.close()
    output = _tail_text(b"".join(chunks).decode("utf-8", "replace") + note, tail_bytes)
    return SetupOutcome(command, status, code, (time.perf_counter() - started) * 1000, output)


def _tail_text(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return "…" + cut[cut.find("\n") + 1:] if "\n" in cut else "…" + cut


def _run(cmd, name: str, endpoint, workspace, timeout, shell: bool, cwd=None, extra_env=None,
         stdin_text: str | None = None):
    if workspace is not None:
        Path(workspace).mkdir(parents=True, exist_ok=True)
    cwd = cwd or workspace or None
    env = cloud_env(endpoint, workspace)
    env.update(extra_env or {})
    feed = {"input": stdin_text} if stdin_text is not None else {"stdin": subprocess.DEVNULL}
    try:
        done = subprocess.run(cmd, shell=shell, env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, **feed)
    except subprocess.TimeoutExpired:
        raise SolutionError(f"{name} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise SolutionError(f"{name} could not start: {exc}") from None
    if done.returncode != 0:
        raise SolutionError(f"{name} exited with code {done.returncode}: {_tail(done.stderr or done.stdout)}")
    return done


def prerequisite_chain(lab: Lab, extra_dirs=None) -> list[Lab]:
    """The prerequisites of ``lab``, deepest first, each once (the lab itself excluded)."""
    from .catalog import get_lab

    order: list[Lab] = []
    seen: set[str] = {lab.id}

    def visit(current: Lab, depth: int) -> None:
        if depth > 20:
            raise SolutionError(f"prerequisites of {lab.id} form a cycle")
        for pid in current.prerequisites:
            if pid in seen:
                continue
            seen.add(pid)
            prereq = get_lab(pid, extra_dirs)
            visit(prereq, depth + 1)
            order.append(prereq)

    visit(lab, 0)
    return order


def solve(lab: Lab, endpoint: str | None, workspace: Path | None, *, with_prerequisites: bool = False,
          home: Path | None = None, extra_dirs=None) -> list[str]:
    """Apply the reference solution (and, when asked, every prerequisite's first). Returns the labs solved."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="gailab-solve-") as tmp:
        if with_prerequisites:
            for prereq in prerequisite_chain(lab, extra_dirs):
                if home is not None:
                    from .workspace import workspace_for

                    runs.append((prereq, workspace_for(prereq, home), None))
                else:
                    runs.append((prereq, Path(tmp) / prereq.id, None))
        runs.append((lab, workspace, None))
        # Boto3 and the aws CLI add "app/gailab-solve-<lab>" to their User-Agent: the journal shows which changes
        # a reference solution made, so a regrade flags a submission that used Solve even without its events, and
        # the ledger knows each lab's solution calls (a lab reset forgets them).
        run_solutions(runs, endpoint, extra_env=lambda solved: {"AWS_SDK_UA_APP_ID": solve_app_id(solved.id)})
    return [done.id for done, _, _ in runs]


def reset_lab(lab: Lab, endpoint: str | None, workspace: Path | None, home: Path | None = None,
              lang: str | None = None) -> list[str]:
    """Delete the resources the manifest lists under ``[resources]``, forget the lab's ledger records and restore
    the starter workspace."""
    from .checks import Context
    from .workspace import reset_workspace

    ctx = Context(endpoint, workspace, timeout=30.0)
    removed: list[str] = []
    order = ("functions", "rest_apis", "alarms", "log_groups", "endpoints", "roles", "objects", "buckets",
             "kms_aliases")
    for kind in order:
        for name in lab.resources.get(kind, []):
            if _REMOVERS[kind](ctx, name):
                removed.append(f"{kind}:{name}")
    if endpoint:
        deleted = ctx.admin("/_gailab/bedrock/invocations/delete", method="POST", body=ledger_attribution(lab))
        if deleted.get("deleted"):
            removed.append(f"ledger:{deleted['deleted']} record(s)")
    if home is not None:
        reset_workspace(lab, home, lang)
    elif workspace is not None and lab.starter_dir is not None:
        from .starter import copy_starter
        from .text import env_lang

        shutil.rmtree(workspace, ignore_errors=True)
        copy_starter(lab.starter_dir, workspace, lang or env_lang())
    return removed


def ledger_attribution(lab: Lab) -> dict:
    """Which ledger records are the lab's: those its roles made (its functions run as them, and a role session's
    caller is ``…:assumed-role/<role>/…``) and those the learner's code made from its workspace (the app's Terminal
    tags them with the lab's User-Agent app id, :func:`gailab.simulator.client.lab_app_id`), and its reference
    solution's (:func:`solve_app_id`)."""
    from gailab.simulator.client import lab_app_id
    from gailab.simulator.core.home import ACCOUNT_ID

    roles = lab.resources.get("roles", [])  # the roles the lab owns (a shared function's role is its owner's)
    prefixes = sorted(p for role in roles for p in (f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/",
                                                     f"arn:aws:iam::{ACCOUNT_ID}:role/{role}"))
    return {"callerPrefixes": prefixes, "clients": [lab_app_id(lab.id), solve_app_id(lab.id)]}


def _quiet(fn) -> bool:
    from botocore.exceptions import ClientError

    try:
        fn()
        return True
    except ClientError:
        return False


def _empty_bucket(ctx, bucket: str, prefix: str | None = None, exact: str | None = None) -> None:
    s3 = ctx.client("s3")
    kwargs = {"Bucket": bucket, **({"Prefix": exact or prefix} if (exact or prefix) else {})}
    for page in s3.get_paginator("list_object_versions").paginate(**kwargs):
        items = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                 for v in page.get("Versions", []) + page.get("DeleteMarkers", []) if exact is None or v["Key"] == exact]
        if items:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": items, "Quiet": True})


def _remove_bucket(ctx, name: str) -> bool:
    return _quiet(lambda: (_empty_bucket(ctx, name), ctx.client("s3").delete_bucket(Bucket=name)))


def _remove_object(ctx, ref: str) -> bool:
    bucket, _, key = ref.partition("/")
    return _quiet(lambda: _empty_bucket(ctx, bucket, exact=key))


def _remove_alias(ctx, alias: str) -> bool:
    from .checks import kms

    target = kms.alias_target(ctx, alias)
    if target is None:
        return False
    client = ctx.client("kms")
    ok = _quiet(lambda: client.delete_alias(AliasName=alias))
    _quiet(lambda: client.schedule_key_deletion(KeyId=target, PendingWindowInDays=7))
    ctx.cache.pop("kms.aliases", None)
    return ok


def _remove_role(ctx, name: str) -> bool:
    iam = ctx.client("iam")

    def go():
        for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=p)
        iam.delete_role(RoleName=name)

    return _quiet(go)


def _remove_rest_api(ctx, name: str) -> bool:
    client = ctx.client("apigateway")
    ids = [a["id"] for a in client.get_rest_apis(limit=500).get("items", []) if a.get("name") == name]
    return any([_quiet(lambda i=i: client.delete_rest_api(restApiId=i)) for i in ids])


def _remove_endpoint(ctx, name: str) -> bool:
    client = ctx.client("sagemaker")
    ok = _quiet(lambda: client.delete_endpoint(EndpointName=name))
    _quiet(lambda: client.delete_endpoint_config(EndpointConfigName=name))
    return ok


_REMOVERS = {
    "buckets": _remove_bucket,
    "objects": _remove_object,
    "kms_aliases": _remove_alias,
    "roles": _remove_role,
    "functions": lambda ctx, n: _quiet(lambda: ctx.client("lambda").delete_function(FunctionName=n)),
    "rest_apis": _remove_rest_api,
    "alarms": lambda ctx, n: _quiet(lambda: ctx.client("cloudwatch").delete_alarms(AlarmNames=[n])),
    "log_groups": lambda ctx, n: _quiet(lambda: ctx.client("logs").delete_log_group(logGroupName=n)),
    "endpoints": _remove_endpoint,
}
