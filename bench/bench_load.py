"""The local cloud under load, and its restart with a semester's history.

1. ``--threads`` (16) clients x ``--seconds`` (60) of mixed calls (S3, KMS, IAM, STS, Logs, CloudWatch, Lambda
   invoke, Bedrock Converse, API Gateway execute) against ``gailab serve``: calls/s, p50/p99, errors (goal 0), the
   server's RSS growth.
2. A home with ``--records`` (10,000) journal records, ``--gigabytes`` (1) of them S3 objects of 1 MiB: restart time
   and peak RSS from its checkpoint and from the whole journal (goal: start <= 3 s, peak RSS <= 300 MiB), and the
   supervisor's restart after a kill -9.
3. ``--journal-mib`` (200): a journal that really is that big — S3 objects of 48 KiB, under the blob threshold, so
   their bodies are inline — and the peak RSS of a start that replays it all, and of one from its checkpoint (the
   journal streams: the peak is the cloud plus the objects it holds, not a multiple of the file).

Run: .venv/bin/python bench/bench_load.py [--seconds 60] [--threads 16] [--records 10000] [--gigabytes 1]
Measure on a quiet machine (``uptime``); the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.process import CloudProcess, health, wait_until

MODEL = "amazon.nova-micro-v1:0"


def clients(endpoint: str):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1}, max_pool_connections=64, read_timeout=60)
    return lambda service: session.client(service, endpoint_url=endpoint, config=config)


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def cloud_pid(process: CloudProcess) -> int:
    """The process that serves (the supervisor's child, when there is one)."""
    pid = process.proc.pid
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        return pid
    for child in children:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"gailab.tui.cli" in f.read():
                    return child
        except OSError:
            continue
    return pid


def setup(client) -> dict:
    s3 = client("s3")
    s3.create_bucket(Bucket="load")
    key = client("kms").create_key(Description="load")["KeyMetadata"]["KeyId"]
    iam = client("iam")
    role = ensure_role(iam, "load-role")
    client("lambda").create_function(FunctionName="load", Runtime="python3.12", Role=role,
                                     Handler="lambda_function.handler",
                                     Code={"ZipFile": zip_handler("def handler(e, c):\n    return {'ok': True}\n")})
    apigw = client("apigateway")
    api = apigw.create_rest_api(name="load")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api, resourceId=root, httpMethod="GET", statusCode="200")
    apigw.put_integration_response(restApiId=api, resourceId=root, httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api, stageName="dev")
    client("logs").create_log_group(logGroupName="/load")
    client("logs").create_log_stream(logGroupName="/load", logStreamName="s")
    return {"key": key, "role": role, "api": api}


def mixed_call(client, ids: dict, endpoint: str, rng: random.Random) -> None:
    pick = rng.randrange(12)
    n = rng.randrange(1000)
    if pick == 0:
        client("s3").put_object(Bucket="load", Key=f"k/{n}", Body=os.urandom(512))
    elif pick == 1:
        client("s3").list_objects_v2(Bucket="load", MaxKeys=20)
    elif pick == 2:
        try:
            client("s3").get_object(Bucket="load", Key=f"k/{n}")["Body"].read()
        except client("s3").exceptions.NoSuchKey:
            pass
    elif pick == 3:
        blob = client("kms").encrypt(KeyId=ids["key"], Plaintext=b"secret")["CiphertextBlob"]
        client("kms").decrypt(CiphertextBlob=blob)
    elif pick == 4:
        client("iam").get_role(RoleName="load-role")
    elif pick == 5:
        client("sts").get_caller_identity()
    elif pick == 6:
        client("logs").put_log_events(logGroupName="/load", logStreamName="s",
                                      logEvents=[{"timestamp": int(time.time() * 1000), "message": "m"}])
    elif pick == 7:
        client("cloudwatch").put_metric_data(Namespace="Load", MetricData=[{"MetricName": "m", "Value": 1.0}])
    elif pick in (8, 9):
        client("lambda").invoke(FunctionName="load", Payload=b"{}")["Payload"].read()
    elif pick == 10:
        client("bedrock-runtime").converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": f"Hi {n}"}]}])
    else:
        with urllib.request.urlopen(f"{endpoint}/_aws/execute-api/{ids['api']}/dev/", timeout=30) as reply:
            reply.read()


