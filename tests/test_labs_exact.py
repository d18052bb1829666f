"""The existing labs made exact: every grading hole an instructor found has a test, and what a learner reads in
pt-BR is Portuguese with decimal commas."""

from __future__ import annotations

import json
import re

import pytest

from gailab.labs.catalog import BUILTIN, get_lab, load_catalog
from gailab.labs.grader import grade
from gailab.labs.manifest import load_checks_module
from gailab.labs.report import show
from gailab.labs.solutions import solve

from labgrading import check_results, failing
from langcheck import english_words, pt_problems


def test_the_english_detector_finds_english_and_spares_portuguese():
    assert english_words("the check failed") == ["the", "check", "failed"]
    assert english_words("o bucket genai-outputs não existe; use `aws s3 ls` e {texto}") == []
    assert english_words('o valor "is not set" vem da AWS') == []
    assert pt_problems("x", "temperature 0.9 está acima de 0,3") == ["x: decimal point in 'temperature 0.9 está "
                                                                     "acima de 0,3'"]
    assert pt_problems("x", "o Claude Haiku 4.5 e o Llama 3.1 custam 0,25") == []  # versions in names keep the point
    assert pt_problems("x", "o Haiku custa 4.5 vezes menos") != []


# -- s3-genai-storage ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template_problem():
    return load_checks_module(get_lab("s3-genai-storage")).template_problem


@pytest.mark.parametrize("template, verdict", [
    ("Resuma:\n{texto}\n", None),
    ("Summarize:\n{text}\n", None),
    ('Responda em JSON, assim: {{"resumo": "..."}}\n{texto}', None),  # doubled braces are literal: fine
    ("Resuma:\n{{texto}}\n", "{{texto}} is never filled"),
    ('Responda em JSON, assim: {"resumo": "..."}\n{texto}', 'str.format stops at {"resumo"}'),
    ("Resuma {} e {texto}", "str.format fails on this template (IndexError)"),
    ("Resuma: {texto} }", "str.format fails on this template (ValueError)"),
    ("Resuma o texto abaixo.", "has no {texto} or {text} placeholder"),
    ("   \n", "is empty"),
])
def test_the_template_must_fill_with_str_format_exactly_as_the_lambda_lab_does(template_problem, template, verdict):
    problem = template_problem(template)
    if verdict is None:
        assert problem is None
    else:
        assert verdict in problem.en and not english_words(problem("pt-BR")), problem


def _results(lab, cloud, workspace=None):
    return check_results(lab, cloud.endpoint, workspace)


def test_an_rsa_key_behind_the_alias_fails_and_dsse_kms_with_the_key_passes(cloud, aws, tmp_path):
    lab = get_lab("s3-genai-storage")
    solve(lab, cloud.endpoint, tmp_path)
    kms, s3 = aws("kms"), aws("s3")
    key = kms.describe_key(KeyId="alias/genai-lab")["KeyMetadata"]
    # DSSE-KMS (two layers) with the same key, named by its ARN, and the template written again under it
    s3.put_bucket_encryption(Bucket="genai-outputs", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": key["Arn"]}}]})
    s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma:\n{texto}\n")
    results = _results(lab, cloud)
    assert not failing(results), failing(results)

    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName="alias/genai-lab", TargetKeyId=rsa)
    alias = _results(lab, cloud)["kms-alias"]
    assert alias.status == "fail" and alias.actual == "KeySpec RSA_2048, KeyUsage ENCRYPT_DECRYPT"
    assert alias.message("pt-BR") == ("alias/genai-lab aponta para uma chave RSA_2048: o S3 só criptografa com "
                                      "chaves de criptografia simétricas")


def test_a_template_written_before_default_encryption_or_under_another_key_fails(cloud, aws, tmp_path):
    lab = get_lab("s3-genai-storage")
    solve(lab, cloud.endpoint, tmp_path)
    s3 = aws("s3")
    s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma:\n{texto}\n",
                  ServerSideEncryption="AES256")  # what an upload before default encryption gets
    result = _results(lab, cloud)["template-encrypted"]
    assert result.status == "fail" and result.actual == "AES256"
    assert "default encryption applies only to objects written after it was set" in result.message("en")
    s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma:\n{texto}\n",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/aws/s3")
    assert _results(lab, cloud)["template-encrypted"].status == "fail"
    s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma:\n{texto}\n")  # under the default
    assert _results(lab, cloud)["template-encrypted"].status == "pass"


# -- bedrock-first-call -----------------------------------------------------------------------------------------
def _claude(runtime, stream=False, **params):
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", **params,
                       "messages": [{"role": "user", "content": [{"type": "text", "text": "O que é um modelo?"}]}]})
    if stream:
        answer = runtime.invoke_model_with_response_stream(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                                           body=body)
        for _ in answer["body"]:
            pass
        return answer["ResponseMetadata"]["RequestId"]
    answer = runtime.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=body)
    answer["body"].read()
    return answer["ResponseMetadata"]["RequestId"]


def _record(ledger, request_id):
    return next(r for r in ledger if r["requestId"] == request_id)


def _write_report(cloud, aws, ids):
    import urllib.request

    with urllib.request.urlopen(cloud.endpoint + "/_gailab/bedrock/invocations") as response:
        ledger = json.load(response)["invocations"]
    entries = []
    for request_id in ids:
        r = _record(ledger, request_id)
        entries.append({"requestId": request_id, "modelId": r["modelId"], "inputTokens": r["inputTokens"],
                        "outputTokens": r["outputTokens"], "costUsd": r["costUsd"]})
    aws("s3").put_object(Bucket="genai-outputs", Key="outputs/first-call.json",
                         Body=json.dumps({"invocations": entries}).encode())


