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


def regrade_one(data: bytes, lab, *, timeout: float = 10.0, scratch: Path | None = None) -> dict:
    """The outcome of regrading one submission's bytes against ``lab`` (the class's definition), as a dict of
    :class:`~gailab.labs.classroom.classstore.Outcome` fields."""
    from gailab.simulator.core.journal import import_records, parse_lines
    from gailab.simulator.core.server import Cloud

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
    verdicts = ledgercheck.check(parsed.records, parsed.lines)
    forged_seqs = {v["seq"] for v in verdicts if v["verdict"] == "forged"}
    records = [r for r in parsed.records if r["seq"] not in forged_seqs]
    notes = []
    if sub.lab_content_hash != lab.content_hash():
        notes.append(f"the learner worked on lab version {sub.lab_version} ({sub.lab_content_hash[:19]}…); graded "
                     f"with the class's version {lab.version}")
    home = Path(tempfile.mkdtemp(prefix="home-", dir=scratch or scratch_root()))
    try:
        import_records(home / "cloud", records)
        workspace = sub.extract_workspace(home / "workspace")
        started = time.perf_counter()
        cloud = Cloud(home, port=0, fsync=False).start()
        replayed = time.perf_counter()
        try:
            report = grade(lab, endpoint=cloud.endpoint, workspace=workspace, learner=sub.learner, timeout=timeout)
            warnings = list(cloud.warnings)
        finally:
            cloud.stop()
        graded = time.perf_counter()
    except Exception as exc:  # a submission that breaks replay is that submission's problem, reported
        return _invalid(lab, f"the cloud could not be rebuilt: {type(exc).__name__}: {exc}", problems)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    replay_warnings = []
    for warning in warnings:
        match = _RECORD_SEQ.match(warning)
        line = parsed.line_of(int(match.group(1))) if match else None
        replay_warnings.append({"line": line, "warning": warning})
    solve_lines = solve_fingerprints(parsed.records, parsed.lines)
    report_json = report.to_json()
    report_json["regrade"] = {"submission": sub.content_hash, "journalRecords": len(parsed.records),
                              "journalProblems": problems, "replayWarnings": replay_warnings,
                              "ledger": verdicts, "solveLines": solve_lines, "notes": notes}
    return {
        "status": report.status, "total": report.total, "maximum": report.maximum, "pass_mark": report.pass_mark,
        "passed": report.passed, "report": report_json,
        "detail": {"journalProblems": problems, "replayWarnings": replay_warnings,
                   "forged": [v for v in verdicts if v["verdict"] == "forged"],
                   "ledgerChecked": len(verdicts), "solveLines": solve_lines, "solveEvents": sub.count("solve"),
                   "notes": notes},
        "solve_detected": bool(solve_lines) or sub.count("solve") > 0,
        "forged_records": len(forged_seqs), "journal_problems": len(problems),
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
