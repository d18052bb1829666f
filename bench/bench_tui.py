"""Time from `gailab` starting to the app's first interactive frame (goal ≤ 0.8 s).

Each run starts a fresh Python process like the `gailab` command does (interpreter start, imports, the app, the
catalog screen's first paint), with the local cloud started as a child in the background as usual; the child's
own start-up is not waited for — the app is interactive before the cloud is ready. Prints each run and the median.

    .venv/bin/python bench/bench_tui.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys, time
from gailab.tui.app import GailabApp

class BenchApp(GailabApp):
    def on_ready(self) -> None:  # Textual's event after the first screen is on the terminal
        print("READY", time.time(), flush=True)
        self.exit()

BenchApp(home=sys.argv[1], lang="en").run(headless=True, size=(80, 24))
"""


def one_run(home: str, script: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "GAILAB_ENDPOINT"}
    started = time.time()
    proc = subprocess.run([sys.executable, script, home], capture_output=True, text=True, env=env, timeout=60)
    for line in proc.stdout.splitlines():
        if line.startswith("READY"):
            return float(line.split()[1]) - started
    raise RuntimeError(f"the app did not report a frame: {proc.stderr[-500:]}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "bench_child.py")
        with open(script, "w") as f:
            f.write(CHILD)
        one_run(os.path.join(tmp, "warm"), script)  # warm the OS file cache and .pyc files
        times = []
        for i in range(runs):
            seconds = one_run(os.path.join(tmp, f"home{i}"), script)
            times.append(seconds)
            print(f"run {i + 1}: first interactive frame after {seconds:.3f} s")
    median = statistics.median(times)
    print(f"time to first interactive frame: median {median:.3f} s, best {min(times):.3f} s over {runs} runs "
          f"(goal ≤ 0.8 s) — {'OK' if median <= 0.8 else 'over the goal'}")


if __name__ == "__main__":
    main()
