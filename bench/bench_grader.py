"""Time to grade each lab against a warm local cloud, in-process (goal: <= 150 ms per lab).

Starts a cloud in this process, applies each lab's reference solution (with its prerequisites), grades once to
warm clients and caches, then prints the median and worst of N gradings, serial and side by side.
Run: .venv/bin/python bench/bench_grader.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from gailab.labs.catalog import load_catalog
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


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
