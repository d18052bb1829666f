"""How a CloudWatch metric alarm decides its state: AWS's evaluation rules as pure functions.

``datapoints`` turns raw metric data into one value per period (the alarm's statistic); ``decide`` applies the
alarm's rule to the evaluation range, the ``EvaluationPeriods + 2`` most recent periods (AWS retrieves more
periods than it evaluates), oldest first, ``None`` where a period has no data:

* with at least N (EvaluationPeriods) real datapoints in the range, the N most recent decide: M
  (DatapointsToAlarm) breaching → ALARM, else OK; how missing data is treated does not matter;
* with fewer, the missing ones are filled as few times as possible, as TreatMissingData says: ``breaching``
  and ``notBreaching`` fill with that; ``missing`` gives ALARM when M real points breach, OK when a real point
  does not, else INSUFFICIENT_DATA; ``ignore`` is the same but keeps the current state where ``missing`` would
  give INSUFFICIENT_DATA.

State reasons and reason data follow what AWS writes ("Threshold Crossed: 1 out of the last 1 datapoints
[2.0 (02/12/26 05:17:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM
transition).").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREATMENTS = ("breaching", "notBreaching", "ignore", "missing")
OPERATORS = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}
#: Periods retrieved beyond EvaluationPeriods (AWS: 5 retrieved for a 3-of-3 alarm).
EXTRA_PERIODS = 2


@dataclass(frozen=True)
class Rule:
    """What an alarm evaluates: one metric statistic against a threshold."""

    statistic: str  # one of STATISTICS, or a percentile such as "p90"
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"

    def breaching(self, value: float) -> bool:
        return OPERATORS[self.comparison][1](value, self.threshold)


@dataclass(frozen=True)
class Sample:
    """One raw datum: a value, or pre-aggregated statistic values (PutMetricData StatisticValues)."""

    at: float
    value: float | None = None
    count: float = 1.0
    total: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Point:
    """The statistic of one period."""

    start: float
    value: float
    samples: float


@dataclass
class Decision:
    state: str
    reason: str
    reason_data: dict = field(default_factory=dict)


def period_start(ts: float, period: int) -> float:
    return math.floor(ts / period) * period


def statistic(samples: list[Sample], stat: str) -> float | None:
    """One statistic over the samples of a period (None when it cannot be computed)."""
    if not samples:
        return None
    count = sum(s.count for s in samples)
    total = sum(s.total if s.total is not None else (s.value or 0.0) for s in samples)
    if stat == "SampleCount":
        return count
    if stat == "Sum":
        return total
    if stat == "Average":
        return total / count if count else None
    if stat == "Minimum":
        return min(s.minimum if s.minimum is not None else s.value for s in samples)
    if stat == "Maximum":
        return max(s.maximum if s.maximum is not None else s.value for s in samples)
    if stat.startswith("p"):
        values = sorted(s.value for s in samples if s.value is not None)
        try:
            q = float(stat[1:]) / 100
        except ValueError:
            return None
        if not values or not 0 <= q <= 1:
            return None
        index = max(0, math.ceil(q * len(values)) - 1)
        return values[index]
    return None


def datapoints(samples: list[Sample], rule: Rule, now: float) -> list[Point | None]:
    """The evaluation range, oldest first: one point per period (the current one included), None if empty."""
    periods = rule.evaluation_periods + EXTRA_PERIODS
    newest = period_start(now, rule.period)
    oldest = newest - (periods - 1) * rule.period
    buckets: dict[float, list[Sample]] = {}
    for sample in samples:
        start = period_start(sample.at, rule.period)
        if oldest <= start <= newest:
            buckets.setdefault(start, []).append(sample)
    out: list[Point | None] = []
    for i in range(periods):
        start = oldest + i * rule.period
        value = statistic(buckets.get(start, []), rule.statistic)
        out.append(None if value is None else Point(start, value, sum(s.count for s in buckets[start])))
    return out


def decide(rule: Rule, points: list[Point | None], current: str, now: float) -> Decision | None:
    """The state the rule gives for the range (None: keep the current state, as ``ignore`` does)."""
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    real = [p for p in points if p is not None]
    if len(real) >= n:
        evaluated = real[-n:]
        hot = [p for p in evaluated if rule.breaching(p.value)]
        state = "ALARM" if len(hot) >= m else "OK"
        return _threshold(rule, state, current, evaluated, hot, 0, now)
    fill = n - len(real)
    hot = [p for p in real if rule.breaching(p.value)]
    if rule.treat_missing == "breaching":
        state = "ALARM" if len(hot) + fill >= m else "OK"
        return _threshold(rule, state, current, real, hot, fill, now, filled_as="Breaching")
    if rule.treat_missing == "notBreaching":
        state = "ALARM" if len(hot) >= m else "OK"
        return _threshold(rule, state, current, real, hot, fill, now, filled_as="NonBreaching")
    if len(hot) >= m:
        return _threshold(rule, "ALARM", current, real, hot, 0, now)
    if len(hot) < len(real):
        return _threshold(rule, "OK", current, real, hot, 0, now)
    if rule.treat_missing == "ignore":
        return None
    unknown = len(points) if not real else fill
    return Decision("INSUFFICIENT_DATA", f"Insufficient Data: {_count(unknown, 'datapoint')} "
                    f"{'was' if unknown == 1 else 'were'} unknown.", _reason_data(rule, real, now, points))


def _threshold(rule: Rule, state: str, current: str, real: list[Point], hot: list[Point], fill: int, now: float,
               filled_as: str = "") -> Decision:
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    words = OPERATORS[rule.comparison][0]
    data = _reason_data(rule, real, now)
    if not real and fill:
        reason = (f"Threshold Crossed: no datapoints were received for {_count(fill, 'period')} and "
                  f"{_count(fill, 'missing datapoint')} {'was' if fill == 1 else 'were'} treated as [{filled_as}].")
        return Decision(state, reason, data)
    if state == "ALARM":
        shown, counted, verb, needed = hot, len(hot) + (fill if filled_as == "Breaching" else 0), words, m
    else:
        cool = [p for p in real if p not in hot]
        shown, counted, verb, needed = cool, len(cool) + (fill if filled_as == "NonBreaching" else 0), f"not {words}", n - m + 1
    listed = ", ".join(f"{_num(p.value)} ({_short(p.start)})" for p in reversed(shown))
    reason = (f"Threshold Crossed: {counted} out of the last {n} datapoints [{listed}] "
              f"{'was' if counted == 1 else 'were'} {verb} the threshold ({_num(rule.threshold)}) "
              f"(minimum {_count(needed, 'datapoint')} for {current} -> {state} transition).")
    return Decision(state, reason, data)


def _reason_data(rule: Rule, real: list[Point], now: float, points: list[Point | None] | None = None) -> dict:
    data: dict = {"version": "1.0", "queryDate": iso(now)}
    first = real[0].start if real else (next((p.start for p in points or [] if p), None))
    if first is None and points is not None:
        first = period_start(now, rule.period) - (len(points) - 1) * rule.period
    if first is not None:
        data["startDate"] = iso(first)
    key = "statistic" if rule.statistic in STATISTICS else "extendedStatistic"
    data[key] = rule.statistic
    data.update({"period": rule.period, "recentDatapoints": [p.value for p in real], "threshold": rule.threshold})
    if real:
        data["evaluatedDatapoints"] = [{"timestamp": iso(p.start), "sampleCount": p.samples, "value": p.value}
                                       for p in reversed(real)]
    return data


def iso(ts: float) -> str:
    """AWS's timestamp in reason data: 2019-11-21T04:18:51.691+0000."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _short(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def _num(value: float) -> str:
    return repr(float(value))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
