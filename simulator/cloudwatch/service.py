"""CloudWatch metrics and alarms that behave: the cloud's services publish metrics, alarms change state.

moto stores metrics and alarms but never evaluates an alarm. This extension:

* publishes the metrics our services emit (``publish``: AWS/Lambda per invocation, AWS/SageMaker per endpoint
  invocation, AWS/Bedrock errors and throttles) into moto's CloudWatch, journaled as ``cw-metrics`` events so they
  survive a restart (Bedrock's invocation metrics come back from the ledger, SageMaker's from its Invoke events);
* evaluates alarms with AWS's rules (``evaluate.py``) when new data arrives — at once, so a learner testing an
  alarm sees it flip within the same second — and on a clock (every period, at most every minute, as AWS
  does), so an alarm whose data stops moves on;
* journals each state transition (``cw-alarm``: state, reason, reason data, the history items and the actions
  it ran) and replays it as it was, with the same timestamps; configuration and SetAlarmState history is
  derived again from the journaled requests;
* takes the CloudWatch requests that change alarms or data (PutMetricAlarm, PutMetricData, SetAlarmState,
  DeleteAlarms) plus DescribeAlarmHistory, lets moto (patched in ``patches.py``) serve them, journals the
  request itself and only then evaluates, so a transition is never journaled before the request that caused it.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from werkzeug.wrappers import Response

from ..core import determinism, motoseam
from ..core.extensions import Extension
from ..core.home import ACCOUNT_ID
from . import actions, history
from .evaluate import OPERATORS, Rule, datapoints, decide
from .query import epoch, naive, samples

log = logging.getLogger("gailab.simulator.cloudwatch")

_current: "CloudWatchService | None" = None
_CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z]+)/?$")
_WRITES = {"PutMetricAlarm", "PutMetricData", "SetAlarmState", "DeleteAlarms"}
_TAKEN = _WRITES | {"DescribeAlarmHistory"}
#: Seconds between clock ticks; each alarm is evaluated when min(period, 60) s passed since its last evaluation.
TICK = 1.0


def current() -> "CloudWatchService | None":
    return _current


def _operation(info) -> str | None:
    op = info.operation()
    if op is None:
        m = _CBOR_PATH.match(info.path)
        op = m.group(1) if m else None
    return op


class CloudWatchService(Extension):
    name = "cloudwatch"
    event_kinds = ("cw-metrics", "cw-alarm")

    def __init__(self):
        self.lock = threading.RLock()
        self._history: dict[str, list[dict]] = {}
        self._evaluated: dict[tuple[str, str], float] = {}
        self._local = threading.local()
        self._live = False
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None
        self.transitions = 0
        self.cloud = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    def attach(self, cloud) -> None:
        global _current
        self.cloud = cloud
        _current = self  # moto's CloudWatch is patched through core/motoseam.py (patches.py)

    def ready(self) -> None:
        """The journal is replayed: evaluate every alarm once (time passed while the cloud was down), then tick."""
        self._live = True
        self.tick(force=True)
        self._clock = threading.Thread(target=self._run_clock, name="gailab-cloudwatch-clock", daemon=True)
        self._clock.start()

    def reset(self) -> None:
        with self.lock:
            self._history.clear()
            self._evaluated.clear()

    def stop(self) -> None:
        global _current
        self._stop.set()
        if self._clock is not None:
            self._clock.join(timeout=5)
        if _current is self:
            _current = None

    def health(self) -> dict:
        return {"status": "ready", "alarmTransitions": self.transitions}

    # -- requests -------------------------------------------------------------------------------------------
    def matches(self, info) -> bool:
        return info.service == "monitoring" and _operation(info) in _TAKEN

    def handle(self, info) -> Response:
        op = _operation(info)
        self._local.dirty = set()
        try:
            response = self.cloud.router.call_moto(info)
            if info.replaying or op not in _WRITES:
                info.journal = False
                return response
            if 200 <= response.status_code < 300:
                # Journal the request now (with its request time), so the transitions it causes are journaled after it.
                self.cloud.journal.append("http", self.cloud.router.record_of(info))
            info.journal = False
            self._evaluate_dirty()
            return response
        finally:
            self._local.dirty = None

    # -- hooks the moto patches call ------------------------------------------------------------------------
    def replay_stamp(self):
        """During replay, the naive UTC time of the journal record being replayed (else None)."""
        from ..core.router import replay_time

        stamp = replay_time()
        return naive(stamp) if stamp is not None else None

    def _now(self) -> float:
        """The request's journal time (the same on replay), else now."""
        from ..core.router import request_time

        return request_time() or time.time()

    def alarm_configured(self, backend, alarm, previous) -> None:
        at = self._now()
        alarm.configuration_updated_timestamp = naive(at)
        if previous is not None:  # AWS leaves an updated alarm's state as it was
            for attr in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                setattr(alarm, attr, getattr(previous, attr))
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
            alarm.state_reason_data = None
            alarm.state_updated_timestamp = naive(at)
        self._record(backend.region_name, history.configuration(alarm, "updated" if previous else "created", at,
                                                                previous))
        self._evaluated.pop((backend.region_name, alarm.name), None)
        self._mark(backend.region_name, alarm.name)

    def alarm_deleted(self, backend, alarm) -> None:
        self._record(backend.region_name, history.configuration(alarm, "deleted", self._now()))
        self._evaluated.pop((backend.region_name, alarm.name), None)

    def state_set(self, backend, alarm, old: tuple[str, str]) -> None:
        """SetAlarmState: a history item, the actions (live only); it lasts until the next evaluation."""
        at = self._now()
        alarm.state_updated_timestamp = naive(at)
        items = [history.state_update(alarm.name, old, alarm.state_value, alarm.state_reason,
                                      alarm.state_reason_data, at)]
        from ..core.router import replaying

        if old[0] != alarm.state_value and self._live and not replaying():
            items += actions.run(alarm, old, at)
        for entry in items:
            self._record(backend.region_name, entry)
        self._evaluated[(backend.region_name, alarm.name)] = at

    def data_arrived(self, backend, namespace: str, names: set) -> None:
        for alarm in list(backend.alarms.values()):
            if alarm.namespace == namespace and alarm.metric_name in names:
                self._mark(backend.region_name, alarm.name)
            elif any(q.metric_stat and q.metric_stat.metric.namespace == namespace
                     and q.metric_stat.metric.metric_name in names for q in alarm.metric_data_queries):
                self._mark(backend.region_name, alarm.name)

    def _mark(self, region: str, name: str) -> None:
        dirty = getattr(self._local, "dirty", None)
        if dirty is not None:
            dirty.add((region, name))

    # -- publishing -----------------------------------------------------------------------------------------
    def publish(self, namespace: str, data: list[dict], *, region: str = "us-east-1", at: float | None = None,
                journal: bool = True) -> None:
        """Put datapoints ``{"name", "value", "unit", "dims": [[name, value], ...]}`` and evaluate their alarms."""
        at = time.time() if at is None else at
        if journal and self.cloud is not None:
            self.cloud.journal.append("cw-metrics", {"region": region, "namespace": namespace, "at": at, "data": data})
        put(namespace, data, region=region, at=at)
        if self._live:
            self.evaluate_metric(region, namespace, {d["name"] for d in data})

    # -- evaluation -----------------------------------------------------------------------------------------
    def _evaluate_dirty(self) -> None:
        dirty = getattr(self._local, "dirty", None) or set()
        if not dirty or not self._live:
            return
        from moto.cloudwatch.models import cloudwatch_backends

        for region, name in sorted(dirty):
            backend = cloudwatch_backends[ACCOUNT_ID][region]
            alarm = backend.alarms.get(name)
            if alarm is not None:
                self.evaluate(backend, alarm)

    def evaluate_metric(self, region: str, namespace: str, names: set) -> None:
        from moto.cloudwatch.models import cloudwatch_backends

        backend = cloudwatch_backends[ACCOUNT_ID][region]
        for alarm in list(backend.alarms.values()):
            if alarm.namespace == namespace and alarm.metric_name in names:
                self.evaluate(backend, alarm)
            elif any(q.metric_stat and q.metric_stat.metric.namespace == namespace
                     and q.metric_stat.metric.metric_name in names for q in alarm.metric_data_queries):
                self.evaluate(backend, alarm)

    def tick(self, force: bool = False) -> None:
        """Evaluate the alarms that are due (every alarm when ``force``)."""
        models = motoseam.loaded("moto.cloudwatch.models")
        if models is None or not self._live:
            return  # nobody used CloudWatch yet
        now = time.time()
        for region, backend in list(models.cloudwatch_backends[ACCOUNT_ID].items()):
            for alarm in list(backend.alarms.values()):
                rule = rule_of(alarm)
                if rule is None:
                    continue
                last = self._evaluated.get((region, alarm.name), 0.0)
                if force or now - last >= min(rule.period, 60):
                    self.evaluate(backend, alarm, now)

    def evaluate(self, backend, alarm, now: float | None = None) -> None:
        rule = rule_of(alarm)
        if rule is None:
            return
        with self.lock:
            if backend.alarms.get(alarm.name) is not alarm:
                return  # deleted or replaced meanwhile
            now = time.time() if now is None else now
            metric = metric_of(alarm)
            data = samples(backend, *metric, since=now - rule.period * (rule.evaluation_periods + 3))
            decision = decide(rule, datapoints(data, rule, now), alarm.state_value, now)
            self._evaluated[(backend.region_name, alarm.name)] = now
            if decision is None or decision.state == alarm.state_value:
                return
            self._transition(backend, alarm, decision, now)

    def _transition(self, backend, alarm, decision, at: float) -> None:
        import json

        old = (alarm.state_value, alarm.state_reason)
        reason_data = json.dumps(decision.reason_data, separators=(",", ":"))
        _apply(alarm, decision.state, decision.reason, reason_data, at)
        items = [history.state_update(alarm.name, old, decision.state, decision.reason, decision.reason_data, at)]
        items += actions.run(alarm, old, at)
        if self.cloud is not None:
            self.cloud.journal.append("cw-alarm", {"region": backend.region_name, "alarm": alarm.name,
                                                   "state": decision.state, "reason": decision.reason,
                                                   "reasonData": reason_data, "at": at, "items": items})
        for entry in items:
            self._record(backend.region_name, entry)
        self.transitions += 1
        log.info("alarm %s: %s -> %s", alarm.name, old[0], decision.state)

    # -- history --------------------------------------------------------------------------------------------
    def _record(self, region: str, entry: dict) -> None:
        with self.lock:
            items = self._history.setdefault(region, [])
            items.append(entry)
            if len(items) % 500 == 0:
                self._history[region] = history.prune(items, time.time())

    def history_of(self, region: str) -> list[dict]:
        with self.lock:
            return list(self._history.get(region, []))

    # -- replay ---------------------------------------------------------------------------------------------
    def replay_event(self, record: dict) -> None:
        kind = record.get("kind")
        if kind == "cw-metrics":
            put(record["namespace"], record.get("data") or [], region=record.get("region", "us-east-1"),
                at=record.get("at", record.get("time")))
        elif kind == "cw-alarm":
            from moto.cloudwatch.models import cloudwatch_backends

            region = record.get("region", "us-east-1")
            alarm = cloudwatch_backends[ACCOUNT_ID][region].alarms.get(record.get("alarm"))
            if alarm is not None:
                _apply(alarm, record["state"], record["reason"], record.get("reasonData"), record["at"])
            for entry in record.get("items") or []:
                self._record(region, entry)

    # -- the clock ------------------------------------------------------------------------------------------
    def _run_clock(self) -> None:
        while not self._stop.wait(TICK):
            self.clock_tick()

    def clock_tick(self) -> None:
        """One tick of the clock thread: the alarms that are due, with the request state held still."""
        try:
            with self.cloud.state_lock.shared():
                self.tick()
        except Exception:  # one bad alarm never stops the clock
            log.exception("alarm evaluation failed")


