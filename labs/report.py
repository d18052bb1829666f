"""A grading report and its three renderings: a text table, JSON (schema ``labs/schemas/report-v1.json``) and JUnit.

The JSON schema is versioned (``schemaVersion``) and documented in ``docs/grading.md``; a field is only ever
added within a version. JUnit XML follows the de-facto schema CI systems read (one testcase per check; a failed
check carries ``<failure>``, a check that could not run carries ``<error>``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .text import T, norm_lang

REPORT_SCHEMA_VERSION = 1
STATUS_MARK = {"pass": "✔", "fail": "✘", "error": "!", "skipped": "–"}
LABELS = {
    "en": {"pass": "pass", "fail": "FAIL", "error": "ERROR", "skipped": "skip", "expected": "expected", "actual": "actual",
           "hint": "hint", "total": "Total", "passed": "PASSED", "failed": "NOT PASSED", "mark": "pass mark",
           "unreachable": "the cloud is unreachable: nothing was graded (exit 3)", "lab": "Lab",
           "learner": "learner", "errors": "checks could not run (not counted as wrong)",
           "setup": "Setup", "setup_ok": "ran", "setup_failed": "FAILED (exit 4): graded what it left",
           "setup_timeout": "did not finish in time (exit 4): graded what it left",
           "setup_not-started": "could not start (exit 4): graded what it left", "setup_code": "exit code"},
    "pt-BR": {"pass": "ok", "fail": "FALHOU", "error": "ERRO", "skipped": "pulada", "expected": "esperado", "actual": "atual",
              "hint": "dica", "total": "Total", "passed": "APROVADO", "failed": "NÃO APROVADO", "mark": "nota mínima",
              "unreachable": "a nuvem está inacessível: nada foi avaliado (saída 3)", "lab": "Lab",
              "learner": "aluno", "errors": "verificações não puderam rodar (não contam como erro do aluno)",
              "setup": "Preparação", "setup_ok": "executada",
              "setup_failed": "FALHOU (saída 4): foi avaliado o que ela deixou",
              "setup_timeout": "não terminou a tempo (saída 4): foi avaliado o que ela deixou",
              "setup_not-started": "não pôde iniciar (saída 4): foi avaliado o que ela deixou",
              "setup_code": "código de saída"},
}


_DECIMAL = re.compile(r"(?<![\w.:/-])(\d+)\.(\d+)(?![\w.:/-])")
_MARK = "\u0001"  # wraps a number written out inside JSON, so it loses its quotes after dumping


def _written(number: float) -> str:
    """Positional notation (0.0000985, not 9.85e-05): how a learner reads a cost."""
    if number != number or abs(number) >= 1e15:
        return repr(number)
    return f"{number:.10f}".rstrip("0").rstrip(".") or "0"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return f"{_MARK}{_written(value)}{_MARK}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def show(value: Any, lang: str = "en") -> str:
    """A compact, human form of an expected/actual value; in pt-BR with decimal commas (0,3), as the
    learner's language writes numbers. The JSON report keeps the data itself."""
    if value is None:
        return "—"
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = _written(value)
    else:
        text = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, default=str)
        text = re.sub(r'"\\u0001(.*?)\\u0001"', r"\1", text)
    if norm_lang(lang) == "pt-BR":  # 0.3 → 0,3; 10.000 (a thousand grouping) stays
        text = _DECIMAL.sub(lambda m: f"{m[1]},{m[2]}" if m[1] == "0" or len(m[2]) != 3 else m[0], text)
    return text


@dataclass
class CheckResult:
    check_id: str
    step_id: str
    status: str  # "pass" | "fail" | "error" | "skipped" (not evaluated: blocked_by failed first)
    points: int
    max_points: int
    _message: T
    expected: Any = None
    actual: Any = None
    _hint: T | None = None
    duration_ms: float = 0.0
    title: T | None = None
    error_kind: str | None = None  # "cloud" (unreachable, timeout) or "lab" (the check itself broke)
    blocked_by: str | None = None  # for "skipped": the earlier check to fix first

    def message(self, lang: str = "en") -> str:
        return self._message(lang)

    def hint(self, lang: str = "en") -> str:
        return self._hint(lang) if self._hint else ""

    def to_json(self, lang: str = "en") -> dict:
        return {
            "id": self.check_id,
            "step": self.step_id,
            "title": (self.title or T(self.check_id)).as_dict(),
            "status": self.status,
            "points": self.points,
            "maxPoints": self.max_points,
            "message": self.message(lang),
            "messages": self._message.as_dict(),
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "hint": self.hint(lang) or None,
            "hints": self._hint.as_dict() if self._hint else None,
            "durationMs": round(self.duration_ms, 3),
            "errorKind": self.error_kind,
            "blockedBy": self.blocked_by,
        }


