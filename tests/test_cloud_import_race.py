"""Background threads never see a moto module half imported ("partially initialized module 'moto.cloudwatch.models'").

A request thread that uses CloudWatch first imports moto's module; until that import ends, the module is already in
sys.modules. The alarm clock reads it from there, so a cloud imports it at start, before its threads run, and the
seam's ``loaded`` never hands out a module another thread is still executing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import types

from gailab.simulator.core import motoseam

# A fresh interpreter (moto's module must not be imported yet): a cloud, two threads doing what the alarm clock does
# with no pause between ticks, and at once the first CloudWatch requests, which evaluate the alarm too.
_SCRIPT = textwrap.dedent(
    """
    import json, logging, sys, threading

    import boto3
    from botocore.config import Config

    logged = []

    class Capture(logging.Handler):
        def emit(self, record):
            logged.append(record.getMessage() + (" " + repr(record.exc_info[1]) if record.exc_info else ""))

    logging.getLogger().addHandler(Capture(level=logging.WARNING))
    before = "moto.cloudwatch.models" in sys.modules
    from gailab.simulator.core.server import Cloud

    cloud = Cloud(sys.argv[1], checkpoints=False).start()
    models = sys.modules.get("moto.cloudwatch.models")
    imported = models is not None and not getattr(models.__spec__, "_initializing", False)
    clock = cloud.extension("cloudwatch")
    halt = threading.Event()
    ticks = []

    def tick_forever():
        while not halt.is_set():
            clock.clock_tick()
            ticks.append(1)

    threads = [threading.Thread(target=tick_forever) for _ in range(2)]
    for thread in threads:
        thread.start()
    cw = boto3.client("cloudwatch", endpoint_url=cloud.endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test",
                      config=Config(retries={"max_attempts": 1}))
    cw.put_metric_alarm(AlarmName="hot", Namespace="Lab", MetricName="Temp", Statistic="Maximum", Period=60,
                        EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold")
    cw.put_metric_data(Namespace="Lab", MetricData=[{"MetricName": "Temp", "Value": 99.0}])
    state = cw.describe_alarms(AlarmNames=["hot"])["MetricAlarms"][0]["StateValue"]
    halt.set()
    for thread in threads:
        thread.join()
    cloud.stop()
    print(json.dumps({"before": before, "imported": imported, "state": state, "ticks": len(ticks),
                      "logged": logged}))
    """
)


def test_alarm_evaluation_right_after_start_logs_no_import_error(tmp_path):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "home")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["before"] is False  # the race needs moto's module not imported yet: the script starts clean
    problems = [line for line in report["logged"]
                if "alarm evaluation failed" in line or "partially initialized" in line]
    assert problems == []  # before the fix: 4 runs in 5 logged "partially initialized module ..."
    assert "partially initialized" not in done.stderr
    assert report["imported"] is True  # the cloud imported it at start, before its threads
    assert report["state"] == "ALARM"  # the alarm was evaluated (at once, by PutMetricData)
    assert report["ticks"] > 0


def test_loaded_never_hands_out_a_module_still_being_imported(tmp_path, monkeypatch):
    gate = types.ModuleType("_gailab_import_gate")
    gate.started, gate.release = threading.Event(), threading.Event()
    monkeypatch.setitem(sys.modules, "_gailab_import_gate", gate)
    (tmp_path / "_gailab_slow_module.py").write_text(
        "import _gailab_import_gate as gate\ngate.started.set()\ngate.release.wait(30)\nREADY = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importer = threading.Thread(target=__import__, args=("_gailab_slow_module",))
    importer.start()
    try:
        assert gate.started.wait(30)
        assert "_gailab_slow_module" in sys.modules  # half made, and visible there
        assert motoseam.loaded("_gailab_slow_module") is None
    finally:
        gate.release.set()
        importer.join(30)
    assert motoseam.loaded("_gailab_slow_module").READY is True
    assert motoseam.loaded("_gailab_never_imported") is None
    sys.modules.pop("_gailab_slow_module", None)