def load_phase(args) -> None:
    with tempfile.TemporaryDirectory() as home:
        process = CloudProcess(home, extra_args=["--no-supervisor"]).start()
        try:
            client = clients(process.endpoint)
            ids = setup(client)
            for i in range(50):  # warm every path once
                mixed_call(client, ids, process.endpoint, random.Random(i))
            pid = cloud_pid(process)
            rss_before = rss_mib(pid)
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds

            def worker(seed: int) -> None:
                rng = random.Random(seed)
                local_client = clients(process.endpoint)
                while time.monotonic() < stop_at:
                    started = time.perf_counter()
                    try:
                        mixed_call(local_client, ids, process.endpoint, rng)
                    except Exception as exc:  # counted, never hidden
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}"[:200])
                        continue
                    with lock:
                        latencies.append((time.perf_counter() - started) * 1000)

            began = time.monotonic()
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(worker, range(args.threads)))
            elapsed = time.monotonic() - began
            rss_after = rss_mib(pid)
            ordered = sorted(latencies)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * (len(ordered) - 1)))] if ordered else 0.0
            print(f"load: {args.threads} threads x {args.seconds:.0f} s of mixed calls")
            print(f"  calls {len(latencies)}   {len(latencies) / elapsed:.1f} calls/s   p50 "
                  f"{statistics.median(ordered) if ordered else 0:.1f} ms   p99 {p99:.1f} ms   errors {len(errors)}")
            print(f"  server RSS {rss_before:.0f} MiB -> {rss_after:.0f} MiB (growth {rss_after - rss_before:+.0f} MiB)")
            for error in sorted(set(errors))[:5]:
                print(f"  error: {error}")
        finally:
            process.stop()


def build_history(endpoint: str, records: int, gigabytes: float) -> int:
    client = clients(endpoint)
    s3 = client("s3")
    s3.create_bucket(Bucket="semester")
    objects = int(gigabytes * 1024)
    body = bytearray(os.urandom(1 << 20))

    def put_big(i: int) -> None:
        body_i = bytes(body[:-8]) + i.to_bytes(8, "big")  # distinct bodies: distinct blobs, a real gigabyte
        s3.put_object(Bucket="semester", Key=f"datasets/{i:05d}.bin", Body=body_i)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put_big, range(objects)))
    rest = max(0, records - objects - 1)

    def small(i: int) -> None:
        kind = i % 4
        if kind == 3:
            client("bedrock-runtime").converse(modelId=MODEL,
                                               messages=[{"role": "user", "content": [{"text": f"Question {i}"}]}])
        elif kind == 2:
            client("iam").create_user(UserName=f"learner-{i}")
        else:
            s3.put_object(Bucket="semester", Key=f"notes/{i:05d}.txt", Body=f"note {i}".encode())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(small, range(rest)))
    return health(endpoint)["journalRecords"]


def timed_start(home: str, extra: list[str]) -> tuple[float, float, dict]:
    started = time.perf_counter()
    process = CloudProcess(home, extra_args=["--no-supervisor", *extra]).start(timeout=600)
    ready = time.perf_counter() - started
    try:
        peak = rss_mib(cloud_pid(process), "VmHWM")
        report = health(process.endpoint)
        with urllib.request.urlopen(process.endpoint + "/_gailab/journal") as reply:
            import json

            journal = json.load(reply)
        return ready, peak, {**report, "journal": journal}
    finally:
        process.stop(timeout=600)


