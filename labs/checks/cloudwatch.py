"""CloudWatch: alarms (metric, dimensions, threshold, period) and log lines."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from . import Context, error_code


def alarm(ctx: Context, name: str) -> dict | None:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    return found[0] if found else None


def wait_for_state(ctx: Context, name: str, states: tuple[str, ...] = ("ALARM",), seconds: float = 15.0,
                   interval: float = 0.25) -> dict | None:
    """The alarm once its StateValue is one of ``states``, polling until ``seconds`` pass; else its last
    description (None when it does not exist). The local cloud evaluates an alarm as soon as data arrives, so
    after the call that makes a function fail, ALARM shows up within the first poll or two."""
    deadline = time.monotonic() + seconds
    while True:
        found = alarm(ctx, name)
        if found is None or found.get("StateValue") in states or time.monotonic() >= deadline:
            return found
        time.sleep(interval)


def dimensions(alarm_info: dict) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in alarm_info.get("Dimensions", [])}


def log_lines(ctx: Context, group: str, contains: str | None = None, limit: int = 1000) -> list[str] | None:
    """Messages in a log group (filtered by a substring); None when the group does not exist."""
    try:
        events = ctx.client("logs").filter_log_events(logGroupName=group, limit=limit).get("events", [])
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    lines = [e.get("message", "") for e in events]
    return [line for line in lines if contains in line] if contains else lines
