"""What gailab changes in moto's CloudWatch (declared in ``core/motoseam.py``, installed when moto imports it).

* PutMetricAlarm validates as AWS does, starts a new alarm in INSUFFICIENT_DATA ("Unchecked: Initial alarm
  creation") and keeps the state of an alarm it updates; DeleteAlarms and SetAlarmState leave history items;
* PutMetricData stamps datapoints without a Timestamp with the time of their journal record on replay;
* GetMetricStatistics and GetMetricData (MetricStat queries) read metrics by exact dimension set (AWS's rule);
  ListMetrics lists each metric once, dimensionless ones included;
* DescribeAlarmHistory exists.

Each replacement calls into the cloud's :class:`~.service.CloudWatchService` (history, evaluation).
"""

from __future__ import annotations


def _service():
    from .service import current

    return current()


def _original(name: str):
    from ..core.motoseam import original

    return original(f"moto.cloudwatch.models:CloudWatchBackend.{name}")


def put_metric_alarm(self, name, namespace, metric_name, comparison_operator, evaluation_periods, period,
                     threshold, statistic, description, dimensions, alarm_actions, **kwargs):
    from .exceptions import check_alarm

    check_alarm(name, namespace, metric_name, comparison_operator, evaluation_periods, period, statistic,
                kwargs.get("extended_statistic"), kwargs.get("datapoints_to_alarm"),
                kwargs.get("treat_missing_data"), kwargs.get("metric_data_queries"), kwargs.get("rule"))
    previous = self.alarms.get(name)
    alarm = _original("put_metric_alarm")(self, name, namespace, metric_name, comparison_operator, evaluation_periods,
                                          period, threshold, statistic, description, dimensions, alarm_actions,
                                          **kwargs)
    service = _service()
    if service is not None:
        service.alarm_configured(self, alarm, previous)
    return alarm


def put_metric_data(self, namespace, metric_data):
    service = _service()
    stamp = service.replay_stamp() if service is not None else None
    if stamp is not None:
        metric_data = [m if m.get("Timestamp") else {**m, "Timestamp": stamp} for m in metric_data]
    _original("put_metric_data")(self, namespace, metric_data)
    if service is not None:
        service.data_arrived(self, namespace, {m.get("MetricName") for m in metric_data})


def set_alarm_state(self, alarm_name, reason, reason_data, state_value):
    alarm = self.alarms.get(alarm_name)
    old = (alarm.state_value, alarm.state_reason) if alarm is not None else None
    _original("set_alarm_state")(self, alarm_name, reason, reason_data, state_value)
    service = _service()
    if service is not None and old is not None:
        service.state_set(self, self.alarms[alarm_name], old)


def delete_alarms(self, alarm_names):
    service = _service()
    for alarm_name in alarm_names:
        alarm = self.alarms.pop(alarm_name, None)
        if alarm is not None and service is not None:
            service.alarm_deleted(self, alarm)


def get_metric_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions,
                          unit=None, extended=None):
    from moto.cloudwatch import models

    from . import query

    if start_time >= end_time:
        raise models.InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
    return query.statistics(self, namespace, metric_name, dimensions, start_time, end_time, period, stats,
                            extended, unit)


def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    from . import query

    results = _original("get_metric_data")(self, queries, start_time, end_time, scan_by)
    # moto answers MetricStat queries by dimension subset (and no namespace when dimensions are given):
    # answer those again by exact dimension set; expressions and Metrics Insights stay moto's.
    ours = {q["Id"]: query.metric_stat(self, q, start_time, end_time, scan_by == "TimestampDescending")
            for q in queries if "MetricStat" in q}
    return [ours.get(r["id"], r) if r["id"] in ours else r for r in results]


def get_filtered_metrics(self, metric_name, namespace, dimensions):
    from .query import dimension_key

    seen, found = set(), []
    for md in self.get_all_metrics():
        key = (md.namespace, md.name, dimension_key(md.dimensions))
        if key not in seen and md.filter(namespace=namespace, name=metric_name, dimensions=dimensions):
            seen.add(key)
            found.append(md)
    return found


def response_get_metric_statistics(self):
    from moto.core.responses import ActionResult

    from .exceptions import InvalidParameterCombination

    statistics = self._get_param("Statistics", [])
    extended = self._get_param("ExtendedStatistics", [])
    if not statistics and not extended:
        raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
    datapoints = self.cloudwatch_backend.get_metric_statistics(
        self._get_param("Namespace"), self._get_param("MetricName"), self._get_param("StartTime"),
        self._get_param("EndTime"), self._get_int_param("Period"), statistics,
        self._get_param("Dimensions", []), unit=self._get_param("Unit"), extended=extended,
    )
    return ActionResult({"Label": self._get_param("MetricName"), "Datapoints": datapoints})


def describe_alarm_history(self):
    from moto.core.responses import ActionResult

    from .history import describe

    service = _service()
    items, token = describe(service, self.region, self._get_params())
    result = {"AlarmHistoryItems": items}
    if token:
        result["NextToken"] = token
    return ActionResult(result)
