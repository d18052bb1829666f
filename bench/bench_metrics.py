"""Bench metrics, alarms, costs and Bedrock jobs: how long after a failing Lambda call its Errors alarm reads
ALARM (p50), PutMetricData p50 with 20 alarms watching, GET /_gailab/costs p50 over a ledger of N calls, and a
100-record batch job from create to Completed (records/s). The cloud runs in a child process, as `gailab serve`.

    .venv/bin/python bench/bench_metrics.py [--rounds 30] [--ledger 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.process import CloudProcess

TITAN = "amazon.titan-text-express-v1"


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def alarm_flip(endpoint: str, rounds: int) -> float:
    lam, cw = client("lambda", endpoint), client("cloudwatch", endpoint)
    role = ensure_role(client("iam", endpoint), "bench-role")
    lam.create_function(FunctionName="bench-fail", Runtime="python3.12", Role=role, Handler="lambda_function.handler",
                        Code={"ZipFile": zip_handler("def handler(e, c):\n    if e.get('fail'):\n        raise ValueError()\n    return 1\n")})
    samples = []
    for i in range(rounds):
        name = f"bench-errors-{i}"
        cw.put_metric_alarm(AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=i + 1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                            Dimensions=[{"Name": "FunctionName", "Value": "bench-fail"}])
        started = time.perf_counter()
        lam.invoke(FunctionName="bench-fail", Payload=b'{"fail": true}')
        while cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] != "ALARM":
            if time.perf_counter() - started > 60:
                raise SystemExit(f"{name} never went to ALARM")
            time.sleep(0.01)
        samples.append(time.perf_counter() - started)
    return p50(samples)


def put_metric_data(endpoint: str, rounds: int) -> float:
    cw = client("cloudwatch", endpoint)
    for i in range(20):
        cw.put_metric_alarm(AlarmName=f"bench-latency-{i}", Namespace="Bench/App", MetricName="LatencyMs",
                            Statistic="Average", Period=60, EvaluationPeriods=3, DatapointsToAlarm=2,
                            Threshold=100 + i, ComparisonOperator="GreaterThanThreshold")
    samples = []
    for i in range(rounds * 5):
        started = time.perf_counter()
        cw.put_metric_data(Namespace="Bench/App", MetricData=[{"MetricName": "LatencyMs", "Value": float(i % 200)}])
        samples.append(time.perf_counter() - started)
    return p50(samples)


def costs(endpoint: str, ledger: int, rounds: int) -> float:
    runtime = client("bedrock-runtime", endpoint)
    for i in range(ledger):
        runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": f"Olá {i}"}]}])
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{endpoint}/_gailab/costs", timeout=60) as reply:
            json.loads(reply.read())
        samples.append(time.perf_counter() - started)
    return p50(samples)


def batch(endpoint: str, records: int) -> tuple[float, float]:
    s3, iam, br = client("s3", endpoint), client("iam", endpoint), client("bedrock", endpoint)
    s3.create_bucket(Bucket="bench-batch")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-batch", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-batch", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    body = "\n".join(json.dumps({"recordId": f"R{i:06d}", "modelInput": {"inputText": f"Resuma o pedido {i}."}})
                     for i in range(records))
    s3.put_object(Bucket="bench-batch", Key="in/records.jsonl", Body=body.encode())
    started = time.perf_counter()
    job = br.create_model_invocation_job(
        jobName="bench", roleArn=role, modelId=TITAN,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://bench-batch/in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://bench-batch/out/"}})["jobArn"]
    while br.get_model_invocation_job(jobIdentifier=job)["status"] != "Completed":
        if time.perf_counter() - started > 300:
            raise SystemExit("the batch job did not complete")
        time.sleep(0.1)
    wall = time.perf_counter() - started
    return wall, records / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--ledger", type=int, default=1000)
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        cloud = CloudProcess(home, port=0).start()
        try:
            print(f"Lambda error -> Errors alarm in ALARM, p50: {alarm_flip(cloud.endpoint, args.rounds):.1f} ms")
            print(f"PutMetricData p50 (20 alarms on the metric): {put_metric_data(cloud.endpoint, args.rounds):.2f} ms")
            print(f"GET /_gailab/costs p50 ({args.ledger} ledger records): {costs(cloud.endpoint, args.ledger, args.rounds):.1f} ms")
            wall, rate = batch(cloud.endpoint, args.records)
            print(f"Batch job of {args.records} records, create to Completed: {wall:.1f} s "
                  f"(simulated schedule: 3 s + {args.records} x 0.02 s; {rate:.0f} records/s)")
        finally:
            cloud.stop()


if __name__ == "__main__":
    main()
