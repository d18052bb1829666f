"""Alarm evaluation rules as pure functions: the examples of AWS's 'how alarm state is evaluated when data is
missing' tables, statistics, and the wording of state reasons."""

from __future__ import annotations

import json

import pytest

from gailab.simulator.cloudwatch.evaluate import Point, Rule, Sample, datapoints, decide, statistic

NOW = 1_800_000_000.0  # aligned to the minute
T = "GreaterThanThreshold"


def _range(pattern: str) -> list[Point | None]:
    """'0 - X - X', oldest first: 0 not breaching, X breaching, - missing (period 300, threshold 1)."""
    out = []
    for i, c in enumerate(pattern.split()):
        start = NOW - (len(pattern.split()) - 1 - i) * 300
        out.append(None if c == "-" else Point(start, 5.0 if c == "X" else 0.0, 1.0))
    return out


def _state(pattern: str, m: int, n: int, treat: str, current: str = "OK") -> str:
    rule = Rule("Average", 300, n, m, 1.0, T, treat)
    decision = decide(rule, _range(pattern), current, NOW)
    return "retain" if decision is None else decision.state


THREE_OF_THREE = [
    ("0 - X - X", "OK", "OK", "OK", "OK"),
    ("0 - - - -", "OK", "OK", "OK", "OK"),
    ("- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
    ("0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
]
TWO_OF_THREE = [
    ("0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 - X - -", "OK", "OK", "ALARM", "OK"),
    ("- - - - 0", "OK", "OK", "ALARM", "OK"),
    ("- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"),
]


@pytest.mark.parametrize("row", THREE_OF_THREE)
def test_three_of_three_alarm_follows_aws_missing_data_table(row):
    pattern, *expected = row
    got = [_state(pattern, 3, 3, t) for t in ("missing", "ignore", "breaching", "notBreaching")]
    assert got == expected


@pytest.mark.parametrize("row", TWO_OF_THREE)
def test_two_of_three_alarm_follows_aws_missing_data_table(row):
    pattern, *expected = row
    got = [_state(pattern, 2, 3, t) for t in ("missing", "ignore", "breaching", "notBreaching")]
    assert got == expected


def test_statistics_over_values_and_statistic_sets():
    samples = [Sample(NOW, 1.0), Sample(NOW, 3.0), Sample(NOW, None, count=2, total=10.0, minimum=0.5, maximum=9.5)]
    assert statistic(samples, "Sum") == 14.0
    assert statistic(samples, "SampleCount") == 4.0
    assert statistic(samples, "Average") == 3.5
    assert statistic(samples, "Minimum") == 0.5 and statistic(samples, "Maximum") == 9.5
    assert statistic([Sample(NOW, float(v)) for v in range(1, 101)], "p90") == 90.0
    assert statistic([], "Sum") is None


def test_the_range_is_period_aligned_and_counts_the_current_period():
    rule = Rule("Sum", 60, 1, 1, 1.0, "GreaterThanOrEqualToThreshold")
    samples = [Sample(NOW + 5, 1.0), Sample(NOW + 30, 1.0), Sample(NOW - 61, 7.0), Sample(NOW - 3600, 100.0)]
    points = datapoints(samples, rule, NOW + 40)
    assert [p.value if p else None for p in points] == [7.0, None, 2.0]
    assert points[-1].start == NOW and points[-1].samples == 2


def test_state_reasons_read_as_aws_writes_them():
    rule = Rule("Sum", 60, 1, 1, 1.0, "GreaterThanOrEqualToThreshold")
    alarm = decide(rule, [None, None, Point(NOW, 2.0, 2)], "OK", NOW + 12.5)
    assert alarm.state == "ALARM"
    assert alarm.reason == ("Threshold Crossed: 1 out of the last 1 datapoints [2.0 (15/01/27 08:00:00)] was greater "
                            "than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).")
    data = alarm.reason_data
    assert data["statistic"] == "Sum" and data["period"] == 60 and data["recentDatapoints"] == [2.0]
    assert data["evaluatedDatapoints"] == [{"timestamp": "2027-01-15T08:00:00.000+0000", "sampleCount": 2, "value": 2.0}]
    assert data["queryDate"] == "2027-01-15T08:00:12.500+0000"
    json.dumps(data)
    ok = decide(rule, [None, None, Point(NOW, 0.0, 1)], "ALARM", NOW)
    assert ok.state == "OK" and "was not greater than or equal to the threshold (1.0)" in ok.reason
    assert "(minimum 1 datapoint for ALARM -> OK transition)" in ok.reason
    unknown = decide(rule, [None, None, None], "OK", NOW)
    assert unknown.state == "INSUFFICIENT_DATA" and unknown.reason == "Insufficient Data: 3 datapoints were unknown."
    filled = decide(Rule("Sum", 60, 2, 2, 1.0, T, "breaching"), [None] * 4, "OK", NOW)
    assert filled.state == "ALARM" and filled.reason == (
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].")


def test_m_out_of_n_lists_the_breaching_datapoints_newest_first():
    rule = Rule("Maximum", 60, 3, 2, 10.0, T)
    points = [None, None, Point(NOW - 120, 11.0, 1), Point(NOW - 60, 3.0, 1), Point(NOW, 12.0, 1)]
    decision = decide(rule, points, "OK", NOW)
    assert decision.state == "ALARM"
    assert decision.reason.startswith("Threshold Crossed: 2 out of the last 3 datapoints [12.0 (15/01/27 08:00:00), "
                                      "11.0 (15/01/27 07:58:00)] were greater than the threshold (10.0)")
    assert decision.reason.endswith("(minimum 2 datapoints for OK -> ALARM transition).")


def test_every_moto_target_of_the_cloudwatch_patches_is_pinned(cloud, aws):
    """moto must still have what we wrap (only DescribeAlarmHistory is ours), and the patched names are ours
    (they are declared in core/motoseam.py, whose contract test pins their signatures)."""
    import importlib

    from gailab.simulator.core import motoseam

    aws("cloudwatch").describe_alarms()  # moto imports CloudWatch on first use; the patches follow
    ours = [p for p in motoseam.PATCHES if p.module.startswith("moto.cloudwatch")]
    assert len(ours) == 9
    for patch in ours:
        klass = getattr(importlib.import_module(patch.module), patch.path[0])
        assert getattr(klass, patch.path[1]).__module__ == "gailab.simulator.cloudwatch.patches", patch.target
        assert (motoseam.original(patch.target) is None) == patch.adds, patch.target
