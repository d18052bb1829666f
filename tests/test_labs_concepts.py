"""genai-concepts graded on outcomes: accuracies recomputed from the ledger, few-shot calls that really carry
labelled examples, identical temperature runs, an image priced per image, a multimodal call and a text-only
refusal — each failing for its own reason, in both languages."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from gailab.labs.catalog import get_lab

from labgrading import check_results, failing, solved as solved_workspace
from langcheck import pt_problems

LAB = "genai-concepts"


def _results(cloud, workspace):
    return check_results(LAB, cloud.endpoint, workspace)


def _report(workspace):
    return json.loads((workspace / "reports" / "concepts.json").read_text())


def _write(workspace, report):
    (workspace / "reports" / "concepts.json").write_text(json.dumps(report))


@pytest.fixture
def solved(cloud, tmp_path):
    return solved_workspace(LAB, cloud.endpoint, tmp_path, prerequisites=False)


def test_the_reference_solution_scores_100_and_few_shot_beats_zero_shot(cloud, solved):
    results = _results(cloud, solved)
    assert not failing(results), failing(results)
    report = _report(solved)
    assert report["fewShot"]["accuracy"] > report["zeroShot"]["accuracy"]  # custom labels: the examples teach them
    assert report["temperature"]["0"]["distinctAnswers"] == 1 < report["temperature"]["1"]["distinctAnswers"]


def test_a_few_shot_accuracy_that_does_not_match_the_ledger_fails(cloud, solved):
    report = _report(solved)
    measured = report["fewShot"]["accuracy"]
    report["fewShot"]["accuracy"] = 1.0
    _write(solved, report)
    check = _results(cloud, solved)["accuracies-match-ledger"]
    assert check.status == "fail" and check.expected == measured and check.actual == 1.0
    assert "fewShot.accuracy is 1, but the answers of those calls give 7 of 8 = 0.875" == check.message("en")
    assert "fewShot.accuracy é 1, mas as respostas dessas chamadas dão 7 de 8 = 0,875" == check.message("pt-BR")


def test_request_ids_of_other_calls_cannot_stand_in_for_the_test_tickets(cloud, aws, solved):
    report = _report(solved)
    report["zeroShot"]["requestIds"][3] = report["zeroShot"]["requestIds"][2]  # one ticket twice, one missing
    _write(solved, report)
    check = _results(cloud, solved)["zero-shot-calls"]
    assert check.status == "fail" and "is classified twice" in check.message("en")
    report["zeroShot"]["requestIds"][3] = report["temperature"]["0"]["requestIds"][0]  # a call about something else
    _write(solved, report)
    results = _results(cloud, solved)
    assert "classifies none of the test tickets" in results["zero-shot-calls"].message("en")
    assert results["accuracies-match-ledger"].status == "skipped"
    report["zeroShot"]["requestIds"][3] = report["fewShot"]["requestIds"][3]  # the few-shot call for that ticket
    _write(solved, report)
    check = _results(cloud, solved)["zero-shot-calls"]
    assert check.status == "fail" and "carries examples" in check.message("en")


def test_few_shot_examples_without_labels_fail(cloud, aws, solved):
    runtime = aws("bedrock-runtime")
    data = json.loads((get_lab(LAB).path / "starter" / "tickets.json").read_text())
    ids = []
    for ticket in data["test"]:
        prompt = ("Classifique o chamado em uma destas categorias: FIN-01, LOG-02, ACS-03, TEC-04.\nExemplos:\n"
                  + "\n".join(f"- {e['text']}" for e in data["examples"]) + f"\n\nChamado: {ticket['text']}\nCategoria:")
        answer = runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [
            {"text": prompt}]}], inferenceConfig={"temperature": 0})
        ids.append(answer["ResponseMetadata"]["RequestId"])
    report = _report(solved)
    report["fewShot"]["requestIds"] = ids
    _write(solved, report)
    check = _results(cloud, solved)["few-shot-calls"]
    assert check.status == "fail" and check.actual == {"fewShotExamples": 0}
    assert "carries 0 labelled example(s); few-shot needs at least 2" in check.message("en")
    assert not pt_problems("few-shot-calls", check.message("pt-BR"))


def test_temperature_runs_must_be_identical_calls_at_0_and_1(cloud, aws, solved):
    report = _report(solved)
    hot = report["temperature"]["1"]["requestIds"]
    report["temperature"]["1"]["requestIds"] = report["temperature"]["0"]["requestIds"]  # only temperature 0 runs
    _write(solved, report)
    results = _results(cloud, solved)
    assert results["temperature-runs"].status == "fail"
    assert results["temperature-runs"].actual == {"temperature": 0}
    assert results["distinct-answers"].status == "skipped"
    other = aws("bedrock-runtime").converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [
        {"text": "Outro prompt qualquer."}]}], inferenceConfig={"temperature": 1})["ResponseMetadata"]["RequestId"]
    report["temperature"]["1"]["requestIds"] = hot[:4] + [other]
    _write(solved, report)
    assert "the same model and the same prompt" in _results(cloud, solved)["temperature-runs"].message("en")
    report["temperature"]["1"]["requestIds"] = hot
    report["temperature"]["1"]["distinctAnswers"] = 5
    _write(solved, report)
    check = _results(cloud, solved)["distinct-answers"]
    assert check.status == "fail" and check.actual == 5 and check.expected < 5


def test_images_priced_per_image_a_multimodal_call_and_a_text_only_refusal(cloud, aws, solved):
    report = _report(solved)
    images = dict(report["images"])
    report["images"]["imageCostUsd"] = 0.0
    report["images"]["multimodalRequestId"] = report["temperature"]["0"]["requestIds"][0]  # no image in it
    report["images"]["textOnlyModelId"] = "amazon.nova-lite-v1:0"  # it takes images
    _write(solved, report)
    results = _results(cloud, solved)
    assert results["image-generated"].status == "fail" and results["image-generated"].expected == 0.04
    assert results["multimodal-call"].status == "fail"
    assert results["text-only-refusal"].status == "fail" and "not a text-only model" in \
        results["text-only-refusal"].message("en")
    # a text-only model named, but never refused anything: the CloudWatch metric has no client error for it
    report["images"] = dict(images, textOnlyModelId="amazon.titan-text-express-v1")
    _write(solved, report)
    assert _results(cloud, solved)["text-only-refusal"].status == "fail"
    # ... until it does
    png = base64.b64decode(json.loads(aws("bedrock-runtime").invoke_model(
        modelId="amazon.nova-canvas-v1:0", body=json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {
            "text": "um gato"}, "imageGenerationConfig": {"numberOfImages": 1}}))["body"].read())["images"][0])
    with pytest.raises(ClientError, match="doesn't support the image content block"):
        aws("bedrock-runtime").converse(modelId="amazon.titan-text-express-v1", messages=[{"role": "user", "content": [
            {"text": "O que há nesta imagem?"}, {"image": {"format": "png", "source": {"bytes": png}}}]}])
    assert _results(cloud, solved)["text-only-refusal"].status == "pass"


def test_an_empty_workspace_fails_every_check_without_errors(cloud, tmp_path):
    results = _results(cloud, tmp_path)
    assert results["report-format"].status == "fail"
    assert {r.status for r in results.values()} <= {"fail", "skipped"}
