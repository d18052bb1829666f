"""cost-latency graded on outcomes: the reference solution passes, and each outcome check fails for the right reason
when one figure or choice of the report is wrong — the fastest model for the chatbot, a cost or p50 more than 5 %
off the ledger, on demand for the nightly job, another model's calls — while figures within 5 % pass."""

from __future__ import annotations

import copy
import json

from gailab.labs.catalog import get_lab
from gailab.labs.grader import grade
from gailab.labs.solutions import solve

from labgrading import check_results

LAB = "cost-latency"
BUCKET, KEY = "genai-outputs", "reports/cost-latency.json"
HAIKU, PREMIER, LLAMA = ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.titan-text-premier-v1:0",
                         "meta.llama3-1-70b-instruct-v1:0")


def _results(lab, cloud, workspace) -> dict:
    return check_results(lab, cloud.endpoint, workspace)


def test_solution_passes_and_each_wrong_figure_or_choice_fails_its_check(cloud, aws, tmp_path):
    lab = get_lab(LAB)
    workspace = tmp_path / "ws"
    assert solve(lab, cloud.endpoint, workspace, with_prerequisites=True) == ["s3-genai-storage", LAB]
    report = grade(lab, endpoint=cloud.endpoint, workspace=workspace)
    assert report.passed and report.total == 100, report.to_text()
    assert json.loads((workspace / "answers.json").read_text()) == {
        "latency-driver": [1], "budget-choice": [1], "perceived-latency": [0, 2], "pricing-mode": [1, 0, 2]}

    s3 = aws("s3")
    good = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    by_model = {m["modelId"]: m for m in good["models"]}
    # The scenario the lab teaches: the fastest, the cheapest and the cheapest within 1,700 ms are three models.
    assert min(by_model, key=lambda m: by_model[m]["p50LatencyMs"]) == HAIKU
    assert min(by_model, key=lambda m: by_model[m]["costUsd"]) == LLAMA and by_model[LLAMA]["p50LatencyMs"] >= 1700
    assert good["chatbot"] == PREMIER and by_model[PREMIER]["p50LatencyMs"] < 1700

    def graded_with(change) -> dict:
        data = copy.deepcopy(good)
        change(data)
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(data).encode())
        return _results(lab, cloud, workspace)

    def entry(data, model):
        return next(m for m in data["models"] if m["modelId"] == model)

    # The fastest model instead of the cheapest within the budget.
    fastest = graded_with(lambda d: d.update(chatbot=HAIKU))["chatbot-choice"]
    assert fastest.status == "fail" and fastest.expected == PREMIER
    assert "is the fastest, but amazon.titan-text-premier-v1:0 costs less" in fastest.message("en")
    assert "é o mais rápido" in fastest.message("pt-BR")
    # The cheapest model, ignoring the budget.
    over = graded_with(lambda d: d.update(chatbot=LLAMA))["chatbot-choice"]
    assert over.status == "fail" and "over the 1,700 ms budget" in over.message("en")

    # Figures are recomputed from the ledger and accepted within 5 %, not beyond.
    for field, check in (("costUsd", "report-cost"), ("p50LatencyMs", "report-latency")):
        for factor, status in ((1.04, "pass"), (0.96, "pass"), (1.06, "fail"), (0.94, "fail")):
            result = graded_with(lambda d: entry(d, PREMIER).update({field: entry(d, PREMIER)[field] * factor}))
            assert result[check].status == status, (field, factor, result[check].message("en"))

    # Cost from the output tokens only (the catalog's prices, as the learner reads them).
    prices = {m["id"]: m["price"] for m in cloud_models(cloud)}
    output_only = graded_with(lambda d: [m.update(costUsd=m["outputTokens"] / 1000 * prices[m["modelId"].removeprefix(
        "global.")]["outputPer1K"]) for m in d["models"]])["report-cost"]
    assert output_only.status == "fail" and "differs from what its 5 calls cost" in output_only.message("en")

    # The mean latency instead of the median: named as such.
    def mean_latency(d):
        for m in d["models"]:
            latencies = [r["latencyMs"] for r in ledger(cloud) if r["requestId"] in m["requestIds"]]
            m["p50LatencyMs"] = sum(latencies) / len(latencies)
    mean = graded_with(mean_latency)["report-latency"]
    assert mean.status == "fail" and "that is the mean" in mean.message("en")

    # On demand for the nightly job; a job the learner did not run.
    on_demand = graded_with(lambda d: d["nightly"].update(mode="on-demand"))["nightly-choice"]
    assert on_demand.status == "fail" and on_demand.expected == "batch"
    made_up = graded_with(lambda d: d["nightly"].update(jobArn=d["nightly"]["jobArn"][:-4] + "abcd"))["nightly-choice"]
    assert made_up.status == "fail" and "must name your completed batch job" in made_up.message("en")
    estimate = graded_with(lambda d: d["nightly"].update(estimatedCostUsd=d["nightly"]["onDemandCostUsd"] * 100))
    assert estimate["nightly-choice"].status == "fail"  # 10,000 documents at the on-demand price, not batch

    # Another model's calls named as this model's, and a break-even off by 10 %.
    swapped = graded_with(lambda d: entry(d, PREMIER).update(requestIds=entry(d, LLAMA)["requestIds"]))
    assert swapped["report-matches-ledger"].status == "fail" and swapped["chatbot-choice"].status == "skipped"
    assert "was not an on-demand call to amazon.titan-text-premier-v1:0" in swapped["report-matches-ledger"].message("en")
    off = graded_with(lambda d: d["provisionedBreakEven"].update(
        requestsPerHour=d["provisionedBreakEven"]["requestsPerHour"] * 1.1))["break-even"]
    assert off.status == "fail" and off.expected["hourlyUsd"] == 19.2
    unpriced = graded_with(lambda d: d["provisionedBreakEven"].update(modelId=HAIKU))["break-even"]
    assert unpriced.status == "fail" and unpriced.expected == [PREMIER]

    # A report that is not JSON says where it breaks; every check that reads it is then not evaluated.
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b'{"models": [}')
    broken = _results(lab, cloud, workspace)
    assert broken["report-format"].status == "fail"
    assert broken["report-format"].message("pt-BR") == f"{KEY} não é um JSON válido (linha:coluna 1:13)"
    assert broken["report-matches-ledger"].status == "skipped" and broken["nightly-choice"].status == "skipped"


