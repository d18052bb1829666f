"""Lambda invoke latency on the local cloud: p50/p95 for a trivial function, cold and warm.

Goals: cold <= 150 ms, warm <= 25 ms (LocalStack in Docker: ~600 ms cold, ~10 ms warm).
Cold = a new execution environment (the configuration changes before each call), taken from the pre-started
worker that has already imported boto3; "cold, back to back" gives that worker no time to get ready.
Run: .venv/bin/python bench/bench_lambda.py [--warm N] [--cold N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

import boto3
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.server import Cloud

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--cold", type=int, default=15)
    parser.add_argument("--sandbox", default="auto", help="lambda_sandbox: auto, namespaces, landlock or none")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, Cloud(home, port=0, settings={"lambda_sandbox": args.sandbox}) as cloud:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        config = Config(retries={"max_attempts": 1})
        iam = session.client("iam", endpoint_url=cloud.endpoint, config=config)
        lam = session.client("lambda", endpoint_url=cloud.endpoint, config=config)
        role = ensure_role(iam, "bench-role")
        lam.create_function(FunctionName="trivial", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                            Code={"ZipFile": zip_handler(TRIVIAL)})

        def invoke() -> float:
            started = time.perf_counter()
            response = lam.invoke(FunctionName="trivial", Payload=b"{}")
            elapsed = (time.perf_counter() - started) * 1000
            assert json.loads(response["Payload"].read()) == {"ok": True}, response
            return elapsed

        def cold_series(n: int, pause: float) -> list[float]:
            samples = []
            for i in range(n):
                lam.update_function_configuration(FunctionName="trivial", Environment={"Variables": {"RUN": str(i)}})
                time.sleep(pause)  # bench only: lets the pre-started worker finish importing boto3
                samples.append(invoke())
            return samples

        load_before = os.getloadavg()[0]
        cold = cold_series(args.cold, 1.0)
        invoke()
        warm = [invoke() for _ in range(args.warm)]
        back_to_back = cold_series(max(5, args.cold // 2), 0.0)
        mode = cloud.extension("lambda-runtime").runtime.sandbox_mode
        print(f"Lambda invoke, trivial python3.12 function, boto3 client -> local cloud (wall clock), containment: {mode}"
              f"   (machine load {load_before:.2f} -> {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
        print(f"  cold (pre-started worker ready)   {percentiles(cold)}   goal <= 150 ms")
        print(f"  warm                              {percentiles(warm)}   goal <= 25 ms")
        print(f"  cold, back to back                {percentiles(back_to_back)}")


if __name__ == "__main__":
    main()
