"""The terminal app's figures, each in a fresh Python process like the `gailab` command:

1. time to the first interactive frame (goal ≤ 0.8 s): interpreter start, imports, the app, the catalog's first
   paint, with the local cloud starting as a child in the background (the app does not wait for it);
2. memory of the app plus its cloud (the supervisor and the server it forks), idle in a lab and after
   `seq 1 200000` in the Terminal tab (goal ≤ 300 MiB): RSS per process, and PSS, which counts the pages the
   forked processes share once (the sum of RSS counts them in each);
3. the time from a key press to its effect on screen while a command floods the Terminal tab with output
   (goal ≤ 100 ms p95): a printable key typed into the input, and F5/F6 switching tabs.

    .venv/bin/python bench/bench_tui.py [runs]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

FIRST_FRAME = r"""
import sys, time
from gailab.tui.app import GailabApp

class BenchApp(GailabApp):
    def on_ready(self) -> None:  # Textual's event after the first screen is on the terminal
        print("READY", time.time(), flush=True)
        self.exit()

BenchApp(home=sys.argv[1], lang="en").run(headless=True, size=(80, 24))
"""

WORKLOAD = r"""
import asyncio, json, os, sys, time
from gailab.tui.app import GailabApp
from gailab.tui.testing import open_lab, settle, wait_for

def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0

def pss_mib(pid):
    # Proportional set size: a page the cloud's supervisor shares with the server it forked counts half in each
    # (a sum of RSS over a forked tree counts it twice).
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0

def tree(pid):
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = open(f"/proc/{parent}/task/{parent}/children").read().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found

async def main(home):
    app = GailabApp(home=home, lang="en")  # starts its own cloud, as `gailab` does
    out = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.cloud_state == "ready", 120, "cloud")
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f6")
        terminal = screen.query_one("#terminal")
        field = screen.query_one("#term-input")
        cloud_pid = app.cloud_process.proc.pid

        async def run(command):
            field.value = command
            await pilot.press("enter")
            await wait_for(pilot, lambda: terminal.run is None, 120, command)

        await run("true")
        await settle(app, pilot)
        await asyncio.sleep(1.0)
        out["idle_app"] = rss_mib(os.getpid())
        out["idle_cloud"] = sum(rss_mib(p) for p in tree(cloud_pid))
        out["idle_pss"] = pss_mib(os.getpid()) + sum(pss_mib(p) for p in tree(cloud_pid))
        out["cloud_processes"] = len(tree(cloud_pid))
        started = time.monotonic()
        await run("seq 1 200000")
        out["seq_seconds"] = time.monotonic() - started
        await asyncio.sleep(0.5)
        out["seq_app"] = rss_mib(os.getpid())
        out["seq_cloud"] = sum(rss_mib(p) for p in tree(cloud_pid))
        out["seq_pss"] = pss_mib(os.getpid()) + sum(pss_mib(p) for p in tree(cloud_pid))
        out["last_line"] = terminal.transcript[-1] if terminal.transcript else ""

        field.value = "python -c \"while True: print('hello, flood')\""
        await pilot.press("enter")
        await wait_for(pilot, lambda: "hello, flood" in terminal.transcript[-3:], 30, "flood")
        await asyncio.sleep(0.5)
        tabs = screen.query_one("#workspace")
        typed, switched = [], []
        for i in range(60):
            field.value = ""
            pressed = time.perf_counter()
            app.simulate_key("a")
            while field.value != "a":
                await asyncio.sleep(0.001)
            typed.append(time.perf_counter() - pressed)
            await asyncio.sleep(0.03)
        for i in range(20):
            for key, tab in (("f5", "tab-editor"), ("f6", "tab-terminal")):
                pressed = time.perf_counter()
                app.simulate_key(key)
                while tabs.active != tab:
                    await asyncio.sleep(0.001)
                switched.append(time.perf_counter() - pressed)
                await asyncio.sleep(0.03)
        field.focus()
        await asyncio.sleep(0.1)
        pressed = time.perf_counter()
        app.simulate_key("ctrl+c")
        while terminal.run is not None:
            await asyncio.sleep(0.001)
        out["stop_seconds"] = time.perf_counter() - pressed
        out["stopped_line"] = terminal.transcript[-1]
        out["typed_ms"] = sorted(1000 * x for x in typed)
        out["switched_ms"] = sorted(1000 * x for x in switched)
        out["flood_lines"] = terminal.query_one("#term-log").max_lines
    print("RESULT", json.dumps(out), flush=True)

