"""The grader: run a lab's checks against an endpoint and explain every result.

A check that cannot run (cloud unreachable, timeout, a service the endpoint lacks) is an ``error``, never a
``fail``: PrairieLearn's "not gradable" and Exercism's ``error`` status. The grader never raises for a cloud problem.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from . import quiz
from .learner import default_learner  # noqa: F401  (part of the grader's API)
from .checks import CheckError, Context, Fail, Pass
from .manifest import Lab
from .report import CheckResult, Report
from .text import T

DEFAULT_TIMEOUT = 10.0


@functools.lru_cache(maxsize=1)
def grader_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("gailab")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def reachable(endpoint: str | None, timeout: float = 3.0) -> bool:
    """True when something answers HTTP at the endpoint (any status: LocalStack and AWS answer 4xx here)."""
    from gailab.simulator.client import reachable as answers

    return answers(endpoint, timeout)


_CLOUD_ERRORS: tuple = ()


def _cloud_errors() -> tuple:
    global _CLOUD_ERRORS
    if not _CLOUD_ERRORS:
        from botocore.exceptions import (ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError,
                                         NoCredentialsError, ReadTimeoutError)
        from urllib3.exceptions import HTTPError as Urllib3Error

        _CLOUD_ERRORS = (EndpointConnectionError, ConnectionClosedError, ConnectTimeoutError, ReadTimeoutError,
                         NoCredentialsError, Urllib3Error, ConnectionError, TimeoutError)
    return _CLOUD_ERRORS


class _Running:
    """A check running in a daemon thread (a check stuck past its timeout never blocks the grader's exit)."""

    def __init__(self, fn, ctx: Context):
        self.box: list = []
        self.started = time.perf_counter()
        self.ended: float | None = None
        self.thread = threading.Thread(target=self._target, args=(fn, ctx), name="gailab-check", daemon=True)
        self.thread.start()

    def _target(self, fn, ctx) -> None:
        try:
            self.box.append(("ok", fn(ctx)))
        except BaseException as exc:  # reported, never propagated
            self.box.append(("raised", exc))
        self.ended = time.perf_counter()

    def outcome(self, deadline: float):
        """('ok', value) | ('raised', exc) | ('timeout', None), waiting at most until ``deadline``."""
        self.thread.join(max(0.0, deadline - time.perf_counter()))
        return self.box[0] if self.box else ("timeout", None)

    def elapsed_ms(self) -> float:
        return ((self.ended or time.perf_counter()) - self.started) * 1000


def run_check(lab: Lab, step, spec, fn, ctx: Context, timeout: float, running: "_Running | None" = None) -> CheckResult:
    """Run (or collect, when ``running`` was started earlier) one check and turn its outcome into a CheckResult."""
    started = time.perf_counter()
    limit = spec.timeout or timeout

    def result(status, message: T, expected=None, actual=None, hint=None, kind=None, points=0):
        duration = running.elapsed_ms() if running else (time.perf_counter() - started) * 1000
        return CheckResult(spec.id, step.id, status, points, spec.points, message, expected, actual, hint,
                           duration, spec._title, kind)

    if spec.question is not None:
        state, value = "ok", quiz.grade_question(lab, spec.question, ctx.workspace)
    elif fn is None:
        return result("error", T(f"the lab defines no function for check {spec.id!r}",
                                 f"o lab não define a função da verificação {spec.id!r}"), kind="lab")
    else:
        running = running or _Running(fn, ctx)
        state, value = running.outcome(running.started + limit)
    if state == "timeout":
        return result("error", T(f"the check did not finish within {limit:g} s", f"a verificação não terminou em "
                                 f"{limit:g} s"), kind="cloud")
    if state == "raised":
        if isinstance(value, CheckError):
            return result("error", value.text, kind="cloud")
        if isinstance(value, _cloud_errors()):
            return result("error", T(f"the cloud did not answer: {value}", f"a nuvem não respondeu: {value}"),
                          kind="cloud")
        if hasattr(value, "response") and "Error" in getattr(value, "response", {}):  # a botocore ClientError
            err = value.response["Error"]
            return result("error", T(f"the check could not read the configuration: {err.get('Code')}: "
                                     f"{err.get('Message')}", f"a verificação não conseguiu ler a configuração: "
                                     f"{err.get('Code')}: {err.get('Message')}"), kind="cloud")
        return result("error", T(f"the check itself failed: {type(value).__name__}: {value}",
                                 f"a própria verificação falhou: {type(value).__name__}: {value}"), kind="lab")
    if isinstance(value, Pass):
        return result("pass", value.message or spec._title, actual=value.actual, points=spec.points)
    if isinstance(value, Fail):
        if spec.hidden:
            return result("fail", T("a hidden check does not pass", "uma verificação oculta não passou"))
        return result("fail", value.message, value.expected, value.actual, value.hint or spec._hint)
    return result("error", T(f"the check returned {type(value).__name__}, not Pass or Fail",
                             f"a verificação devolveu {type(value).__name__}, não Pass nem Fail"), kind="lab")


def _not_evaluated(step, spec, blocker: CheckResult) -> CheckResult:
    """A check that cannot be judged while an earlier one it depends on does not pass: shown as not evaluated,
    pointing at the check to fix first, instead of failing a second time for the same cause."""
    title = blocker.title or T(blocker.check_id)
    message = T(f"not evaluated: first fix '{title('en')}' ({blocker.check_id})",
                f"não avaliada: corrija antes '{title('pt-BR')}' ({blocker.check_id})")
    return CheckResult(spec.id, step.id, "skipped", 0, spec.points, message, title=spec._title,
                       blocked_by=blocker.check_id)


def grade(
    lab: Lab,
    *,
    endpoint: str | None,
    workspace: Path | None = None,
    learner: str | None = None,
    lang: str = "en",
    timeout: float = DEFAULT_TIMEOUT,
    profile: str | None = None,
    parallel: bool = False,
) -> Report:
    """Grade ``lab`` against ``endpoint`` (None: the SDK's defaults, e.g. a real AWS profile)."""
    started = datetime.now(timezone.utc)
    endpoint = endpoint.rstrip("/") if endpoint else endpoint
    functions = lab.check_functions()  # a broken checks.py is a lab error: it raises LabDefinitionError
    ctx = Context(endpoint, Path(workspace) if workspace else None, lang, timeout, profile)
    is_up = reachable(endpoint, min(timeout, 3.0))
    results: list[CheckResult] = []
    # Checks only read, so parallel=True may run them side by side; measured on the local cloud it is no faster
    # (bench/bench_grader.py: the cloud's Python does the work), so the default is one after the other.
    running = {}
    if is_up and parallel:
        running = {spec.id: _Running(functions[spec.id], ctx) for _, spec in lab.all_checks()
                   if spec.question is None and spec.id in functions}
    by_id: dict[str, CheckResult] = {}
    for step, spec in lab.all_checks():
        blocker = next((by_id[d] for d in spec.depends_on if d in by_id and by_id[d].status != "pass"), None)
        if blocker is not None and is_up:  # an unreachable cloud makes every check an error, dependents too
            results.append(_not_evaluated(step, spec, blocker))
            by_id[spec.id] = results[-1]
            continue
        if not is_up:
            results.append(CheckResult(spec.id, step.id, "error", 0, spec.points,
                                       T(f"the cloud at {endpoint} is unreachable", f"a nuvem em {endpoint} está "
                                         "inacessível"), _hint=T("Start it with 'gailab serve' or pass --endpoint.",
                                                                 "Inicie com 'gailab serve' ou use --endpoint."),
                                       title=spec._title, error_kind="cloud"))
            by_id[spec.id] = results[-1]
            continue
        res = run_check(lab, step, spec, functions.get(spec.id), ctx, timeout, running.get(spec.id))
        results.append(res)
        by_id[spec.id] = res
        if res.status == "error" and res.error_kind == "cloud" and not reachable(endpoint, 1.0):
            is_up = False  # the cloud went away mid-run: the remaining checks cannot run either
    return Report(
        lab_id=lab.id,
        lab_version=lab.version,
        learner=learner or default_learner(),
        started_at=started,
        finished_at=datetime.now(timezone.utc),
        results=results,
        pass_mark=lab.pass_mark,
        cloud_reachable=is_up or any(r.status != "error" for r in results),
        endpoint=endpoint,
        lab_content_hash=lab.content_hash(),
        lab_title=lab._title,
        grader_version=grader_version(),
        lang=lang,
    )
