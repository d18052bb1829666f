"""Local cloud figures (issue 2): serve readiness, PutObject p50 against bare moto, journal replay time.

Run: python bench/bench_cloud.py [--runs 5] [--puts 200]
Goals: readiness ratio <= 1.1, PutObject p50 ratio <= 1.1, replay of 1,000 journaled requests <= 3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=10),
    )


# Both servers run as a user's machine runs them: with bytecode caches (this sandbox sets PYTHONDONTWRITEBYTECODE,
# which would make every start recompile gailab's sources while moto's come precompiled from its wheel).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def readiness(command: list[str], endpoint: str) -> tuple[float, subprocess.Popen]:
    client = s3_client(endpoint)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    deadline = started + 30
    while True:
        try:
            client.list_buckets()
            return time.perf_counter() - started, proc
        except EndpointConnectionError:
            if time.perf_counter() > deadline:
                proc.kill()
                raise SystemExit(f"{command[0]} never answered")
            time.sleep(0.005)


def put_p50(endpoint: str, puts: int) -> float:
    client = s3_client(endpoint)
    client.create_bucket(Bucket="bench-bucket")
    body = os.urandom(1024)
    times = []
    for i in range(puts):
        t = time.perf_counter()
        client.put_object(Bucket="bench-bucket", Key=f"k{i}", Body=body)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def moto_command(port: int) -> list[str]:
    exe = Path(sys.executable).with_name("moto_server")
    return [str(exe), "-H", "127.0.0.1", "-p", str(port)]


def gailab_command(port: int, home: str) -> list[str]:
    return [sys.executable, "-m", "gailab.tui.cli", "serve", "--port", str(port), "--home", home]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--puts", type=int, default=200)
    args = parser.parse_args()

    # One untimed start of each, so both have their bytecode caches.
    for command in (gailab_command(free_port(), tempfile.mkdtemp(prefix="gailab-bench-")), moto_command(free_port())):
        _, proc = readiness(command, f"http://127.0.0.1:{command[command.index('--port') + 1] if '--port' in command else command[-1]}")
        proc.terminate()
        proc.wait()

    ready = {"gailab serve": [], "moto_server": []}
    p50 = {"gailab serve": [], "moto_server": []}
    for run in range(args.runs):
        for name in ("moto_server", "gailab serve") if run % 2 else ("gailab serve", "moto_server"):
            port = free_port()
            home = tempfile.mkdtemp(prefix="gailab-bench-")
            command = gailab_command(port, home) if name == "gailab serve" else moto_command(port)
            seconds, proc = readiness(command, f"http://127.0.0.1:{port}")
            ready[name].append(seconds)
            if run == 0:
                p50[name].append(put_p50(f"http://127.0.0.1:{port}", args.puts))
            proc.terminate()
            proc.wait()
            shutil.rmtree(home, ignore_errors=True)

    r_g, r_m = statistics.median(ready["gailab serve"]), statistics.median(ready["moto_server"])
    p_g, p_m = p50["gailab serve"][0], p50["moto_server"][0]
    print(f"serve readiness (process start -> first S3 call answered), median of {args.runs}:")
    print(f"  gailab serve  {r_g * 1000:7.1f} ms")
    print(f"  moto_server   {r_m * 1000:7.1f} ms")
    print(f"  ratio         {r_g / r_m:7.2f}   (goal <= 1.1)")
    print(f"PutObject 1 KiB p50 over {args.puts} calls (journal fsync on for gailab):")
    print(f"  gailab serve  {p_g * 1000:7.2f} ms")
    print(f"  moto_server   {p_m * 1000:7.2f} ms")
    print(f"  ratio         {p_g / p_m:7.2f}   (goal <= 1.1)")

    # Replay: journal 1,000 requests, then time the replay of a new in-process cloud on that home.
    from gailab.simulator.core.server import Cloud

    home = tempfile.mkdtemp(prefix="gailab-bench-replay-")
    port = free_port()
    proc = subprocess.Popen(gailab_command(port, home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    readiness_client = s3_client(endpoint)
    deadline = time.perf_counter() + 30
    while True:
        try:
            readiness_client.list_buckets()
            break
        except EndpointConnectionError:
            if time.perf_counter() > deadline:
                raise SystemExit("gailab serve never answered")
            time.sleep(0.01)
    readiness_client.create_bucket(Bucket="replay-bucket")
    body = os.urandom(1024)
    for i in range(999):
        readiness_client.put_object(Bucket="replay-bucket", Key=f"obj/{i}", Body=body)
    proc.terminate()
    proc.wait()
    cloud = Cloud(home, port=0).start()
    try:
        count = cloud.replayed
        seconds = cloud.replay_seconds
        listed = s3_client(cloud.endpoint).list_objects_v2(Bucket="replay-bucket", MaxKeys=1000)["KeyCount"]
    finally:
        cloud.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"journal replay: {count} records in {seconds:.2f} s ({listed} objects back)   (goal <= 3 s)")


if __name__ == "__main__":
    main()
