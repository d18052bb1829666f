"""Alarm history items (DescribeAlarmHistory): what AWS records when an alarm is created, updated, deleted,
changes state, or runs an action. CloudWatch keeps history for two weeks; so does the local cloud."""

from __future__ import annotations

import json
from datetime import datetime

from .evaluate import iso
from .query import epoch, naive

RETENTION_SECONDS = 14 * 24 * 3600
ITEM_TYPES = ("ConfigurationUpdate", "StateUpdate", "Action", "AlarmContributorStateUpdate", "AlarmContributorAction")


def item(alarm_name: str, kind: str, summary: str, data: dict, at: float, alarm_type: str = "MetricAlarm") -> dict:
    return {"AlarmName": alarm_name, "AlarmType": alarm_type, "Timestamp": at, "HistoryItemType": kind,
            "HistorySummary": summary, "HistoryData": json.dumps(data, separators=(",", ":"))}


def alarm_config(alarm) -> dict:
    """An alarm's configuration as history data shows it."""
    config = {
        "alarmName": alarm.name, "alarmArn": alarm.alarm_arn, "namespace": alarm.namespace,
        "metricName": alarm.metric_name,
        "dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
        "statistic": alarm.statistic, "extendedStatistic": alarm.extended_statistic,
        "period": alarm.period, "evaluationPeriods": alarm.evaluation_periods,
        "datapointsToAlarm": alarm.datapoints_to_alarm, "threshold": alarm.threshold,
        "comparisonOperator": alarm.comparison_operator, "treatMissingData": alarm.treat_missing_data,
        "actionsEnabled": alarm.actions_enabled, "alarmActions": list(alarm.alarm_actions or []),
        "okActions": list(alarm.ok_actions or []),
        "insufficientDataActions": list(alarm.insufficient_data_actions or []),
        "alarmDescription": alarm.description, "unit": alarm.unit,
    }
    return {k: v for k, v in config.items() if v not in (None, "")}


def configuration(alarm, how: str, at: float, previous=None) -> dict:
    """'Alarm "x" created|updated|deleted'."""
    kind = {"created": "Create", "updated": "Update", "deleted": "Delete"}[how]
    data: dict = {"version": "1.0", "type": kind}
    data[{"Create": "createdAlarm", "Update": "updatedAlarm", "Delete": "deletedAlarm"}[kind]] = alarm_config(alarm)
    if previous is not None:
        data["originalAlarm"] = alarm_config(previous)
    return item(alarm.name, "ConfigurationUpdate", f'Alarm "{alarm.name}" {how}', data, at)


def state_update(alarm_name: str, old: tuple[str, str], new_state: str, new_reason: str, reason_data: str | dict | None,
                 at: float) -> dict:
    new: dict = {"stateValue": new_state, "stateReason": new_reason}
    if reason_data:
        try:
            new["stateReasonData"] = json.loads(reason_data) if isinstance(reason_data, str) else reason_data
        except ValueError:
            pass
    data = {"version": "1.0", "oldState": {"stateValue": old[0], "stateReason": old[1]}, "newState": new}
    return item(alarm_name, "StateUpdate", f"Alarm updated from {old[0]} to {new_state}", data, at)


def action(alarm_name: str, arn: str, at: float, state_at: float, message: dict | None = None,
           error: str | None = None) -> dict:
    if error is None:
        data = {"actionState": "Succeeded", "stateUpdateTimestamp": int(state_at * 1000),
                "notificationResource": arn, "publishedMessage": json.dumps(message or {})}
        return item(alarm_name, "Action", f"Successfully executed action {arn}", data, at)
    data = {"actionState": "Failed", "stateUpdateTimestamp": int(state_at * 1000), "error": error}
    return item(alarm_name, "Action", f"Failed to execute action {arn}. Received error: {error}", data, at)


def describe(service, region: str, params: dict) -> tuple[list[dict], str | None]:
    """DescribeAlarmHistory over one region's items: filters, order, MaxRecords and NextToken."""
    from .exceptions import InvalidParameterValue

    items = service.history_of(region) if service is not None else []
    name = params.get("AlarmName")
    kind = params.get("HistoryItemType")
    types = params.get("AlarmTypes") or []
    start, end = params.get("StartDate"), params.get("EndDate")
    if kind and kind not in ITEM_TYPES:
        raise InvalidParameterValue(f"The value {kind} for parameter HistoryItemType is not supported.")
    since = epoch(start) if isinstance(start, datetime) else None
    until = epoch(end) if isinstance(end, datetime) else None
    chosen = [i for i in items
              if (not name or i["AlarmName"] == name) and (not kind or i["HistoryItemType"] == kind)
              and (not types or i["AlarmType"] in types)
              and (since is None or i["Timestamp"] >= since) and (until is None or i["Timestamp"] <= until)]
    chosen.sort(key=lambda i: i["Timestamp"], reverse=params.get("ScanBy", "TimestampDescending") != "TimestampAscending")
    try:
        offset = int(params.get("NextToken") or 0)
    except ValueError:
        raise InvalidParameterValue("The service returned an invalid NextToken.") from None
    limit = int(params.get("MaxRecords") or 100)
    page = chosen[offset:offset + limit]
    token = str(offset + limit) if offset + limit < len(chosen) else None
    return [{**i, "Timestamp": naive(i["Timestamp"])} for i in page], token


def prune(items: list[dict], now: float) -> list[dict]:
    return [i for i in items if i["Timestamp"] >= now - RETENTION_SECONDS]


__all__ = ["item", "configuration", "state_update", "action", "describe", "prune", "iso"]
