"""Reading metric data as CloudWatch does: one metric is a namespace, a name and an exact set of dimensions.

moto matches a query's dimensions as a subset (a query for FunctionName=f also returns datapoints that carry
FunctionName and Resource) and, without dimensions, returns every datapoint of the name. AWS treats each
dimension combination as its own metric; these functions do too, for GetMetricStatistics, GetMetricData's
MetricStat queries and the alarm evaluator, and align periods to multiples of the period as AWS does.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .evaluate import STATISTICS, Sample, period_start, statistic


def epoch(when: datetime) -> float:
    """moto keeps naive UTC datetimes; parsed request times may be aware."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def naive(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def dimension_key(dimensions) -> frozenset:
    """The identity of a dimension set, from moto Dimension objects or {"Name", "Value"} dicts."""
    pairs = []
    for d in dimensions or []:
        if isinstance(d, dict):
            pairs.append((d.get("Name"), d.get("Value")))
        else:
            pairs.append((d.name, d.value))
    return frozenset(pairs)


def samples(backend, namespace: str, name: str, dimensions, unit: str | None = None,
            since: float | None = None, until: float | None = None) -> list[Sample]:
    """The raw data of one metric (exact dimensions), as evaluator samples."""
    key = dimension_key(dimensions)
    out = []
    for md in list(backend.metric_data):
        if md.namespace != namespace or md.name != name or dimension_key(md.dimensions) != key:
            continue
        if unit and md.unit and md.unit != unit:
            continue
        at = epoch(md.timestamp)
        if (since is not None and at < since) or (until is not None and at >= until):
            continue
        if hasattr(md, "value"):
            out.append(Sample(at, float(md.value)))
        else:
            out.append(Sample(at, None, float(md.sample_count), float(md.sum), float(md.min), float(md.max)))
    return out


def statistics(backend, namespace, name, dimensions, start: datetime, end: datetime, period: int,
               stats: list[str], extended: list[str] | None = None, unit: str | None = None) -> list[dict]:
    """GetMetricStatistics' datapoints, oldest first: one per period that has data."""
    since, until = epoch(start), epoch(end)
    buckets: dict[float, list[Sample]] = {}
    units: dict[float, str | None] = {}
    for sample in samples(backend, namespace, name, dimensions, unit, since, until):
        start_of = period_start(sample.at, period)
        buckets.setdefault(start_of, []).append(sample)
    for md in backend.metric_data:  # the unit each period reports
        if md.namespace == namespace and md.name == name and md.unit:
            units.setdefault(period_start(epoch(md.timestamp), period), md.unit)
    points = []
    for start_of in sorted(buckets):
        point: dict = {"Timestamp": naive(start_of), "Unit": unit or units.get(start_of) or "None"}
        for stat in stats:
            value = statistic(buckets[start_of], stat)
            if value is not None:
                point[stat] = value
        if extended:
            point["ExtendedStatistics"] = {p: v for p in extended
                                           if (v := statistic(buckets[start_of], p)) is not None}
        points.append(point)
    return points


def metric_stat(backend, query: dict, start: datetime, end: datetime, descending: bool) -> dict:
    """One GetMetricData MetricStat query, as a MetricDataResult."""
    stat = query["MetricStat"]
    metric = stat["Metric"]
    period = int(stat["Period"])
    name = stat["Stat"]
    points = statistics(backend, metric.get("Namespace"), metric.get("MetricName"), metric.get("Dimensions", []),
                        start, end, period, [name] if name in STATISTICS else [],
                        None if name in STATISTICS else [name], stat.get("Unit"))
    pairs = []
    for p in points:
        value = p.get(name) if name in STATISTICS else p.get("ExtendedStatistics", {}).get(name)
        if value is not None:
            pairs.append((p["Timestamp"], value))
    if descending:
        pairs.reverse()
    return {
        "id": query["Id"],
        "label": query.get("Label") or metric.get("MetricName"),
        "timestamps": [t for t, _ in pairs],
        "values": [v for _, v in pairs],
        "status_code": "Complete",
    }
