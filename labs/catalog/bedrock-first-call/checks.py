"""Checks of bedrock-first-call: graded on the requests the simulated Bedrock recorded (the ledger), and on the
learner's report naming those very requests by their request id."""

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import bedrock, s3

BUCKET, KEY = "genai-outputs", "outputs/first-call.json"
MAX_TEMPERATURE, MAX_TOKENS = 0.3, 300
CLAUDE_DEFAULT_TEMPERATURE = 1.0  # Anthropic's Messages API, when the body sets none
INVOKE_OPS = ("InvokeModel", "InvokeModelWithResponseStream")  # streaming calls count as calls
CONVERSE_OPS = ("Converse", "ConverseStream")
FIELDS = {"requestId": str, "modelId": str, "inputTokens": int, "outputTokens": int, "costUsd": (int, float)}
LIMITS = {"temperature": f"≤ {MAX_TEMPERATURE}", "max_tokens": f"≤ {MAX_TOKENS}"}
COST_TOLERANCE = 1e-6  # a millionth of a dollar: costs rounded to six decimals pass, output-only costs do not


def num(value, lang: str) -> str:
    """A number as each language writes it (decimal comma in pt-BR)."""
    text = str(value)
    if isinstance(value, float):
        text = f"{value:.10g}" + (".0" if value.is_integer() and abs(value) < 1e10 else "")
    return text.replace(".", ",") if lang == "pt-BR" else text


def _ok(record: dict) -> bool:
    return not record.get("error")


def _claude_invokes(ctx):
    return [r for r in bedrock.invocations(ctx) if r.get("operation") in INVOKE_OPS and _ok(r)
            and bedrock.provider(r.get("modelId", "")) == "anthropic"]


def _titan_nova_converses(ctx):
    return [r for r in bedrock.invocations(ctx) if r.get("operation") in CONVERSE_OPS and _ok(r)
            and bedrock.base_model(r.get("modelId", "")).startswith(("amazon.titan-text", "amazon.nova"))
            and "canvas" not in r.get("modelId", "") and "reel" not in r.get("modelId", "")]


def _seen(record: dict) -> dict:
    return {"temperature": bedrock.temperature(record), "max_tokens": bedrock.max_tokens(record)}


def _parameter_problems(record: dict) -> list[T]:
    """What is wrong with a Claude call's parameters, in both languages (empty when they are within the limits)."""
    seen, problems = _seen(record), []
    t, m = seen["temperature"], seen["max_tokens"]
    if t is None:
        d = CLAUDE_DEFAULT_TEMPERATURE
        problems.append(T(f"temperature is not set — this model's default is {num(d, 'en')}, above "
                          f"{num(MAX_TEMPERATURE, 'en')}",
                          f"temperature não foi definida — o padrão deste modelo é {num(d, 'pt-BR')}, acima de "
                          f"{num(MAX_TEMPERATURE, 'pt-BR')}"))
    elif t > MAX_TEMPERATURE:
        problems.append(T(f"temperature {num(t, 'en')} is above {num(MAX_TEMPERATURE, 'en')}",
                          f"temperature {num(t, 'pt-BR')} está acima de {num(MAX_TEMPERATURE, 'pt-BR')}"))
    if m is None or m > MAX_TOKENS:
        problems.append(T(f"max_tokens {m} is above {MAX_TOKENS}", f"max_tokens {m} está acima de {MAX_TOKENS}"))
    return problems


def _join(problems: list[T]) -> T:
    return T("; ".join(p.en for p in problems), "; ".join(p("pt-BR") for p in problems))


@check("invoke-claude")
def invoke_claude(ctx):
    calls = _claude_invokes(ctx)
    if calls:
        return Pass(actual=calls[-1]["modelId"])
    others = sorted({r.get("modelId") for r in bedrock.invocations(ctx) if r.get("operation") in INVOKE_OPS})
    return Fail(T("no InvokeModel call on a Claude model was made", "nenhuma chamada InvokeModel a um modelo Claude "
                  "foi feita"), expected="InvokeModel anthropic.claude-…", actual=others or None)


@check("invoke-parameters")
def invoke_parameters(ctx):
    calls = _claude_invokes(ctx)
    good = [r for r in calls if not _parameter_problems(r)]
    if good:
        return Pass(actual=_seen(good[-1]))
    last = calls[-1]
    return Fail(_join(_parameter_problems(last)), actual=_seen(last),
                expected=LIMITS)


@check("converse-titan-nova")
def converse_titan_nova(ctx):
    calls = _titan_nova_converses(ctx)
    others = sorted({r.get("modelId") for r in bedrock.invocations(ctx) if r.get("operation") in CONVERSE_OPS})
    return expect(bool(calls), T("no Converse call on an Amazon Titan or Nova text model was made",
                                 "nenhuma chamada Converse a um modelo de texto Amazon Titan ou Nova foi feita"),
                  expected="Converse amazon.titan-text-… / amazon.nova-…",
                  actual=calls[-1]["modelId"] if calls else (others or None))


