"""The class gradebook and statistics, from regrade results only (a learner's own report never counts).

Per roster learner and class lab: the best and the latest regraded score, whether they were late, whether a
reference solution was used, whether forged ledger records were found, and the regrade status. ``stats`` says
where the class is stuck: per lab the pass rate, the score distribution, and the checks that fail most with their
most common "actual" values.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from ..safetext import csv_text, terminal_text
from .classstore import ClassStore
from .models import ResultRow, SubmissionRow

ROW_FIELDS = ["learner", "name", "email", "lab", "submissions", "best_score", "maximum", "best_passed", "best_late",
              "latest_score", "latest_passed", "latest_late", "latest_submitted_at", "due", "solve_used",
              "forged_records", "status"]


@dataclass
class Graded:
    submission: SubmissionRow
    result: ResultRow | None  # its latest regrade, if any


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


def graded_submissions(store: ClassStore) -> list[Graded]:
    latest: dict[int, ResultRow] = {}
    for result in store.results():
        latest[result.submission_id] = result  # ids grow: the last one wins
    return [Graded(sub, latest.get(sub.id)) for sub in store.submissions()]


def rows(store: ClassStore) -> list[dict]:
    """One row per roster learner and class lab, learners in id order, labs in class order."""
    labs = store.labs()
    roster = store.roster()
    by_pair: dict[tuple[str, str], list[Graded]] = {}
    for graded in graded_submissions(store):
        by_pair.setdefault((graded.submission.learner_id, graded.submission.lab_id), []).append(graded)
    out = []
    for learner_id in sorted(roster):
        entry = roster[learner_id]
        for lab in labs:
            subs = sorted(by_pair.get((learner_id, lab.lab_id), []),
                          key=lambda g: (g.submission.created_at, g.submission.id))
            row = {"learner": learner_id, "name": entry.name, "email": entry.email, "lab": lab.lab_id,
                   "submissions": len(subs), "best_score": None, "maximum": None, "best_passed": None,
                   "best_late": None, "latest_score": None, "latest_passed": None, "latest_late": None,
                   "latest_submitted_at": "", "due": _iso(lab.due), "solve_used": False, "forged_records": 0,
                   "status": "not submitted"}
            if subs:
                row.update(_summarise(subs, lab.due))
            out.append(row)
    return out


def _late(sub: SubmissionRow, due: datetime | None) -> bool:
    return due is not None and sub.created_at > due


def _summarise(subs: list[Graded], due: datetime | None) -> dict:
    latest = subs[-1]
    # A regrade that could not run (error) or a file that could not be replayed (invalid) is no score, never a 0.
    scored = [g for g in subs if g.result is not None and g.result.status not in ("invalid", "error")]
    row = {"latest_submitted_at": _iso(latest.submission.created_at), "latest_late": _late(latest.submission, due),
           "solve_used": any(g.submission.solve_events or (g.result and g.result.solve_detected) for g in subs),
           "forged_records": sum(g.result.forged_records for g in subs if g.result)}
    if latest.result is not None and latest.result.status not in ("invalid", "error"):
        row.update(latest_score=latest.result.total, latest_passed=latest.result.passed,
                   maximum=latest.result.maximum)
    if scored:
        # Ties go to a submission on time, then to the later one.
        best = max(scored, key=lambda g: (g.result.total, g.result.passed, not _late(g.submission, due),
                                          g.submission.id))
        row.update(best_score=best.result.total, best_passed=best.result.passed, best_late=_late(best.submission, due),
                   maximum=best.result.maximum)
    if latest.result is None:
        row["status"] = "pending"
    elif row["forged_records"]:
        row["status"] = "forged ledger"
    elif latest.result.status in ("error", "invalid"):
        row["status"] = latest.result.status
    else:
        row["status"] = "graded"
    return row


def to_csv(data: list[dict]) -> str:
    return csv_text(ROW_FIELDS, data)


def to_lms_csv(store: ClassStore, data: list[dict]) -> str:
    """One row per learner, one column per lab with the best score (empty: nothing graded): the layout LMS grade
    imports map by id or e-mail (e.g. Moodle's "Import grades from CSV")."""
    labs = store.labs()
    maxima = {lab.lab_id: next((r["maximum"] for r in data if r["lab"] == lab.lab_id and r["maximum"]), None)
              for lab in labs}
    header = ["id", "name", "email"] + [f"{lab.lab_id} ({maxima[lab.lab_id] or '?'})" for lab in labs]
    learners: dict[str, list] = {}
    for r in data:
        line = learners.setdefault(r["learner"], [r["learner"], r["name"], r["email"]])
        line.append("" if r["best_score"] is None else r["best_score"])
    return csv_text(header, learners.values())


def to_text(data: list[dict]) -> str:
    if not data:
        return "no learners in the roster\n"
    width = max(len(terminal_text(r["learner"])) for r in data)
    lab_width = max(len(r["lab"]) for r in data)
    lines = []
    for r in data:
        score = "—" if r["best_score"] is None else f"{r['best_score']}/{r['maximum']}"
        marks = [m for m, on in (("passed", r["best_passed"]), ("late", r["best_late"]),
                                 ("solve used", r["solve_used"]),
                                 (f"{r['forged_records']} forged", r["forged_records"])) if on]
        lines.append(f"{terminal_text(r['learner']):<{width}}  {r['lab']:<{lab_width}}  {score:>7}  "
                     f"{r['status']:<13} {', '.join(marks)}".rstrip())
    return "\n".join(lines) + "\n"


def stats(store: ClassStore, lab_filter: str | None = None, top: int = 5) -> list[dict]:
    """Per class lab: learners, submissions, pass rate (of learners who submitted), the distribution of best scores
    in tenths of the maximum, and the most failed checks of the learners' latest results with their most common
    actual values."""
    data = rows(store)
    graded = graded_submissions(store)
    latest_by_pair: dict[tuple[str, str], Graded] = {}
    for g in sorted(graded, key=lambda g: (g.submission.created_at, g.submission.id)):
        if g.result is not None:
            latest_by_pair[(g.submission.learner_id, g.submission.lab_id)] = g
    checks = store.checks_of([g.result.id for g in latest_by_pair.values()])
    out = []
    for lab in store.labs():
        if lab_filter and lab.lab_id != lab_filter:
            continue
        lab_rows = [r for r in data if r["lab"] == lab.lab_id]
        scored = [r for r in lab_rows if r["best_score"] is not None]
        maximum = next((r["maximum"] for r in scored if r["maximum"]), 0)
        buckets = [0] * 10
        for r in scored:
            share = r["best_score"] / maximum if maximum else 0
            buckets[min(9, int(share * 10))] += 1
        failing: dict[str, Counter] = {}
        titles: dict[str, dict] = {}
        for (learner, lab_id), g in latest_by_pair.items():
            if lab_id != lab.lab_id:
                continue
            for check in checks.get(g.result.id, []):
                if check.status == "fail":
                    failing.setdefault(check.check_id, Counter())[check.actual or "null"] += 1
            for c in json.loads(g.result.report_json or "{}").get("checks", []):
                titles.setdefault(c.get("id"), c.get("title") or {})
        most = sorted(failing.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:top]
        out.append({
            "lab": lab.lab_id,
            "learners": len(lab_rows),
            "submitted": sum(1 for r in lab_rows if r["submissions"]),
            "submissions": sum(r["submissions"] for r in lab_rows),
            "graded": len(scored),
            "passed": sum(1 for r in scored if r["best_passed"]),
            "passRate": round(sum(1 for r in scored if r["best_passed"]) / len(scored), 3) if scored else None,
            "maximum": maximum,
            "distribution": [{"from": i * 10, "to": 100 if i == 9 else i * 10 + 9, "learners": n}
                             for i, n in enumerate(buckets)],
            "mostFailed": [{"check": check_id, "title": titles.get(check_id, {}), "failures": sum(counter.values()),
                            "actual": [{"value": json.loads(value), "learners": n}
                                       for value, n in counter.most_common(3)]}
                           for check_id, counter in most],
        })
    return out


def stats_text(data: list[dict]) -> str:
    lines = []
    for lab in data:
        rate = "—" if lab["passRate"] is None else f"{lab['passRate'] * 100:.0f}%"
        lines.append(f"{lab['lab']}: {lab['submitted']}/{lab['learners']} learners submitted "
                     f"({lab['submissions']} submissions), {lab['graded']} graded, pass rate {rate}")
        peak = max([b["learners"] for b in lab["distribution"]] + [1])
        for bucket in reversed(lab["distribution"]):
            bar = "█" * round(bucket["learners"] / peak * 30)
            lines.append(f"  {bucket['from']:>3}–{bucket['to']:<3}% {bar} {bucket['learners'] or ''}".rstrip())
        if lab["mostFailed"]:
            lines.append("  most failed checks:")
        for item in lab["mostFailed"]:
            lines.append(f"    {item['check']}: {item['failures']} learner(s)")
            for actual in item["actual"]:
                shown = terminal_text(json.dumps(actual["value"], ensure_ascii=False))
                lines.append(f"      actual {shown[:100]} ×{actual['learners']}")
        lines.append("")
    return "\n".join(lines) if lines else "no labs in this class\n"
