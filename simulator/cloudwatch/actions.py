"""Alarm actions: a state change publishes AWS's alarm notification to SNS topics, or invokes a Lambda function
with the alarm event, as the actions for the new state say (when the alarm's actions are enabled)."""

from __future__ import annotations

import functools
import json
import logging

from ..core.home import ACCOUNT_ID
from . import history
from .evaluate import iso

log = logging.getLogger("gailab.simulator.cloudwatch")


@functools.lru_cache(maxsize=64)
def region_name(region: str) -> str:
    """AWS's long region name ("US East (N. Virginia)"), as alarm notifications write it."""
    try:
        import botocore.session

        for partition in botocore.session.get_session().get_data("endpoints")["partitions"]:
            if region in partition.get("regions", {}):
                return partition["regions"][region].get("description", region)
    except Exception:
        pass
    return region


def notification(alarm, old_state: str, at: float) -> dict:
    """The JSON message CloudWatch publishes to an SNS topic."""
    trigger = {
        "MetricName": alarm.metric_name, "Namespace": alarm.namespace,
        "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic",
        "Statistic": (alarm.statistic or "").upper() if not alarm.extended_statistic else alarm.extended_statistic,
        "Unit": alarm.unit,
        "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
        "Period": alarm.period, "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm or alarm.evaluation_periods,
        "ComparisonOperator": alarm.comparison_operator, "Threshold": alarm.threshold,
        "TreatMissingData": alarm.treat_missing_data or "missing", "EvaluateLowSampleCountPercentile": "",
    }
    return {
        "AlarmName": alarm.name, "AlarmDescription": alarm.description, "AWSAccountId": ACCOUNT_ID,
        "AlarmConfigurationUpdatedTimestamp": iso(_ts(alarm.configuration_updated_timestamp)),
        "NewStateValue": alarm.state_value, "NewStateReason": alarm.state_reason, "StateChangeTime": iso(at),
        "Region": region_name(alarm.region_name), "AlarmArn": alarm.alarm_arn, "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions or []), "AlarmActions": list(alarm.alarm_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or []), "Trigger": trigger,
    }


def lambda_event(alarm, old: tuple[str, str], at: float) -> dict:
    """The event a Lambda alarm action receives."""
    return {
        "source": "aws.cloudwatch", "alarmArn": alarm.alarm_arn, "accountId": ACCOUNT_ID, "time": iso(at),
        "region": alarm.region_name,
        "alarmData": {
            "alarmName": alarm.name,
            "state": {"value": alarm.state_value, "reason": alarm.state_reason,
                      "reasonData": alarm.state_reason_data, "timestamp": iso(at)},
            "previousState": {"value": old[0], "reason": old[1]},
            "configuration": {"description": alarm.description, "metrics": [{
                "id": "m1", "metricStat": {"metric": {
                    "namespace": alarm.namespace, "name": alarm.metric_name,
                    "dimensions": {d.name: d.value for d in alarm.dimensions}},
                    "period": alarm.period, "stat": alarm.statistic or alarm.extended_statistic},
                "returnData": True}]},
        },
    }


def run(alarm, old: tuple[str, str], at: float) -> list[dict]:
    """Run the actions of the alarm's new state; one history item per action."""
    if not alarm.actions_enabled:
        return []
    arns = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
            "INSUFFICIENT_DATA": alarm.insufficient_data_actions}.get(alarm.state_value) or []
    items = []
    for arn in arns:
        try:
            if arn.startswith("arn:aws:sns:"):
                message = notification(alarm, old[0], at)
                _publish(arn, message, f'{alarm.state_value}: "{alarm.name}" in {region_name(alarm.region_name)}')
                items.append(history.action(alarm.name, arn, at, at, message))
            elif arn.startswith("arn:aws:lambda:"):
                _invoke(arn, lambda_event(alarm, old, at))
                items.append(history.action(alarm.name, arn, at, at, {"function": arn}))
            else:
                items.append(history.action(alarm.name, arn, at, at,
                                            error="The local cloud runs SNS and Lambda alarm actions only."))
        except Exception as exc:  # a missing topic or function is a failed action, never a failed evaluation
            items.append(history.action(alarm.name, arn, at, at, error=f"{type(exc).__name__}: {exc}"))
    return items


def _publish(topic_arn: str, message: dict, subject: str) -> None:
    from moto.sns.models import sns_backends

    region = topic_arn.split(":")[3]
    sns_backends[ACCOUNT_ID][region].publish(json.dumps(message), arn=topic_arn, subject=subject[:100])


def _invoke(function_arn: str, event: dict) -> None:
    from moto.awslambda.models import lambda_backends

    region = function_arn.split(":")[3]
    backend = lambda_backends[ACCOUNT_ID][region]
    fn = backend.get_function(function_arn)
    fn.invoke(json.dumps(event), {"x-amz-invocation-type": "Event"}, {})


def _ts(when) -> float:
    from .query import epoch

    return epoch(when) if when is not None else 0.0