asyncio.run(main(sys.argv[1]))
"""


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "GAILAB_ENDPOINT"}


def first_frame(home: str, script: str) -> float:
    started = time.time()
    proc = subprocess.run([sys.executable, script, home], capture_output=True, text=True, env=clean_env(), timeout=60)
    for line in proc.stdout.splitlines():
        if line.startswith("READY"):
            return float(line.split()[1]) - started
    raise RuntimeError(f"the app did not report a frame: {proc.stderr[-500:]}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "bench_child.py")
        with open(script, "w") as f:
            f.write(FIRST_FRAME)
        first_frame(os.path.join(tmp, "warm"), script)  # warm the OS file cache and .pyc files
        times = []
        for i in range(runs):
            seconds = first_frame(os.path.join(tmp, f"home{i}"), script)
            times.append(seconds)
            print(f"run {i + 1}: first interactive frame after {seconds:.3f} s")
        median = statistics.median(times)
        print(f"time to first interactive frame: median {median:.3f} s, best {min(times):.3f} s over {runs} runs "
              f"(goal ≤ 0.8 s) — {'OK' if median <= 0.8 else 'over the goal'}")

        workload = os.path.join(tmp, "bench_workload.py")
        with open(workload, "w") as f:
            f.write(WORKLOAD)
        proc = subprocess.run([sys.executable, workload, os.path.join(tmp, "work")], capture_output=True, text=True,
                              env=clean_env(), timeout=600)
        result = next((json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")), None)
        if result is None:
            raise RuntimeError(f"the workload did not finish: {proc.stderr[-2000:]}")
    idle = result["idle_app"] + result["idle_cloud"]
    after = result["seq_app"] + result["seq_cloud"]
    print(f"memory, idle in a lab: RSS app {result['idle_app']:.0f} MiB + cloud {result['idle_cloud']:.0f} MiB "
          f"({result['cloud_processes']} processes) = {idle:.0f} MiB; PSS (shared pages counted once) "
          f"{result['idle_pss']:.0f} MiB (goal ≤ 300 MiB) — {'OK' if result['idle_pss'] <= 300 else 'over the goal'}")
    print(f"memory after `seq 1 200000` ({result['seq_seconds']:.2f} s, last line shown {result['last_line']!r}): "
          f"RSS app {result['seq_app']:.0f} MiB + cloud {result['seq_cloud']:.0f} MiB = {after:.0f} MiB; PSS "
          f"{result['seq_pss']:.0f} MiB (goal ≤ 300 MiB) — {'OK' if result['seq_pss'] <= 300 else 'over the goal'}")
    typed, switched = result["typed_ms"], result["switched_ms"]
    both = typed + switched
    p95 = percentile(both, 0.95)
    print(f"key press to effect while a command floods the terminal: typing p50 {percentile(typed, 0.5):.1f} ms, "
          f"p95 {percentile(typed, 0.95):.1f} ms; tab switch p50 {percentile(switched, 0.5):.1f} ms, "
          f"p95 {percentile(switched, 0.95):.1f} ms; all {len(both)} presses p95 {p95:.1f} ms (goal ≤ 100 ms) — "
          f"{'OK' if p95 <= 100 else 'over the goal'}")
    print(f"ctrl+c stopped the endless printer in {1000 * result['stop_seconds']:.0f} ms "
          f"(last line {result['stopped_line']!r})")
    print(f"machine load while measuring: {os.getloadavg()[0]:.1f} (1-minute average, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
