"""CloudWatch: alarms (metric, dimensions, threshold, period) and log lines."""

from __future__ import annotations

from botocore.exceptions import ClientError

from . import Context, error_code


def alarm(ctx: Context, name: str) -> dict | None:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    return found[0] if found else None


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
