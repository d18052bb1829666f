"""Regrade one submission: rebuild the learner's cloud from its journal in a fresh home, then grade it.

Run as ``python -m gailab.labs.classroom.worker [--labs-dir DIR]…``: one JSON request per stdin line
(``{"job": n, "path": FILE, "lab": ID, "labContentHash": H}``), one JSON answer per stdout line (``{"job": n,
"outcome": {...}}``). moto keeps one state per process, so each regrade worker is its own process; it serves one
submission at a time, each on a new cloud. Stray prints go to stderr: stdout carries only answers. The worker
ignores Ctrl-C (the grader that started it decides when to stop it) and ends when its stdin closes.

Nothing the submission says is trusted: its report is ignored, its journal is parsed line by line (bad lines are
reported with their numbers and left out) and replayed from the first record into a cloud that never saw anything
else, and the lab is graded with the instructor's definition and the submission's workspace files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

_RECORD_SEQ = re.compile(r"^journal record (\d+)")


def _headers(record: dict) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in record.get("headers", [])}


def solve_fingerprints(records: list[dict], lines: list[int]) -> list[int]:
    """Journal lines written by a reference solution (``gailab lab solve`` or the app's Solve): their calls carry
    ``app/gailab-solve`` in the User-Agent."""
    from ..solutions import SOLVE_APP_ID

    mark = "app/" + SOLVE_APP_ID
    return [line for record, line in zip(records, lines)
            if record.get("kind") == "http" and mark in _headers(record).get("user-agent", "")]


class _Rebuilt:
    """A local cloud rebuilt from some journal records in a new home under ``scratch`` (stopped and deleted by
    :meth:`close`); moto keeps one state per process, so only one is open at a time."""

    def __init__(self, scratch: Path | None, records: list[dict]):
        from gailab.simulator.core.journal import import_records
        from gailab.simulator.core.server import Cloud

        self.home = Path(tempfile.mkdtemp(prefix="home-", dir=scratch or scratch_root()))
        self.cloud = None
        try:
            import_records(self.home / "cloud", records)
            self.cloud = Cloud(self.home, port=0, fsync=False, checkpoints=False).start()  # records only, never a checkpoint
        except BaseException:
            self.close()
            raise

    def bedrock(self):
        from gailab.simulator.bedrock.state import of

        return of(self.cloud)

    def close(self) -> None:
        if self.cloud is not None:
            self.cloud.stop()
            self.cloud = None
        shutil.rmtree(self.home, ignore_errors=True)


def _verified_cloud(scratch, records: list[dict], verdicts: list[dict]) -> _Rebuilt:
    """The cloud rebuilt from ``records`` minus every forged ledger record, the deferred verdicts settled."""
    from . import ledgercheck

    def without_forged() -> list[dict]:
        forged = {v["seq"] for v in verdicts if v["verdict"] == ledgercheck.FORGED}
        return [r for r in records if r["seq"] not in forged]

    rebuilt = _Rebuilt(scratch, without_forged())
    if not any(v["verdict"] == ledgercheck.DEFERRED for v in verdicts):
        return rebuilt
    try:
        suspects = ledgercheck.settle(verdicts, records, rebuilt.bedrock())
    except BaseException:
        rebuilt.close()
        raise
    if not suspects:
        return rebuilt
    rebuilt.close()
    by_seq = {r["seq"]: r for r in records}
    for verdict in suspects:  # judged against the cloud as it was just before the call
        before = [r for r in without_forged() if r["seq"] < verdict["seq"]]
        earlier = _Rebuilt(scratch, before)
        try:
            ledgercheck.settle_before(verdict, by_seq[verdict["seq"]], earlier.bedrock())
        finally:
            earlier.close()
    return _Rebuilt(scratch, without_forged())


def regrade_one(data: bytes, lab, *, timeout: float = 10.0, scratch: Path | None = None) -> dict:
    """The outcome of regrading one submission's bytes against ``lab`` (the class's definition), as a dict of
    :class:`~gailab.labs.classroom.classstore.Outcome` fields."""
    from gailab.simulator.core.journal import parse_lines

    from .. import submission as fmt
    from ..grader import grade
    from . import ledgercheck

    try:
        sub = fmt.read(data)
    except fmt.SubmissionError as exc:
        return _invalid(lab, f"the submission cannot be read: {exc}")
    if sub.lab_id != lab.id:
        return _invalid(lab, f"the submission is for lab {sub.lab_id}, not {lab.id}")
    parsed = parse_lines(sub.journal)
    problems = [{"line": line, "problem": text} for line, text in parsed.problems]
    notes = []
    if sub.lab_content_hash != lab.content_hash():
        notes.append(f"the learner worked on lab version {sub.lab_version} ({sub.lab_content_hash[:19]}…); graded "
                     f"with the class's version {lab.version}")
    workspace = Path(tempfile.mkdtemp(prefix="workspace-", dir=scratch or scratch_root()))
    try:
        sub.extract_workspace(workspace)
        started = time.perf_counter()
        verdicts = ledgercheck.check(parsed.records, parsed.lines)
        rebuilt = _verified_cloud(scratch, parsed.records, verdicts)
        replayed = time.perf_counter()
        assert rebuilt.cloud is not None  # open until close()
        try:
            report = grade(lab, endpoint=rebuilt.cloud.endpoint, workspace=workspace, learner=sub.learner,
                           timeout=timeout)
            warnings = list(rebuilt.cloud.warnings)
        finally:
            rebuilt.close()
        graded = time.perf_counter()
    except Exception as exc:  # a submission that breaks replay is that submission's problem, reported
        return _invalid(lab, f"the cloud could not be rebuilt: {type(exc).__name__}: {exc}", problems)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    replay_warnings = []
    for warning in warnings:
        match = _RECORD_SEQ.match(warning)
        line = parsed.line_of(int(match.group(1))) if match else None
        replay_warnings.append({"line": line, "warning": warning})
    forged = [v for v in verdicts if v["verdict"] == ledgercheck.FORGED]
    solve_lines = solve_fingerprints(parsed.records, parsed.lines)
    report_json = report.to_json()
    report_json["regrade"] = {"submission": sub.content_hash, "journalRecords": len(parsed.records),
                              "journalProblems": problems, "replayWarnings": replay_warnings,
                              "ledger": verdicts, "solveLines": solve_lines, "notes": notes}
    return {
        "status": report.status, "total": report.total, "maximum": report.maximum, "pass_mark": report.pass_mark,
        "passed": report.passed, "report": report_json,
        "detail": {"journalProblems": problems, "replayWarnings": replay_warnings, "forged": forged,
                   "unverifiable": [v for v in verdicts if v["verdict"] == ledgercheck.UNVERIFIABLE],
                   "ledgerChecked": len(verdicts), "solveLines": solve_lines, "solveEvents": sub.count("solve"),
                   "notes": notes},
        "solve_detected": bool(solve_lines) or sub.count("solve") > 0,
        "forged_records": len(forged), "journal_problems": len(problems),
        "replay_ms": round((replayed - started) * 1000), "grade_ms": round((graded - replayed) * 1000),
        "lab_content_hash": lab.content_hash(),
    }


def scratch_root() -> str | None:
    """Where regrades' throwaway homes go: memory (/dev/shm) when the system has it, so replaying a journal and
    deleting the home cost no disk writes; else the temporary folder."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _invalid(lab, why: str, problems: list | None = None) -> dict:
    return {"status": "invalid", "total": 0, "maximum": lab.max_points, "pass_mark": lab.pass_mark, "passed": False,
            "report": {}, "detail": {"error": why, "journalProblems": problems or []},
            "journal_problems": len(problems or []), "lab_content_hash": lab.content_hash()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gailab-regrade-worker")
    parser.add_argument("--labs-dir", action="append", type=Path, default=[])
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--scratch", type=Path, help="a folder for the throwaway homes (its owner deletes it)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr
    sys.stdout = sys.stderr
    import logging

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    from ..catalog import get_lab

    labs: dict = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            lab = labs.get(job["lab"]) or labs.setdefault(job["lab"], get_lab(job["lab"], args.labs_dir))
            if lab.content_hash() != job["labContentHash"]:
                raise RuntimeError(f"lab {lab.id} changed on disk while regrading ({lab.content_hash()[:19]}…)")
            outcome = regrade_one(Path(job["path"]).read_bytes(), lab, timeout=args.timeout, scratch=args.scratch)
        except Exception as exc:
            outcome = {"status": "error", "detail": {"error": f"{type(exc).__name__}: {exc}"}}
        answers.write(json.dumps({"job": job["job"], "outcome": outcome}, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
