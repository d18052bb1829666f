"""Lambda: a function's configuration, and the live probe that invokes it."""

from __future__ import annotations

import base64
import json
import re

from botocore.exceptions import ClientError

from . import Context, error_code


def function(ctx: Context, name: str) -> dict | None:
    """get_function_configuration, or None when there is no such function."""
    try:
        return ctx.client("lambda").get_function_configuration(FunctionName=name)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def env(config: dict) -> dict:
    return (config.get("Environment") or {}).get("Variables") or {}


def policy(ctx: Context, name: str) -> dict:
    """The function's resource policy (who may invoke it); {} when none."""
    try:
        return json.loads(ctx.client("lambda").get_policy(FunctionName=name)["Policy"])
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return {}
        raise


def invoke(ctx: Context, name: str, payload) -> dict:
    """Live probe: a RequestResponse invoke with the log tail. {"status", "error", "payload", "log", "requestId"}
    (the invocation's request id, as its START and REPORT log lines name it)."""
    answer = ctx.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload).encode(), LogType="Tail")
    raw = answer["Payload"].read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    log = base64.b64decode(answer.get("LogResult", "") or b"").decode("utf-8", "replace")
    start = re.search(r"START RequestId: (\S+)", log)
    return {"status": answer.get("StatusCode"), "error": answer.get("FunctionError"), "payload": body, "log": log,
            "requestId": start.group(1) if start else None}


def error_detail(answer: dict):
    """What a failed invoke said: the errorMessage of a function error, else the payload as it came."""
    payload = answer.get("payload")
    return payload.get("errorMessage") if isinstance(payload, dict) and "errorMessage" in payload else payload
