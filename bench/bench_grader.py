"""Time to grade each lab against a warm local cloud, in-process (goal: <= 150 ms per lab; labs with live probes
— an invoke, a POST, an alarm — take what their function takes), then the whole `gailab grade LAB --fresh` of every
lab as CI runs it (goal: < 10 s each): a throwaway cloud, the prerequisites' reference solutions, the lab's own
solution as --setup, the checks.

Starts a cloud in this process, applies each lab's reference solution (with its prerequisites), grades once to
warm clients and caches, then prints the median and worst of N gradings, serial and side by side.
Run: .venv/bin/python bench/bench_grader.py [N] [FRESH_RUNS] [LAB_ID…]  (lab ids: only their --fresh times)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gailab.labs.catalog import get_lab, load_catalog
from gailab.labs.grader import grade
from gailab.labs.solutions import SolutionError, solve
from gailab.simulator.core.server import Cloud


def main(n: int = 20) -> int:
    home = Path(tempfile.mkdtemp(prefix="gailab-bench-"))
    cloud = Cloud(home, port=0, fsync=False).start()
    try:
        print(f"local cloud at {cloud.endpoint}; {n} gradings per lab after one warm-up")
        for lab in load_catalog():
            cloud.reset()
            workspace = home / "ws" / lab.id
            try:
                solve(lab, cloud.endpoint, workspace, with_prerequisites=True)
            except SolutionError as exc:
                print(f"{lab.id:<22} skipped: the solution failed here ({exc})")
                continue
            for parallel in (False, True):
                report = grade(lab, endpoint=cloud.endpoint, workspace=workspace, parallel=parallel)
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    report = grade(lab, endpoint=cloud.endpoint, workspace=workspace, parallel=parallel)
                    times.append((time.perf_counter() - started) * 1000)
                mode = "parallel" if parallel else "serial"
                verdict = "ok" if statistics.median(times) <= 150 else "over the 150 ms goal"
                print(f"{lab.id:<22} {mode:<8} {len(report.results)} checks  {report.total}/{report.maximum}  "
                      f"median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms  {verdict}")
    finally:
        cloud.stop()
    return 0


def fresh(lab_id: str = "genai-app-architecture", runs: int = 3, goal_s: float = 10.0) -> int:
    """Wall time of `gailab grade LAB --fresh --setup <its solution>` in a new process, as a CI job runs it."""
    import resource

    lab = get_lab(lab_id)
    times, grading, cpu = [], [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory(prefix="gailab-bench-fresh-") as tmp:
            out = Path(tmp) / "report.json"
            cmd = [sys.executable, "-m", "gailab.tui.cli", "--home", str(Path(tmp) / "home"), "grade", lab_id,
                   "--fresh", "--no-record", "--setup", f"{sys.executable} {lab.solution_script}",
                   "--workspace", tmp, "--format", "json", "--output", str(out)]
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            times.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                print(f"{lab_id} --fresh failed (exit {done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
                return 1
            grading.append(json.loads(out.read_text())["durationMs"] / 1000)
    median = statistics.median(times)
    verdict = "ok" if median < goal_s else f"over the {goal_s:g} s goal"
    print(f"{lab_id} --fresh ({len(lab.prerequisites)} prerequisites + its solution + grading), {runs} runs: median "
          f"{median:.1f} s, "
          f"max {max(times):.1f} s, of which grading {statistics.median(grading):.1f} s  {verdict}; "
          f"CPU {statistics.median(cpu):.1f} s (what the wall time is on an idle machine, roughly; load "
          f"{os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    only = sys.argv[3:]  # lab ids: time --fresh of these only (default: every lab of the catalog)
    failed = main(n) if not only else 0
    for lab in load_catalog():
        if not only or lab.id in only:
            failed |= fresh(lab.id, runs=runs)
    sys.exit(failed)
