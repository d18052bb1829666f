"""PutMetricAlarm's validation, raised as moto's CloudWatch errors so every protocol gets AWS's shape."""

from __future__ import annotations

from moto.cloudwatch.exceptions import InvalidParameterCombination, InvalidParameterValue, ValidationError

from .evaluate import OPERATORS, STATISTICS, TREATMENTS

__all__ = ["InvalidParameterCombination", "InvalidParameterValue", "ValidationError", "check_alarm"]

_ANOMALY_OPERATORS = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")


def _enum_error(value, member: str, allowed) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def check_alarm(name, namespace, metric_name, comparison, evaluation_periods, period, statistic, extended,
                datapoints_to_alarm, treat_missing, metric_queries, rule) -> None:
    if rule is not None:  # composite alarms (PutCompositeAlarm) are moto's
        return
    if comparison not in OPERATORS and comparison not in _ANOMALY_OPERATORS:
        raise _enum_error(comparison, "comparisonOperator", [*OPERATORS, *_ANOMALY_OPERATORS])
    if statistic and statistic not in STATISTICS:
        raise _enum_error(statistic, "statistic", STATISTICS)
    if statistic and extended:
        raise InvalidParameterCombination(
            "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
    if treat_missing is not None and treat_missing not in TREATMENTS:
        raise ValidationError(f"Option {treat_missing} is not supported. Supported options for parameter "
                              "TreatMissingData are missing, ignore, breaching and notBreaching.")
    if not metric_queries:
        if period is not None and int(period) not in (10, 30) and int(period) % 60 != 0:
            raise ValidationError("Period must be 10, 30 or a multiple of 60")
    if datapoints_to_alarm is not None and evaluation_periods is not None and \
            int(datapoints_to_alarm) > int(evaluation_periods):
        raise ValidationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
