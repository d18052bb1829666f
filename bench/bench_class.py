"""Regrading at class scale: 100 submissions of s3-genai-storage + bedrock-first-call with --jobs 2 (goal <= 60 s).

A learner does both labs in a local cloud of this process (the labs' reference code, run as the learner's own
scripts) and submits them; the two files are copied under 50 learner ids (100 submissions, each a distinct file),
collected into a class store (a SQLite file, or --db URL), and regraded with `gailab class regrade`'s engine: worker
processes, each submission replayed into a fresh local cloud and graded. Prints the wall time, throughput, and the
per-submission replay (cloud start + journal) and grading times. ``--labs stack`` measures the five labs of the
reference architecture instead (functions, an API and an alarm rebuilt and driven in each regrade).
Run: .venv/bin/python bench/bench_class.py [--learners 50] [--jobs 2] [--db URL] [--labs stack|ID,ID…]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gailab.labs import submission
from gailab.labs.catalog import get_lab
from gailab.labs.classroom.classstore import ClassStore
from gailab.labs.classroom.regrade import regrade
from gailab.labs.solutions import run_solution
from gailab.simulator.core.server import Cloud

LABS = ("s3-genai-storage", "bedrock-first-call")
STACK = LABS + ("lambda-prompt-function", "api-gateway-rest", "genai-app-architecture")


def learner_files(root: Path, labs=LABS) -> dict[str, bytes]:
    """One learner's submissions, made the way `gailab submit` makes them."""
    home = root / "learner"
    cloud = Cloud(home, port=0, fsync=False).start()
    try:
        for lab_id in labs:
            lab = get_lab(lab_id)
            workspace = home / "workspaces" / lab_id
            shutil.copytree(lab.starter_dir, workspace)
            run_solution(lab, cloud.endpoint, workspace)  # with its lab folder, as the quiz answers need
    finally:
        cloud.stop()
    return {lab_id: submission.of_lab(get_lab(lab_id), learner="model", home=home,
                                      db_url=f"sqlite:///{root / 'learner.db'}") for lab_id in labs}


def pct(values: list[int], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50, help="learners (each hands in every lab)")
    parser.add_argument("--labs", default=",".join(LABS), help="lab ids, comma-separated, or 'stack' (all five)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--db", help="a class store URL (default: a new SQLite file)")
    args = parser.parse_args()
    labs_wanted = STACK if args.labs == "stack" else tuple(args.labs.split(","))
    root = Path(tempfile.mkdtemp(prefix="gailab-bench-class-"))
    try:
        started = time.perf_counter()
        files = learner_files(root, labs_wanted)
        print(f"learner work and submissions: {time.perf_counter() - started:.1f} s "
              f"({', '.join(f'{k} {len(v) // 1024} KiB' for k, v in files.items())})")
        store = ClassStore(args.db or f"sqlite:///{root / 'class.db'}")
        store.init_class("bench", [(lab_id, None) for lab_id in labs_wanted])
        ids = [f"learner{i:03d}" for i in range(args.learners)]
        store.import_roster([{"id": i, "name": i, "email": ""} for i in ids])
        started = time.perf_counter()
        for learner in ids:
            for lab_id, data in files.items():
                sub = submission.read(data)
                copy = submission.build(lab_id=lab_id, lab_version=sub.lab_version,
                                        lab_content_hash=sub.lab_content_hash, learner=learner,
                                        gailab_version=sub.gailab_version, journal=sub.journal,
                                        workspace=sub.workspace, report=sub.report, events=sub.events)
                assert store.collect(copy, f"{learner}-{lab_id}.gailab.zip").status == "stored"
        total = len(ids) * len(labs_wanted)
        print(f"collected {total} submissions in {time.perf_counter() - started:.1f} s")

        labs = {lab_id: get_lab(lab_id) for lab_id in labs_wanted}
        summary = regrade(store, labs, jobs=args.jobs)
        assert summary.stored == total and summary.passed == total, summary
        goal = "ok" if summary.seconds <= 60 or total != 100 or args.jobs != 2 or labs_wanted != LABS \
            else "over the 60 s goal"
        print(f"regraded {total} submissions with --jobs {args.jobs} in {summary.seconds:.1f} s "
              f"({total / summary.seconds:.1f} per second; {summary.seconds / total * 1000:.0f} ms each)  {goal}")
        print(f"per submission: replay (fresh cloud + journal) p50 {pct(summary.replay_ms, 0.5):.0f} ms, "
              f"p95 {pct(summary.replay_ms, 0.95):.0f} ms, max {max(summary.replay_ms)} ms; grading p50 "
              f"{pct(summary.grade_ms, 0.5):.0f} ms, p95 {pct(summary.grade_ms, 0.95):.0f} ms")
        print(f"sum of replay + grading per submission: median "
              f"{statistics.median(r + g for r, g in zip(summary.replay_ms, summary.grade_ms)):.0f} ms; "
              "the rest of the wall time is worker start-up and the class store")
        started = time.perf_counter()
        problems = store.verify()
        rows = total * 2 + len(ids) + len(labs_wanted)
        print(f"class verify over {rows} chained rows: {time.perf_counter() - started:.2f} s, "
              f"{'intact' if not problems else problems}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
