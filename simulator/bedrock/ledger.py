"""The ledger: one record per runtime call (who, which model, tokens, cost, latency, grounded, guardrail),
durable in the cloud's journal as ``ledger`` events, served at ``/_gailab/bedrock/invocations``.

Each model invocation also puts Bedrock's CloudWatch metrics (namespace ``AWS/Bedrock``, dimension ``ModelId``:
Invocations, InvocationLatency, InputTokenCount, OutputTokenCount) into moto's CloudWatch, as Bedrock does.

When model invocation logging is configured, each record is also delivered in AWS's ModelInvocationLog
format to the CloudWatch Logs group and/or S3 bucket, straight into moto's backends (as Bedrock would).
Replaying a ledger event re-delivers it, so the log group and bucket hold the same entries after a restart.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
from datetime import datetime, timezone

from ..core.home import ACCOUNT_ID

log = logging.getLogger("gailab.simulator.bedrock")

LOG_STREAM = "aws/bedrock/modelinvocations"
PUBLIC_FIELDS = (
    "requestId", "time", "caller", "client", "operation", "modelId", "requestedModelId", "parameters", "inputTokens",
    "outputTokens", "costUsd", "latencyMs", "grounded", "guardrailAction", "prompt", "system", "task",
    "fewShotExamples", "stopReason", "region", "guardrailId", "guardrailVersion", "seed", "output", "outputHash",
    "shots", "label", "reasoningTokens", "groundingScore", "relevanceScore", "request",
    "mode", "jobArn", "recordId", "provisionedModelArn", "customModelArn", "realisticLatency", "knowledgeBaseId",
)


def output_hash(content) -> str:
    """The fingerprint of what a call produced (text, reasoning, tool call, vectors or images)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_since(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.records: list[dict] = []
        self.cloud = None

    def reset(self) -> None:
        with self.lock:
            self.records.clear()

    def append(self, record: dict, delivery: dict | None = None) -> None:
        """Journal (durably), keep, and deliver one record."""
        payload = {"record": record}
        if delivery:
            payload["delivery"] = delivery
        if self.cloud is not None:
            self.cloud.journal.append("ledger", payload)
        with self.lock:
            self.records.append(record)
        metrics(record)
        if delivery:
            deliver(delivery, record)

    def replay(self, event: dict) -> None:
        record = event.get("record")
        if not isinstance(record, dict):
            return
        with self.lock:
            self.records.append(record)
        metrics(record)
        if event.get("delivery"):
            deliver(event["delivery"], record)

    def matching(self, callers: list[str], clients: list[str]) -> list[str]:
        """Request ids of the records a caller prefix (a role's ARNs, say) or a client (User-Agent app id) names."""
        with self.lock:
            return [r["requestId"] for r in self.records
                    if any((r.get("caller") or "").startswith(p) for p in callers) or r.get("client") in clients]

    def forget(self, request_ids: list[str]) -> int:
        """Remove these records (journaled by the caller as ``ledger-delete``, so a replay removes them again)."""
        gone = set(request_ids)
        with self.lock:
            before = len(self.records)
            self.records[:] = [r for r in self.records if r.get("requestId") not in gone]
            return before - len(self.records)

    def query(self, model_id: str | None = None, caller: str | None = None, since: str | None = None) -> list[dict]:
        floor = _parse_since(since) if since else None
        with self.lock:
            records = list(self.records)
        out = []
        for r in records:
            if model_id and model_id not in (r.get("modelId"), r.get("requestedModelId")):
                continue
            if caller and r.get("caller") != caller:
                continue
            if floor is not None and r.get("_ts", 0) < floor:
                continue
            out.append({k: r[k] for k in PUBLIC_FIELDS if k in r})
        return out


_METRIC_OPERATIONS = {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}


def metrics(record: dict) -> None:
    """Bedrock's runtime metrics for one invocation (AWS/Bedrock, per ModelId), through the cloud's CloudWatch:
    not journaled again, the ledger event is their record."""
    if record.get("operation") not in _METRIC_OPERATIONS or record.get("mode") == "batch":
        return
    from ..cloudwatch.service import publish

    dims = [["ModelId", record.get("requestedModelId") or record["modelId"]]]
    values = [("Invocations", 1, "Count"), ("InvocationLatency", record["latencyMs"], "Milliseconds"),
              ("InputTokenCount", record["inputTokens"], "Count"), ("OutputTokenCount", record["outputTokens"], "Count")]
    publish("AWS/Bedrock", [{"name": n, "value": v, "unit": u, "dims": dims} for n, v, u in values],
            region=record.get("region", "us-east-1"), at=record["_ts"], journal=False)


def error_metrics(operation: str, model_id: str, status: int, region: str | None) -> None:
    """A refused runtime call: InvocationThrottles (429), InvocationClientErrors (other 4xx) or
    InvocationServerErrors (5xx) for its ModelId; it is no Invocation. Journaled (no ledger record holds it)."""
    if operation not in _METRIC_OPERATIONS or not model_id:
        return
    from ..cloudwatch.service import publish

    name = "InvocationThrottles" if status == 429 else "InvocationServerErrors" if status >= 500 else "InvocationClientErrors"
    publish("AWS/Bedrock", [{"name": name, "value": 1, "unit": "Count", "dims": [["ModelId", model_id]]}],
            region=region or "us-east-1")


def model_invocation_log(record: dict, delivery: dict) -> dict:
    """AWS's ModelInvocationLog for one record (bodies only when text/embedding delivery is enabled)."""
    entry = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": record["time"],
        "accountId": ACCOUNT_ID,
        "identity": {"arn": record["caller"]},
        "region": record.get("region", "us-east-1"),
        "requestId": record["requestId"],
        "operation": record["operation"],
        "modelId": record.get("requestedModelId") or record["modelId"],
        "input": {"inputContentType": "application/json", "inputTokenCount": record["inputTokens"]},
        "output": {"outputContentType": "application/json", "outputTokenCount": record["outputTokens"]},
    }
    if delivery.get("bodies", True):
        entry["input"]["inputBodyJson"] = delivery.get("inputBody")
        entry["output"]["outputBodyJson"] = delivery.get("outputBody")
    return entry


