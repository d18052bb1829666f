"""Bench the simulated Bedrock: InvokeModel p50 (Claude messages, ~200 output tokens, latency off) against
S3 GetObject p50 on the same server (goal: at most 1.5x), and InvokeModel throughput with 8 client threads
(goal: at least 300 requests/s). The cloud runs in a child process, as `gailab serve` does.

    .venv/bin/python bench/bench_bedrock.py [--requests 300] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from gailab.simulator.core.process import CloudProcess

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
BODY = json.dumps({
    "anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "temperature": 0.2,
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Explain in detail what Amazon Bedrock is, how it is priced and when to use SageMaker instead."}]}],
})


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=16))


def p50(fn, n: int) -> float:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        cloud = CloudProcess(home, port=0).start()
        try:
            s3, rt = client("s3", cloud.endpoint), client("bedrock-runtime", cloud.endpoint)
            s3.create_bucket(Bucket="bench")
            s3.put_object(Bucket="bench", Key="prompt.txt", Body=b"x" * 1024)
            out = json.loads(rt.invoke_model(modelId=MODEL, body=BODY)["body"].read())
            print(f"InvokeModel output tokens: {out['usage']['output_tokens']} (stop_reason {out['stop_reason']})")
            get_ms = p50(lambda: s3.get_object(Bucket="bench", Key="prompt.txt")["Body"].read(), args.requests)
            invoke_ms = p50(lambda: rt.invoke_model(modelId=MODEL, body=BODY)["body"].read(), args.requests)
            print(f"S3 GetObject p50:  {get_ms:.2f} ms")
            print(f"InvokeModel p50:   {invoke_ms:.2f} ms  ({invoke_ms / get_ms:.2f}x GetObject; goal <= 1.5x)")

            def throughput(call) -> float:
                done = [0] * 8
                stop = threading.Event()

                def worker(i: int) -> None:
                    fn = call()
                    fn()
                    while not stop.is_set():
                        fn()
                        done[i] += 1

                threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
                for t in threads:
                    t.start()
                time.sleep(0.5)
                start_count, started = sum(done), time.perf_counter()
                time.sleep(args.seconds)
                count, elapsed = sum(done) - start_count, time.perf_counter() - started
                stop.set()
                for t in threads:
                    t.join()
                return count / elapsed

            def invoke_call():
                c = client("bedrock-runtime", cloud.endpoint)
                return lambda: c.invoke_model(modelId=MODEL, body=BODY)["body"].read()

            def get_call():
                c = client("s3", cloud.endpoint)
                return lambda: c.get_object(Bucket="bench", Key="prompt.txt")["Body"].read()

            print(f"InvokeModel throughput, 8 threads: {throughput(invoke_call):.0f} requests/s (goal >= 300)")
            print(f"S3 GetObject throughput, 8 threads (reference): {throughput(get_call):.0f} requests/s")
        finally:
            cloud.stop()


if __name__ == "__main__":
    main()