@dataclass
class SetupOutcome:
    """What ``gailab grade --setup CMD`` did: its own outcome, never mistaken for a wrong configuration."""

    command: str
    status: str  # "ok" | "failed" (non-zero exit) | "timeout" | "not-started" (the shell could not run it)
    exit_code: int | None
    duration_ms: float
    output: str  # the tail of stdout and stderr, interleaved as a CI log shows them

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self) -> str:
        """One line (English: it lands in machine-read fields and on stderr of a CI log)."""
        if self.status == "ok":
            return f"the setup command ran ({self.duration_ms / 1000:.1f} s)"
        if self.status == "timeout":
            return "the setup command did not finish in time"
        if self.status == "not-started":
            return "the setup command could not start" + (f": {self.output.strip()}" if self.output.strip() else "")
        tail = " | ".join(self.output.strip().splitlines()[-3:])
        return f"the setup command exited with code {self.exit_code}" + (f": {tail}" if tail else "")

    def to_json(self) -> dict:
        return {"command": self.command, "status": self.status, "exitCode": self.exit_code,
                "durationMs": round(self.duration_ms, 3), "output": self.output}


@dataclass
class Report:
    lab_id: str
    lab_version: str
    learner: str
    started_at: datetime
    finished_at: datetime
    results: list[CheckResult]
    pass_mark: int
    cloud_reachable: bool = True
    endpoint: str | None = None
    lab_content_hash: str = ""
    lab_title: T | None = None
    grader_version: str = ""
    lang: str = "en"
    extra: dict = field(default_factory=dict)
    setup: SetupOutcome | None = None

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def maximum(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def setup_failed(self) -> bool:
        return self.setup is not None and not self.setup.ok

    @property
    def passed(self) -> bool:
        return (self.cloud_reachable and self.total >= self.pass_mark and not self.count("error")
                and not self.setup_failed)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def duration_ms(self) -> float:
        return (self.finished_at - self.started_at).total_seconds() * 1000

    @property
    def status(self) -> str:
        """passed | failed | error (some check could not run, or the setup failed: the score is not final)."""
        if self.passed:
            return "passed"
        return "error" if (not self.cloud_reachable or self.count("error") or self.setup_failed) else "failed"

    def exit_code(self) -> int:
        """design.md: 0 passed, 1 failed, 2 lab error (a check broke), 3 cloud unreachable / timed out,
        4 the ``--setup`` command failed (what it left was graded, but the outcome is the setup's)."""
        if not self.cloud_reachable:
            return 3
        if self.setup_failed:
            return 4
        if self.passed:
            return 0
        kinds = {r.error_kind for r in self.results if r.status == "error"}
        if "lab" in kinds:
            return 2
        if "cloud" in kinds:
            return 3
        return 1

    # -- JSON ------------------------------------------------------------------------------------------------
    def to_json(self, lang: str | None = None) -> dict:
        lang = norm_lang(lang or self.lang)
        return {
            "schemaVersion": REPORT_SCHEMA_VERSION,
            "lab": {"id": self.lab_id, "version": self.lab_version, "contentHash": self.lab_content_hash,
                    "title": (self.lab_title or T(self.lab_id)).as_dict()},
            "learner": self.learner,
            "endpoint": self.endpoint,
            "lang": lang,
            "graderVersion": self.grader_version,
            "startedAt": _iso(self.started_at),
            "finishedAt": _iso(self.finished_at),
            "durationMs": round(self.duration_ms, 3),
            "cloudReachable": self.cloud_reachable,
            "status": self.status,
            "passed": self.passed,
            "total": self.total,
            "maximum": self.maximum,
            "passMark": self.pass_mark,
            "counts": {s: self.count(s) for s in ("pass", "fail", "error", "skipped")},
            "checks": [r.to_json(lang) for r in self.results],
            **({"setup": self.setup.to_json()} if self.setup else {}),
            **({"setupError": self.setup.summary()} if self.setup_failed else {}),
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Report":
        """A report read back from its JSON (schema version 1), e.g. one stored by the grader or a class regrade."""
        results = [
            CheckResult(c["id"], c.get("step") or "", c["status"], int(c.get("points") or 0),
                        int(c.get("maxPoints") or 0), T.of(c.get("messages")) or T(c.get("message") or ""),
                        c.get("expected"), c.get("actual"), T.of(c.get("hints")) or T.of(c.get("hint")),
                        float(c.get("durationMs") or 0), T.of(c.get("title")), c.get("errorKind"),
                        c.get("blockedBy"))
            for c in data.get("checks", [])
        ]
        lab = data.get("lab") or {}
        known = set(cls.__dataclass_fields__) | {"schemaVersion", "lab", "learner", "endpoint", "lang", "graderVersion",
                                                 "startedAt", "finishedAt", "durationMs", "cloudReachable", "status",
                                                 "passed", "total", "maximum", "passMark", "counts", "checks",
                                                 "setupError"}
        setup = data.get("setup")
        return cls(
            lab_id=lab.get("id", ""), lab_version=lab.get("version", ""), learner=data.get("learner", ""),
            started_at=_parse_iso(data["startedAt"]), finished_at=_parse_iso(data["finishedAt"]), results=results,
            pass_mark=int(data.get("passMark") or 0), cloud_reachable=bool(data.get("cloudReachable", True)),
            endpoint=data.get("endpoint"), lab_content_hash=lab.get("contentHash", ""),
            lab_title=T.of(lab.get("title")),
            grader_version=data.get("graderVersion", ""), lang=data.get("lang", "en"),
            extra={k: v for k, v in data.items() if k not in known},
            setup=SetupOutcome(setup.get("command", ""), setup.get("status", "failed"), setup.get("exitCode"),
                               float(setup.get("durationMs") or 0), setup.get("output", ""))
            if isinstance(setup, dict) else None,
        )

    # -- JUnit -----------------------------------------------------------------------------------------------
    def to_junit(self, lang: str | None = None) -> str:
        lang = norm_lang(lang or self.lang)
        seconds = f"{self.duration_ms / 1000:.3f}"
        setup_cases = 1 if self.setup else 0
        counts = dict(tests=str(len(self.results) + setup_cases), failures=str(self.count("fail")),
                      errors=str(self.count("error") + (1 if self.setup_failed else 0)),
                      skipped=str(self.count("skipped")), time=seconds)
        suites = ET.Element("testsuites", name="gailab", **counts)
        suite = ET.SubElement(suites, "testsuite", name=self.lab_id, timestamp=_iso(self.started_at),
                              hostname="gailab", **counts)
        props = ET.SubElement(suite, "properties")
        for name, value in (("lab.version", self.lab_version), ("lab.contentHash", self.lab_content_hash),
                            ("learner", self.learner), ("endpoint", self.endpoint or ""),
                            ("score", f"{self.total}/{self.maximum}"), ("passMark", str(self.pass_mark)),
                            ("passed", str(self.passed).lower()), ("cloudReachable", str(self.cloud_reachable).lower())):
            ET.SubElement(props, "property", name=name, value=value)
        if self.setup:  # the setup is a testcase of its own: an error (not a failure) when it did not succeed
            case = ET.SubElement(suite, "testcase", classname=f"{self.lab_id}.setup", name="setup",
                                 time=f"{self.setup.duration_ms / 1000:.3f}")
            if self.setup_failed:
                el = ET.SubElement(case, "error", message=self.setup.summary(), type=f"SetupFailed.{self.setup.status}")
                el.text = f"$ {self.setup.command}\n{self.setup.output}"
            out = ET.SubElement(case, "system-out")
            out.text = self.setup.output
        for r in self.results:
            case = ET.SubElement(suite, "testcase", classname=f"{self.lab_id}.{r.step_id}", name=r.check_id,
                                 time=f"{r.duration_ms / 1000:.3f}")
            if r.status == "pass":
                continue
            if r.status == "skipped":
                ET.SubElement(case, "skipped", message=r.message(lang))
                continue
            body = [r.message(lang)]
            if r.status == "fail":
                body += [f"{LABELS[lang]['expected']}: {show(r.expected, lang)}",
                         f"{LABELS[lang]['actual']}: {show(r.actual, lang)}"]
                if r.hint(lang):
                    body.append(f"{LABELS[lang]['hint']}: {r.hint(lang)}")
            tag, kind = ("failure", "WrongConfiguration") if r.status == "fail" else ("error", f"CheckError.{r.error_kind}")
            el = ET.SubElement(case, tag, message=r.message(lang), type=kind)
            el.text = "\n".join(body)
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

    # -- text ------------------------------------------------------------------------------------------------
    def to_text(self, lang: str | None = None) -> str:
        lang = norm_lang(lang or self.lang)
        L = LABELS[lang]
        title = self.lab_title(lang) if self.lab_title else self.lab_id
        lines = [f"{L['lab']} {self.lab_id} {self.lab_version} — {title}  ({L['learner']}: {self.learner})"]
        if not self.cloud_reachable:
            lines.append(f"! {L['unreachable']} [{self.endpoint}]")
        if self.setup:
            mark = "✔" if self.setup.ok else "!"
            lines.append(f"{mark} {L['setup']}: {self.setup.command} — {L['setup_' + self.setup.status]}")
            if not self.setup.ok:
                lines.extend(f"{'':9}{line}" for line in self.setup.output.strip().splitlines()[-8:])
        width = max([len(r.check_id) for r in self.results] + [5])
        pts = max([len(f"{r.points}/{r.max_points}") for r in self.results] + [3])
        for r in self.results:
            label = L[r.status]
            lines.append(f"{STATUS_MARK[r.status]} {label:<6} {r.check_id:<{width}}  "
                         f"{f'{r.points}/{r.max_points}':>{pts}}  {r.message(lang)}")
            if r.status == "fail":
                lines.append(f"{'':9}{L['expected']}: {show(r.expected, lang)}")
                lines.append(f"{'':9}{L['actual']}: {show(r.actual, lang)}")
                if r.hint(lang):
                    lines.append(f"{'':9}{L['hint']}: {r.hint(lang)}")
            elif r.status == "error" and r.hint(lang) and self.cloud_reachable:
                lines.append(f"{'':9}{L['hint']}: {r.hint(lang)}")
        if not self.cloud_reachable and self.results and self.results[0].hint(lang):
            lines.append(f"  {L['hint']}: {self.results[0].hint(lang)}")
        verdict = L["passed"] if self.passed else L["failed"]
        lines.append(f"{L['total']}: {self.total}/{self.maximum} ({L['mark']} {self.pass_mark}) — {verdict}"
                     f"  [{self.duration_ms:.0f} ms]")
        if self.count("error") and self.cloud_reachable:
            lines.append(f"! {self.count('error')} {L['errors']}")
        return "\n".join(lines) + "\n"


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return show(value)


def validate_junit(xml_text: str) -> list[str]:
    """Problems with a JUnit document against the schema CI tools read (Jenkins' junit XSD); [] when valid."""
    problems = []
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "testsuites":
        return [f"root element is <{root.tag}>, expected <testsuites>"]
    for attr, tag in (("tests", "testcase"), ("failures", "testcase/failure"), ("errors", "testcase/error")):
        n = len(root.findall(f"testsuite/{tag}"))
        if root.get(attr, "").isdigit() and int(root.get(attr)) != n:
            problems.append(f"<testsuites {attr}={root.get(attr)}> but {n} found")
    for suite in root:
        if suite.tag != "testsuite":
            problems.append(f"<testsuites> contains <{suite.tag}>")
            continue
        for attr in ("name", "tests", "failures", "errors", "time"):
            if attr not in suite.attrib:
                problems.append(f"<testsuite> lacks {attr}")
        cases = suite.findall("testcase")
        tallies = {"tests": len(cases), "failures": sum(1 for c in cases if c.find("failure") is not None),
                   "errors": sum(1 for c in cases if c.find("error") is not None),
                   "skipped": sum(1 for c in cases if c.find("skipped") is not None)}
        for attr, n in tallies.items():
            if suite.get(attr, "").isdigit() and int(suite.get(attr)) != n:
                problems.append(f"<testsuite {attr}={suite.get(attr)}> but {n} found")
        for child in suite:
            if child.tag not in ("properties", "testcase", "system-out", "system-err"):
                problems.append(f"<testsuite> contains <{child.tag}>")
        for case in cases:
            for attr in ("name", "classname"):
                if not case.get(attr):
                    problems.append(f"<testcase> lacks {attr}")
            try:
                float(case.get("time", "0"))
            except ValueError:
                problems.append(f"<testcase name={case.get('name')}> time is not a number")
            outcomes = [c for c in case if c.tag in ("failure", "error", "skipped")]
            if len(outcomes) > 1:
                problems.append(f"<testcase name={case.get('name')}> has {len(outcomes)} outcomes")
            for c in outcomes:
                if c.tag != "skipped" and "message" not in c.attrib:
                    problems.append(f"<{c.tag}> in {case.get('name')} lacks message")
    return problems