def deliver(delivery: dict, record: dict) -> None:
    """Write one ModelInvocationLog into moto's CloudWatch Logs and/or S3 (never fails the call)."""
    entry = model_invocation_log(record, delivery)
    region = record.get("region", "us-east-1")
    group = delivery.get("logGroupName")
    if group:
        try:
            from moto.logs.models import logs_backends

            logs = logs_backends[ACCOUNT_ID][region]
            if group in logs.groups:
                if LOG_STREAM not in logs.groups[group].streams:
                    logs.create_log_stream(group, LOG_STREAM)
                logs.put_log_events(group, LOG_STREAM, [{"timestamp": int(record["_ts"] * 1000), "message": json.dumps(entry)}])
        except Exception:  # delivery problems never break the learner's call
            log.exception("could not deliver a model invocation log to %s", group)
    bucket = delivery.get("bucketName")
    if bucket:
        try:
            from moto.s3.models import s3_backends

            s3 = s3_backends[ACCOUNT_ID]["aws"]
            s3.get_bucket(bucket)
            when = datetime.fromtimestamp(record["_ts"], timezone.utc)
            prefix = (delivery.get("keyPrefix") or "").strip("/")
            key = "/".join(p for p in (
                prefix, "AWSLogs", ACCOUNT_ID, "BedrockModelInvocationLogs", region, when.strftime("%Y/%m/%d/%H"),
                f"{when.strftime('%Y%m%dT%H%M%S%f')}_{record['requestId']}.json.gz",
            ) if p)
            s3.put_object(bucket, key, gzip.compress((json.dumps(entry) + "\n").encode("utf-8"), mtime=0))
        except Exception:
            log.exception("could not deliver a model invocation log to s3://%s", bucket)
