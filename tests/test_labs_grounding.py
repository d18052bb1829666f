"""hallucination-grounding graded on outcomes with the grader's own questions: the right source first, answers
grounded in the retrieved passage, the unanswerable question declined — each failing for its own reason when the
learner's function gets it wrong; and the simulated model obeying a prompt that invites it to use what it knows."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile

import pytest

from gailab.labs.catalog import get_lab

from labgrading import check_results, failing, solved as solved_workspace
from langcheck import pt_problems

LAB = "hallucination-grounding"
HANDLER = get_lab(LAB).path / "solution" / "lambda_function.py"


def _results(cloud, workspace):
    return check_results(LAB, cloud.endpoint, workspace)


def _deploy(aws, source: str) -> None:
    """Replace genai-rag's code with a variant of the reference handler (a fresh environment: a new index)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", source)
    lam = aws("lambda")
    lam.update_function_code(FunctionName="genai-rag", ZipFile=buffer.getvalue())
    lam.get_waiter("function_updated_v2").wait(FunctionName="genai-rag")


def _variant(old: str, new: str) -> str:
    source = HANDLER.read_text(encoding="utf-8")
    assert old in source
    return source.replace(old, new)


@pytest.fixture
def solved(cloud, tmp_path):
    return solved_workspace(LAB, cloud.endpoint, tmp_path)


def test_rag_outcomes_pass_then_each_fails_for_its_own_reason(cloud, aws, solved):
    results = _results(cloud, solved)
    assert not failing(results), failing(results)

    # the wrong source first: the least similar chunks taken as the top 3
    _deploy(aws, _variant("key=lambda item: cosine(query, item[2]), reverse=True)",
                          "key=lambda item: cosine(query, item[2]))"))
    check = _results(cloud, solved)["rag-sources"]
    assert check.status == "fail" and "the first source is" in check.message("en")
    assert "not the document that answers it" in check.message("en") and check.expected.startswith("docs/")
    assert check.actual[0] != check.expected and not pt_problems("rag-sources", check.message("pt-BR"))

    # an invented answer to the unanswerable question: the prompt lets the model fall back on what it knows
    _deploy(aws, _variant('"responda exatamente \\"não sei\\".\\n\\n"',
                          '"responda com o que você sabe sobre a empresa.\\n\\n"'))
    results = _results(cloud, solved)
    assert results["rag-sources"].status == "pass" and results["rag-grounded"].status == "pass"
    declines = results["rag-declines"]
    assert declines.status == "fail" and "did not decline" in declines.message("en")
    assert "não sei" not in declines.actual.lower()

    # no retrieval at all: the question goes to the model alone, and the answer is ungrounded
    _deploy(aws, _variant('f"<trechos>\\n{passages}\\n</trechos>\\n\\nPergunta: {question}")',
                          'f"Pergunta: {question}")'))
    grounded = _results(cloud, solved)["rag-grounded"]
    assert grounded.status == "fail" and "is not grounded in the passage" in grounded.message("en")
    assert grounded.actual["passage"] is False  # the passage that answers never reached the model

    # sources omitted
    _deploy(aws, _variant('"sources": sources}', '"fontes": sources}'))
    sources = _results(cloud, solved)["rag-sources"]
    assert sources.status == "fail" and "names no sources" in sources.message("en")


def test_a_function_that_fails_is_a_failure_with_its_error_and_the_empty_account_fails_cleanly(cloud, aws, tmp_path):
    results = _results(cloud, tmp_path)
    assert results["rag-function"].status == "fail" and results["rag-sources"].status == "skipped"
    assert results["kb-ingested"].status == "fail" and results["kb-answers"].status == "skipped"
    assert {r.status for r in results.values()} <= {"fail", "skipped"}


def test_the_simulated_model_answers_from_what_it_knows_only_when_the_prompt_lets_it(cloud, aws):
    runtime = aws("bedrock-runtime")
    passages = ("<trechos>\n[1] O reembolso é pago na conta-salário em até 10 dias úteis depois da aprovação do "
                "gestor.\n</trechos>\n\nPergunta: A Lumina oferece auxílio-academia?")

    def ask(rule):
        answer = runtime.converse(modelId="amazon.nova-micro-v1:0", inferenceConfig={"temperature": 0},
                                  messages=[{"role": "user", "content": [{"text": f"{rule}\n\n{passages}"}]}])
        return answer["output"]["message"]["content"][0]["text"]

    strict = ask("Responda só com os trechos abaixo. Se eles não tiverem a resposta, responda \"não sei\".")
    assert "não sei" in strict
    loose = ask("Use os trechos abaixo e, se eles não bastarem, responda com o que você sabe.")
    assert "não sei" not in loose
    with urllib.request.urlopen(cloud.endpoint + "/_gailab/bedrock/invocations") as response:
        ledger = json.load(response)["invocations"]
    assert [r["grounded"] for r in ledger[-2:]] == [True, False]
    assert ledger[-1]["task"] == "ungrounded"