def cloud_models(cloud) -> list[dict]:
    import urllib.request

    with urllib.request.urlopen(cloud.endpoint + "/_gailab/bedrock/models") as response:
        return json.load(response)["models"]


def ledger(cloud) -> list[dict]:
    import urllib.request

    with urllib.request.urlopen(cloud.endpoint + "/_gailab/bedrock/invocations") as response:
        return json.load(response)["invocations"]


def test_workload_without_realistic_latency_or_at_another_temperature_fails(cloud, aws, tmp_path):
    lab = get_lab(LAB)
    prompts = json.loads((lab.starter_dir / "workload.json").read_text("utf-8"))["prompts"]
    runtime = aws("bedrock-runtime")

    def run(temperature):
        from concurrent.futures import ThreadPoolExecutor

        def call(args):
            model, prompt = args
            runtime.converse(modelId=model, messages=[{"role": "user", "content": [{"text": prompt}]}],
                             inferenceConfig={"temperature": temperature, "maxTokens": 500})

        with ThreadPoolExecutor(15) as pool:
            list(pool.map(call, [(m, p) for m in (HAIKU, PREMIER, LLAMA) for p in prompts]))

    run(0)  # realistic latency is off in a fresh cloud
    result = _results(lab, cloud, tmp_path)["workload"]
    assert result.status == "fail" and "with realistic latency off" in result.message("en")
    assert "latência realista desligada" in result.message("pt-BR")
    assert _results(lab, cloud, tmp_path)["report-matches-ledger"].status == "skipped"

    from gailab.simulator.client import admin

    admin(cloud.endpoint, "/_gailab/bedrock/settings", {"latency": "realistic"})
    run(0.7)  # paced now, but warm: not the benchmark the lab asks for
    result = _results(lab, cloud, tmp_path)["workload"]
    assert result.status == "fail" and "has not answered the workload's prompts [1, 2, 3, 4, 5]" in result.message("en")
    run(0)
    assert _results(lab, cloud, tmp_path)["workload"].status == "pass"