def restart_phase(args) -> None:
    with tempfile.TemporaryDirectory() as home:
        process = CloudProcess(home, extra_args=["--no-supervisor"]).start()
        try:
            began = time.perf_counter()
            total = build_history(process.endpoint, args.records, args.gigabytes)
            print(f"history: {total} records ({args.gigabytes:g} GiB of S3 objects) built in "
                  f"{time.perf_counter() - began:.0f} s")
        finally:
            process.stop(timeout=600)  # takes the checkpoint
        blobs = _folder_size(os.path.join(home, "cloud", "blobs"))
        journal_size = os.path.getsize(os.path.join(home, "cloud", "journal.jsonl"))
        print(f"  journal {journal_size / 1e6:.1f} MB, blobs {blobs / 1e9:.2f} GB")
        ready, peak, report = timed_start(home, [])
        print(f"restart from its checkpoint: ready in {ready:.2f} s, peak RSS {peak:.0f} MiB   "
              f"(replayed {report['journal']['replayedOnStart']} records after record "
              f"{report['journal']['startedFromCheckpoint']})   goal: <= 3 s, <= 300 MiB")
        ready, peak, report = timed_start(home, ["--no-checkpoints"])
        print(f"restart replaying every record: ready in {ready:.2f} s, peak RSS {peak:.0f} MiB   "
              f"({report['journal']['replayedOnStart']} records)")
        supervised = CloudProcess(home).start(timeout=600)
        try:
            child = cloud_pid(supervised)
            killed = time.perf_counter()
            os.kill(child, signal.SIGKILL)
            wait_until(lambda: supervised.restarts == 1, timeout=600, interval=0.005)
            wait_until(lambda: _answers(supervised.endpoint), timeout=600, interval=0.005)
            print(f"supervisor: a killed cloud answers again after {time.perf_counter() - killed:.2f} s "
                  "(same endpoint, state from its checkpoint)")
        finally:
            supervised.stop(timeout=600)


def big_journal_phase(args) -> None:
    with tempfile.TemporaryDirectory() as home:
        process = CloudProcess(home, extra_args=["--no-supervisor"]).start()
        journal = os.path.join(home, "cloud", "journal.jsonl")
        try:
            s3 = clients(process.endpoint)("s3")
            s3.create_bucket(Bucket="inline")
            body = os.urandom(48 * 1024)
            began = time.perf_counter()

            def put(i: int) -> None:
                s3.put_object(Bucket="inline", Key=f"small/{i:06d}.bin", Body=body[:-8] + i.to_bytes(8, "big"))

            batch = 0
            while os.path.getsize(journal) < args.journal_mib * (1 << 20):
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(put, range(batch, batch + 200)))
                batch += 200
            print(f"journal of {os.path.getsize(journal) / (1 << 20):.0f} MiB ({batch} objects of 48 KiB inline) "
                  f"built in {time.perf_counter() - began:.0f} s")
        finally:
            process.stop(timeout=600)  # takes the checkpoint
        ready, peak, report = timed_start(home, ["--no-checkpoints"])
        print(f"  start replaying every record: ready in {ready:.2f} s, peak RSS {peak:.0f} MiB "
              f"({report['journal']['replayedOnStart']} records)")
        ready, peak, report = timed_start(home, [])
        print(f"  start from its checkpoint: ready in {ready:.2f} s, peak RSS {peak:.0f} MiB")


def _answers(endpoint: str) -> bool:
    try:
        return health(endpoint, timeout=1)["status"] == "ready"
    except Exception:
        return False


def _folder_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--journal-mib", type=float, default=200)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-big-journal", action="store_true")
    parser.add_argument("--skip-restart", action="store_true")
    args = parser.parse_args()
    print(f"machine load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    if not args.skip_load:
        load_phase(args)
    if not args.skip_restart:
        restart_phase(args)
    if not args.skip_big_journal:
        big_journal_phase(args)


if __name__ == "__main__":
    main()