def _report(ctx):
    """(entries, None) or (None, Fail)."""
    data, failure = s3.json_document(ctx, BUCKET, KEY)
    if failure:
        return None, failure
    shape = '{"invocations": [{"requestId", "modelId", "inputTokens", "outputTokens", "costUsd"}, …]}'
    items = data.get("invocations") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) != {"invocations"} or not isinstance(items, list) or len(items) < 2:
        return None, Fail(T(f"{KEY} must hold exactly one key, invocations, listing both calls",
                            f"{KEY} deve ter exatamente uma chave, invocations, com as duas chamadas"),
                          expected=shape, actual=data)
    for i, item in enumerate(items):
        if (not isinstance(item, dict) or set(item) != set(FIELDS)
                or not all(isinstance(item[k], kind) and not isinstance(item[k], bool) for k, kind in FIELDS.items())
                or item["inputTokens"] < 0 or item["outputTokens"] < 0 or item["costUsd"] < 0):
            return None, Fail(T(f"invocations[{i}] must be {{requestId: text, modelId: text, inputTokens: int, "
                                "outputTokens: int, costUsd: number}",
                                f"invocations[{i}] deve ser {{requestId: texto, modelId: texto, inputTokens: int, "
                                "outputTokens: int, costUsd: número}"),
                              expected=shape, actual=item)
    return items, None


@check("report-format")
def report_format(ctx):
    items, failure = _report(ctx)
    return failure or Pass(actual=len(items))


def _matched(ctx):
    """The report's entries with their ledger records, [(index, entry, record)], or (None, the first Fail)."""
    items, failure = _report(ctx)
    if failure:
        return None, failure
    return _records(ctx, items)


def _records(ctx, items):
    """[(index, entry, ledger record)] or a Fail naming the first entry whose request id is not a call made."""
    by_id = {r.get("requestId"): r for r in bedrock.invocations(ctx) if _ok(r)}
    out = []
    for i, item in enumerate(items):
        record = by_id.get(item["requestId"])
        if record is None:
            return None, Fail(T(f"invocations[{i}]: no call has the request id {item['requestId']}",
                                f"invocations[{i}]: nenhuma chamada tem o request id {item['requestId']}"),
                              expected="ResponseMetadata.RequestId", actual=item["requestId"],
                              hint=T("Copy each call's request id from its response: "
                                     "response[\"ResponseMetadata\"][\"RequestId\"].",
                                     "Copie o request id de cada chamada da resposta dela: "
                                     "response[\"ResponseMetadata\"][\"RequestId\"]."))
        out.append((i, item, record))
    return out, None


@check("report-matches-ledger")
def report_matches_ledger(ctx):
    matched, failure = _matched(ctx)
    if failure:
        return failure
    for i, item, record in matched:
        names = {bedrock.base_model(record.get("modelId", "")), bedrock.base_model(record.get("requestedModelId") or "")}
        if bedrock.base_model(item["modelId"]) not in names:
            return Fail(T(f"invocations[{i}]: request {item['requestId']} called another model",
                          f"invocations[{i}]: a requisição {item['requestId']} chamou outro modelo"),
                        expected=record.get("requestedModelId") or record.get("modelId"), actual=item["modelId"])
        counted = {"inputTokens": record.get("inputTokens"), "outputTokens": record.get("outputTokens")}
        if counted != {"inputTokens": item["inputTokens"], "outputTokens": item["outputTokens"]}:
            return Fail(T(f"invocations[{i}]: the token counts differ from those of request {item['requestId']}",
                          f"invocations[{i}]: os tokens diferem dos da requisição {item['requestId']}"),
                        expected=counted, actual={"inputTokens": item["inputTokens"],
                                                  "outputTokens": item["outputTokens"]})
    records = [record for _, _, record in matched]
    claude = [r for r in records if r.get("operation") in INVOKE_OPS and bedrock.provider(r["modelId"]) == "anthropic"]
    converse = [r for r in records if r in _titan_nova_converses(ctx)]
    if not claude:
        return Fail(T("the report leaves out the Claude InvokeModel call", "o relatório deixa de fora a chamada "
                      "InvokeModel ao Claude"), expected="InvokeModel anthropic.claude-…",
                    actual=[r.get("operation") + " " + r.get("modelId", "") for r in records])
    if not converse:
        return Fail(T("the report leaves out the Titan or Nova Converse call", "o relatório deixa de fora a chamada "
                      "Converse ao Titan ou Nova"), expected="Converse amazon.titan-text-… / amazon.nova-…",
                    actual=[r.get("operation") + " " + r.get("modelId", "") for r in records])
    good = [r for r in claude if not _parameter_problems(r)]
    if not good:  # the report must describe the call made as asked, not a throwaway call made alongside it
        record = claude[0]
        problems = _join(_parameter_problems(record))
        return Fail(T(f"the Claude call in the report (request {record['requestId']}) is not the one made as asked: "
                      f"{problems.en}",
                      f"a chamada ao Claude no relatório (requisição {record['requestId']}) não é a feita como pedido: "
                      f"{problems('pt-BR')}"),
                    expected=LIMITS,
                    actual=_seen(record),
                    hint=T("Report the request id of the Claude call made with temperature ≤ 0.3 and max_tokens ≤ 300.",
                           "Registre o request id da chamada ao Claude feita com temperature ≤ 0,3 e max_tokens ≤ 300."))
    return Pass(actual=[item["requestId"] for _, item, _ in matched])


@check("report-cost")
def report_cost(ctx):
    matched, failure = _matched(ctx)
    if failure:
        return failure
    for i, item, record in matched:
        cost = float(record.get("costUsd") or 0.0)
        if abs(item["costUsd"] - cost) > COST_TOLERANCE:
            return Fail(T(f"invocations[{i}]: costUsd differs from what request {item['requestId']} cost",
                          f"invocations[{i}]: o costUsd difere do custo da requisição {item['requestId']}"),
                        expected=round(cost, 8), actual=item["costUsd"])
    return Pass(actual=[item["costUsd"] for _, item, _ in matched])
