"""The supervisor's restart after ``kill -9``: time from SIGKILL of the serving cloud to its health answering again.

A home with some history (``--records`` journal records: S3 objects, IAM users, Bedrock calls, a Lambda function)
is served by ``gailab serve`` with its supervisor; the serving cloud is killed ``--kills`` times (at most 5 per
supervisor: more within a minute makes it give up, by design, so a fresh supervisor takes over every 5 kills).
Each kill's time is from ``os.kill`` to a health answer that counts the restart (requests meanwhile wait in the
supervisor's socket backlog). Prints each time, p50 and max, the CPU time the new cloud used until that answer
(what a loaded machine multiplies: on 2 CPUs at load L the cloud gets about 2/L of a CPU), and the machine's load
before and after (goal: within a second).

Run: .venv/bin/python bench/bench_restart.py [--kills 10] [--records 300]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import MODEL, clients, cloud_pid  # noqa: E402

from gailab.simulator.awslambda.package import ensure_role, zip_handler  # noqa: E402
from gailab.simulator.client import health  # noqa: E402
from gailab.simulator.core.process import CloudProcess, wait_until  # noqa: E402

PER_SUPERVISOR = 5


def build_history(endpoint: str, records: int) -> None:
    client = clients(endpoint)
    s3 = client("s3")
    s3.create_bucket(Bucket="history")
    role = ensure_role(client("iam"), "history-role")
    client("lambda").create_function(FunctionName="history", Runtime="python3.12", Role=role,
                                     Handler="lambda_function.handler",
                                     Code={"ZipFile": zip_handler("def handler(e, c):\n    return 1\n")})

    def one(i: int) -> None:
        kind = i % 3
        if kind == 0:
            s3.put_object(Bucket="history", Key=f"notes/{i:05d}.txt", Body=os.urandom(2048))
        elif kind == 1:
            client("iam").create_user(UserName=f"learner-{i}")
        else:
            client("bedrock-runtime").converse(modelId=MODEL,
                                               messages=[{"role": "user", "content": [{"text": f"Question {i}"}]}])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(records)))


def _restarted(endpoint: str, count: int) -> bool:
    try:
        return health(endpoint, timeout=5).get("restarts") == count
    except Exception:
        return False


def cpu_ms(pid: int) -> float:
    """utime + stime of ``pid`` so far (a forked cloud starts from zero)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def kill_round(home: str, kills: int, cpu: list[float]) -> list[float]:
    times = []
    with CloudProcess(home) as cloud:
        for n in range(1, kills + 1):
            child = cloud_pid(cloud)
            assert child != cloud.proc.pid, "no supervised child found"
            wait_until(lambda: _restarted(cloud.endpoint, n - 1), timeout=60, interval=0.01)
            killed = time.perf_counter()
            os.kill(child, signal.SIGKILL)
            wait_until(lambda: _restarted(cloud.endpoint, n), timeout=120, interval=0.002)
            times.append(time.perf_counter() - killed)
            cpu.append(cpu_ms(cloud_pid(cloud)))
            print(f"  kill {n}: answered again after {times[-1]:.3f} s, the new cloud used {cpu[-1]:.0f} ms of CPU "
                  f"(load {os.getloadavg()[0]:.2f})", flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--records", type=int, default=300)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as home:
        with CloudProcess(home, extra_args=["--no-supervisor"]) as first:
            build_history(first.endpoint, args.records)
            records = health(first.endpoint)["journalRecords"]
        print(f"home with {records} journal records; machine load {load_before:.2f} (1 min), {os.cpu_count()} CPUs")
        times: list[float] = []
        cpu: list[float] = []
        while len(times) < args.kills:
            times += kill_round(home, min(PER_SUPERVISOR, args.kills - len(times)), cpu)
    print(f"restart after kill -9: p50 {statistics.median(times):.3f} s, max {max(times):.3f} s over {len(times)} "
          f"kills; the new cloud's CPU until it answered: mean {statistics.mean(cpu):.0f} ms   goal: <= 1 s   "
          f"(load {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")


if __name__ == "__main__":
    main()