def test_a_missing_temperature_is_not_set_and_a_streamed_call_counts(cloud, aws, tmp_path):
    lab = get_lab("bedrock-first-call")
    solve(get_lab("s3-genai-storage"), cloud.endpoint, tmp_path / "s3")
    runtime = aws("bedrock-runtime")
    _claude(runtime, max_tokens=200)  # temperature left out
    params = _results(lab, cloud)["invoke-parameters"]
    assert params.status == "fail" and params.actual == {"temperature": None, "max_tokens": 200}
    assert params.message("en") == "temperature is not set — this model's default is 1.0, above 0.3"
    assert params.message("pt-BR") == "temperature não foi definida — o padrão deste modelo é 1,0, acima de 0,3"
    assert "None" not in params.message("en")

    streamed = _claude(runtime, stream=True, max_tokens=150, temperature=0.1)
    nova = runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": "Oi"}]}])
    _write_report(cloud, aws, [streamed, nova["ResponseMetadata"]["RequestId"]])
    results = _results(lab, cloud)
    for check_id in ("invoke-claude", "invoke-parameters", "converse-titan-nova", "report-format",
                     "report-matches-ledger", "report-cost"):
        assert results[check_id].status == "pass", (check_id, results[check_id].message("en"))


def test_a_report_that_describes_another_call_fails(cloud, aws, tmp_path):
    lab = get_lab("bedrock-first-call")
    solve(get_lab("s3-genai-storage"), cloud.endpoint, tmp_path / "s3")
    runtime = aws("bedrock-runtime")
    _claude(runtime, max_tokens=100, temperature=0.1)  # a throwaway call that meets the limits...
    hot = _claude(runtime, max_tokens=100, temperature=0.9)  # ...and the call the report describes
    nova = runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[{"role": "user", "content": [{"text": "Oi"}]}])
    _write_report(cloud, aws, [hot, nova["ResponseMetadata"]["RequestId"]])
    results = _results(lab, cloud)
    assert results["invoke-parameters"].status == "pass"  # a good call exists…
    matches = results["report-matches-ledger"]  # …but the report names the other one
    assert matches.status == "fail" and hot in matches.message("en") and "temperature 0.9 is above 0.3" in \
        matches.message("en")
    assert results["report-cost"].status == "skipped" and results["report-cost"].blocked_by == "report-matches-ledger"
    # a request id that no call has
    aws("s3").put_object(Bucket="genai-outputs", Key="outputs/first-call.json", Body=json.dumps({"invocations": [
        {"requestId": "made-up", "modelId": "amazon.nova-micro-v1:0", "inputTokens": 1, "outputTokens": 1,
         "costUsd": 0.0}] * 2}).encode())
    assert "no call has the request id made-up" in _results(lab, cloud)["report-matches-ledger"].message("en")


def test_pt_br_numbers_use_decimal_commas_in_every_rendering(cloud, aws, tmp_path):
    lab = get_lab("bedrock-first-call")
    solve(get_lab("s3-genai-storage"), cloud.endpoint, tmp_path / "s3")
    _claude(aws("bedrock-runtime"), max_tokens=100, temperature=0.9)
    report = grade(lab, endpoint=cloud.endpoint, lang="pt-BR")
    text = report.to_text("pt-BR")
    assert "temperature 0,9 está acima de 0,3" in text and '"temperature": 0,9' in text
    assert "0.9" not in text and "0.3" not in text
    assert "0.9" in report.to_text("en") and show(0.0000985, "pt-BR") == "0,0000985"
    assert json.loads(json.dumps(report.to_json("pt-BR")))["checks"][3]["actual"]["temperature"] == 0.9  # data


# -- every lab: pt-BR is Portuguese ------------------------------------------------------------------------------
def test_every_text_of_every_lab_in_pt_br_is_portuguese():
    problems = []
    for lab in load_catalog():
        texts = [("title", lab.title("pt-BR")), ("summary", lab.summary("pt-BR"))]
        for step in lab.steps:
            texts.append((f"{step.id}.title", step.title("pt-BR")))
            texts += [(f"{step.id}.hint", h) for h in step.hints("pt-BR")]
            for spec in step.checks:
                texts += [(f"{spec.id}.title", spec.title("pt-BR")), (f"{spec.id}.hint", spec.hint("pt-BR"))]
                if spec.question:
                    texts += [(f"{spec.id}.option", o) for o in spec.question.options("pt-BR")]
                    texts += [(f"{spec.id}.prompt", o) for o in spec.question.prompts("pt-BR")]
        for mistake in lab.mistakes:
            texts.append((f"{mistake.file.name}.about", mistake.about("pt-BR")))
        prose = re.sub(r"```.*?```", " ", lab.instructions("pt-BR"), flags=re.S)
        texts += [("instructions", line) for line in prose.splitlines() if line.strip()]
        problems += [p for where, text in texts for p in pt_problems(f"{lab.id} {where}", text)]
    assert not problems, "\n".join(problems)


def test_the_catalog_lists_labs_in_both_languages_with_their_files():
    for lab in load_catalog():
        assert (BUILTIN / lab.id).is_dir() and lab.title("en") != lab.title("pt-BR")
        assert "**On real AWS.**" in lab.instructions("en") and "**Na AWS de verdade.**" in lab.instructions("pt-BR")
