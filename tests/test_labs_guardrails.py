"""guardrails-privacy graded on the grader's own test set: a CPF masked as a phone fails, the harmless finance
question blocked fails, a guardrail the function does not use fails, an e-mail blocked instead of anonymised fails —
each for its own reason, in both languages."""

from __future__ import annotations

import io
import zipfile

import pytest

from gailab.labs.catalog import get_lab

from labgrading import check_results, failing, solved as solved_workspace
from langcheck import pt_problems

LAB = "guardrails-privacy"


def _results(cloud, workspace):
    return check_results(LAB, cloud.endpoint, workspace)


def _guardrail_id(aws):
    return next(g["id"] for g in aws("bedrock").list_guardrails()["guardrails"] if g["name"] == "genai-guardrail")


def _update(aws, **changes):
    """Change the guardrail's working draft (what the grader tests), keeping the rest of its configuration."""
    bedrock = aws("bedrock")
    guardrail_id = _guardrail_id(aws)
    current = bedrock.get_guardrail(guardrailIdentifier=guardrail_id)
    config = {
        "sensitiveInformationPolicyConfig": {
            "piiEntitiesConfig": [{"type": e["type"], "action": e["action"]}
                                  for e in current["sensitiveInformationPolicy"]["piiEntities"]],
            "regexesConfig": [{"name": r["name"], "pattern": r["pattern"], "action": r["action"]}
                              for r in current["sensitiveInformationPolicy"]["regexes"]]},
        "topicPolicyConfig": {"topicsConfig": [
            {"name": t["name"], "definition": t["definition"], "examples": t.get("examples", []), "type": "DENY"}
            for t in current["topicPolicy"]["topics"]]},
        "contentPolicyConfig": {"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH",
                                                   "outputStrength": "NONE"}]},
        "contextualGroundingPolicyConfig": {"filtersConfig": [{"type": "GROUNDING", "threshold": 0.75}]},
    }
    config.update(changes)
    bedrock.update_guardrail(guardrailIdentifier=guardrail_id, name="genai-guardrail",
                             blockedInputMessaging=current["blockedInputMessaging"],
                             blockedOutputsMessaging=current["blockedOutputsMessaging"], **config)
    return config


@pytest.fixture
def solved(cloud, tmp_path):
    return solved_workspace(LAB, cloud.endpoint, tmp_path)


def test_guardrail_outcomes_pass_then_each_fails_for_its_own_reason(cloud, aws, solved):
    results = _results(cloud, solved)
    assert not failing(results), failing(results)
    # a CPF masked as a phone: the regex misses the undotted form, and PHONE takes those 11 digits
    config = _update(aws, sensitiveInformationPolicyConfig={
        "piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}, {"type": "PHONE", "action": "ANONYMIZE"}],
        "regexesConfig": [{"name": "CPF", "pattern": r"\d{3}\.\d{3}\.\d{3}-\d{2}", "action": "ANONYMIZE"}]})
    check = _results(cloud, solved)["cpf-masked"]
    assert check.status == "fail" and "was masked, but not as a CPF" in check.message("en")
    assert "{PHONE}" in check.actual and not pt_problems("cpf-masked", check.message("pt-BR"))

    # the harmless finance question blocked: a topic that covers all of finance
    _update(aws, sensitiveInformationPolicyConfig=config["sensitiveInformationPolicyConfig"] | {
        "regexesConfig": [{"name": "CPF", "pattern": r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", "action": "ANONYMIZE"}]},
        topicPolicyConfig={"topicsConfig": [{"name": "Financas", "type": "DENY", "examples": ["O que é a Selic?"],
                                             "definition": "Qualquer assunto sobre dinheiro, finanças, juros, "
                                                           "inflação ou impostos."}]})
    results = _results(cloud, solved)
    assert results["cpf-masked"].status == "pass"
    harmless = results["harmless-passes"]
    assert harmless.status == "fail" and "blocked a question that asks for no advice" in harmless.message("en")
    assert harmless.actual["topics"] == ["Financas"]


def test_an_email_blocked_and_a_guardrail_the_function_ignores_fail(cloud, aws, solved):
    _update(aws, sensitiveInformationPolicyConfig={
        "piiEntitiesConfig": [{"type": "EMAIL", "action": "BLOCK"}, {"type": "PHONE", "action": "ANONYMIZE"}],
        "regexesConfig": [{"name": "CPF", "pattern": r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}", "action": "ANONYMIZE"}]})
    config = _results(cloud, solved)["guardrail-config"]
    assert config.status == "fail" and config.actual["EMAIL"] == "BLOCK"

    lam = aws("lambda")  # the function no longer passes the guardrail's id: it calls the model directly
    variables = lam.get_function_configuration(FunctionName="genai-summarize")["Environment"]["Variables"]
    source = (get_lab(LAB).path / "solution" / "lambda_function.py").read_text()
    unguarded = source.replace('    checked = bedrock.apply_guardrail(**guard, source="INPUT", content=[{"text": '
                               '{"text": event["text"]}}])', '    checked = {"action": "NONE", "outputs": []}')
    unguarded = unguarded.replace("        guardrailConfig=guard,\n", "")
    assert unguarded != source
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", unguarded)
    lam.update_function_code(FunctionName="genai-summarize", ZipFile=buffer.getvalue())
    lam.get_waiter("function_updated_v2").wait(FunctionName="genai-summarize")
    assert variables["GUARDRAIL_ID"] == _guardrail_id(aws)
    results = _results(cloud, solved)
    guarded = results["function-guarded"]
    assert guarded.status == "fail" and "without the guardrail" in guarded.message("en")
    assert guarded.actual["unmasked"]  # the grader's CPF and e-mail reached the model
    assert results["logs-masked"].status == "skipped"


def test_an_empty_account_fails_every_check_without_errors(cloud, tmp_path):
    results = _results(cloud, tmp_path)
    assert results["guardrail-config"].status == "fail" and "does not exist" in results["guardrail-config"].message("en")
    assert {r.status for r in results.values()} <= {"fail", "skipped"}
