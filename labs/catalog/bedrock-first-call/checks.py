"""Checks of bedrock-first-call: graded on the requests the simulated Bedrock recorded (the ledger), and on the
learner's report agreeing with them."""

import json

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import bedrock, s3

BUCKET, KEY = "genai-outputs", "outputs/first-call.json"
MAX_TEMPERATURE, MAX_TOKENS = 0.3, 300


def _claude_invokes(ctx):
    return [r for r in bedrock.invocations(ctx, operation="InvokeModel")
            if bedrock.provider(r.get("modelId", "")) == "anthropic" and not r.get("error")]


def _titan_nova_converses(ctx):
    return [r for r in bedrock.invocations(ctx, operation="Converse") if not r.get("error")
            and bedrock.base_model(r.get("modelId", "")).startswith(("amazon.titan-text", "amazon.nova"))
            and "canvas" not in r.get("modelId", "")]


@check("invoke-claude")
def invoke_claude(ctx):
    if _claude_invokes(ctx):
        return Pass(actual=_claude_invokes(ctx)[-1]["modelId"])
    others = sorted({r.get("modelId") for r in bedrock.invocations(ctx, operation="InvokeModel")})
    return Fail(T("no InvokeModel call on a Claude model was made", "nenhuma chamada InvokeModel a um modelo Claude "
                  "foi feita"), expected="InvokeModel on anthropic.claude-…", actual=others or "no InvokeModel calls")


@check("invoke-parameters")
def invoke_parameters(ctx):
    calls = _claude_invokes(ctx)
    if not calls:
        return Fail(T("there is no Claude InvokeModel call to inspect", "não há chamada InvokeModel ao Claude para "
                      "conferir"), expected="InvokeModel on anthropic.claude-…", actual=None)

    def seen(r):
        return {"temperature": bedrock.temperature(r), "max_tokens": bedrock.max_tokens(r)}

    def good(r):
        t, m = bedrock.temperature(r), bedrock.max_tokens(r)
        return t is not None and t <= MAX_TEMPERATURE and m is not None and m <= MAX_TOKENS

    ok = [r for r in calls if good(r)]
    if ok:
        return Pass(actual=seen(ok[-1]))
    last = seen(calls[-1])
    problems = []
    if last["temperature"] is None or last["temperature"] > MAX_TEMPERATURE:
        problems.append(T(f"temperature {last['temperature']} is above {MAX_TEMPERATURE}",
                          f"temperature {last['temperature']} está acima de {MAX_TEMPERATURE}"))
    if last["max_tokens"] is None or last["max_tokens"] > MAX_TOKENS:
        problems.append(T(f"max_tokens {last['max_tokens']} is above {MAX_TOKENS}",
                          f"max_tokens {last['max_tokens']} está acima de {MAX_TOKENS}"))
    return Fail(T("; ".join(p.en for p in problems), "; ".join(p("pt-BR") for p in problems)),
                expected={"temperature": f"<= {MAX_TEMPERATURE}", "max_tokens": f"<= {MAX_TOKENS}"}, actual=last)


@check("converse-titan-nova")
def converse_titan_nova(ctx):
    calls = _titan_nova_converses(ctx)
    others = sorted({r.get("modelId") for r in bedrock.invocations(ctx, operation="Converse")})
    return expect(bool(calls), T("no Converse call on an Amazon Titan or Nova text model was made",
                                 "nenhuma chamada Converse a um modelo de texto Amazon Titan ou Nova foi feita"),
                  expected="Converse on amazon.titan-text-… or amazon.nova-…",
                  actual=calls[-1]["modelId"] if calls else (others or "no Converse calls"))


def _report(ctx):
    """(report, None) or (None, Fail)."""
    raw = s3.get_object(ctx, BUCKET, KEY)
    if raw is None:
        return None, Fail(T(f"s3://{BUCKET}/{KEY} not found", f"s3://{BUCKET}/{KEY} não foi encontrado"),
                          expected=f"s3://{BUCKET}/{KEY}", actual=None)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return None, Fail(T(f"{KEY} is not valid JSON: {exc}", f"{KEY} não é um JSON válido: {exc}"),
                          expected="JSON", actual=raw[:80].decode("utf-8", "replace"))
    shape = T('{"invocations": [{"modelId": "…", "inputTokens": n, "outputTokens": n}, …]}')
    items = data.get("invocations") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) != {"invocations"} or not isinstance(items, list) or len(items) < 2:
        return None, Fail(T(f"{KEY} must hold exactly one key, invocations, listing both calls",
                            f"{KEY} deve ter exatamente uma chave, invocations, com as duas chamadas"),
                          expected=shape.en, actual=data)
    for i, item in enumerate(items):
        if (not isinstance(item, dict) or set(item) != {"modelId", "inputTokens", "outputTokens"}
                or not isinstance(item["modelId"], str)
                or not all(isinstance(item[k], int) and not isinstance(item[k], bool) and item[k] >= 0
                           for k in ("inputTokens", "outputTokens"))):
            return None, Fail(T(f"invocations[{i}] must be {{modelId: string, inputTokens: int, outputTokens: int}}",
                                f"invocations[{i}] deve ser {{modelId: texto, inputTokens: int, outputTokens: int}}"),
                              expected=shape.en, actual=item)
    return items, None


@check("report-format")
def report_format(ctx):
    items, failure = _report(ctx)
    return failure or Pass(actual=f"{len(items)} invocations")


@check("report-matches-ledger")
def report_matches_ledger(ctx):
    items, failure = _report(ctx)
    if failure:
        return failure
    ledger = [r for r in bedrock.invocations(ctx) if not r.get("error")]

    def same_model(item, r):
        wanted = bedrock.base_model(item["modelId"])
        return wanted in (bedrock.base_model(r.get("modelId", "")), bedrock.base_model(r.get("requestedModelId") or ""))

    for i, item in enumerate(items):
        calls = [r for r in ledger if same_model(item, r)]
        if not calls:
            return Fail(T(f"invocations[{i}]: no call to {item['modelId']} was made",
                          f"invocations[{i}]: nenhuma chamada a {item['modelId']} foi feita"),
                        expected=sorted({r.get("modelId") for r in ledger}), actual=item["modelId"])
        if not any(r.get("inputTokens") == item["inputTokens"] and r.get("outputTokens") == item["outputTokens"]
                   for r in calls):
            return Fail(T(f"invocations[{i}]: the token counts of {item['modelId']} differ from the calls made",
                          f"invocations[{i}]: os tokens de {item['modelId']} diferem das chamadas feitas"),
                        expected=[{"inputTokens": r.get("inputTokens"), "outputTokens": r.get("outputTokens")}
                                  for r in calls],
                        actual={"inputTokens": item["inputTokens"], "outputTokens": item["outputTokens"]})
    reported = {bedrock.base_model(item["modelId"]) for item in items}
    missing = []
    if not any(bedrock.base_model(r["modelId"]) in reported for r in _claude_invokes(ctx)):
        missing.append(("the Claude InvokeModel call", "a chamada InvokeModel ao Claude"))
    if not any(bedrock.base_model(r["modelId"]) in reported for r in _titan_nova_converses(ctx)):
        missing.append(("the Titan/Nova Converse call", "a chamada Converse ao Titan/Nova"))
    return expect(not missing, T(f"the report leaves out {' and '.join(m[0] for m in missing)}",
                                 f"o relatório deixa de fora {' e '.join(m[1] for m in missing)}"),
                  expected="both calls", actual=sorted(reported))