def _apply(alarm, state: str, reason: str, reason_data: str | None, at: float) -> None:
    alarm.state_value = state
    alarm.state_reason = reason
    alarm.state_reason_data = reason_data
    alarm.state_updated_timestamp = naive(at)


def metric_of(alarm) -> tuple[str, str, list, str | None]:
    """(namespace, metric name, dimensions, unit) an alarm watches."""
    for q in alarm.metric_data_queries:
        if q.metric_stat is not None and q.return_data in (None, True, "true", "True"):
            m = q.metric_stat.metric
            return m.namespace, m.metric_name, list(m.dimensions), q.metric_stat.unit
    return alarm.namespace, alarm.metric_name, list(alarm.dimensions), alarm.unit


def rule_of(alarm) -> Rule | None:
    """The evaluation rule of a metric alarm (None: composite, anomaly-band or math-expression alarms)."""
    if alarm.rule is not None or alarm.comparison_operator not in OPERATORS:
        return None
    stat, period = alarm.extended_statistic or alarm.statistic, alarm.period
    if alarm.metric_data_queries:
        queries = [q for q in alarm.metric_data_queries if q.return_data in (None, True, "true", "True")]
        if len(queries) != 1 or queries[0].metric_stat is None:
            return None
        stat, period = queries[0].metric_stat.stat, queries[0].metric_stat.period
    if not stat or not period or alarm.evaluation_periods is None or alarm.threshold is None:
        return None
    n = int(alarm.evaluation_periods)
    return Rule(stat, int(period), n, int(alarm.datapoints_to_alarm or n), float(alarm.threshold),
                alarm.comparison_operator, alarm.treat_missing_data or "missing")


def put(namespace: str, data: list[dict], *, region: str = "us-east-1", at: float | None = None) -> None:
    """Datapoints straight into moto's CloudWatch (no validation, no journal)."""
    from moto.cloudwatch.models import MetricDatum, cloudwatch_backends

    when = naive(time.time() if at is None else at)
    with determinism.unseeded():
        backend = cloudwatch_backends[ACCOUNT_ID][region]
    for d in data:
        dims = [{"Name": k, "Value": v} for k, v in d.get("dims") or []]
        backend.metric_data.append(MetricDatum(namespace, d["name"], float(d["value"]), dims, when, d.get("unit")))


def publish(namespace: str, data: list[dict], *, region: str = "us-east-1", at: float | None = None,
            journal: bool = True) -> None:
    """What other services call: through the cloud's CloudWatch service when it runs, else straight to moto."""
    service = _current
    try:
        if service is not None:
            service.publish(namespace, data, region=region, at=at, journal=journal)
        else:
            put(namespace, data, region=region, at=at)
    except Exception:  # metrics never fail the call that produced them
        log.exception("could not publish %s metrics", namespace)


__all__ = ["CloudWatchService", "publish", "put", "current", "epoch"]
