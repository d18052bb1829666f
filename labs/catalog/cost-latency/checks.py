"""Checks of cost-latency: every figure of the learner's report is recomputed from the ledger records its request ids
name (latency, tokens, cost) or from the batch job it names, and every choice is judged on those measured figures —
the grader's own computation, not numbers copied from the instructions."""

import json
import statistics
from pathlib import Path

from gailab.labs.checks import Fail, Pass, T, check
from gailab.labs.checks import bedrock, s3

BUCKET, KEY = "genai-outputs", "reports/cost-latency.json"
MODELS = ("anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.titan-text-premier-v1:0",
          "meta.llama3-1-70b-instruct-v1:0")
BUDGET_MS = 1700
NIGHTLY_DOCUMENTS = 10_000
MIN_BATCH_RECORDS = 100
TOLERANCE = 0.05
CALL_OPS = ("Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream")
PROMPTS = tuple(json.loads((Path(__file__).parent / "starter" / "workload.json").read_text("utf-8"))["prompts"])
MODEL_FIELDS = {"modelId": str, "requestIds": list, "p50LatencyMs": (int, float), "inputTokens": int,
                "outputTokens": int, "costUsd": (int, float)}
NIGHTLY_FIELDS = {"mode": str}
BREAK_EVEN_FIELDS = {"modelId": str, "commitment": str, "hourlyUsd": (int, float), "requestsPerHour": (int, float)}
SHAPE = ('{"models": [{"modelId", "requestIds", "p50LatencyMs", "inputTokens", "outputTokens", "costUsd"} ×3], '
         '"chatbot", "nightly": {"mode", "jobArn", "modelId", "records", "costUsd", "onDemandCostUsd", '
         '"estimatedCostUsd"}, "provisionedBreakEven": {"modelId", "commitment", "hourlyUsd", "requestsPerHour"}}')


def num(value, lang: str) -> str:
    """A number as each language writes it: 1,700 and 0.5 in en, 1.700 and 0,5 in pt-BR."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1000):
        text = f"{int(value):,}"
        return text.replace(",", ".") if lang == "pt-BR" else text
    text = f"{value:.6g}"
    return text.replace(".", ",") if lang == "pt-BR" else text


def close(reported, actual) -> bool:
    return abs(float(reported) - float(actual)) <= TOLERANCE * abs(float(actual)) + 1e-9


def short(model_id: str) -> str:
    return bedrock.base_model(model_id)


# -- the ledger ---------------------------------------------------------------------------------------------------
def _workload_calls(ctx) -> dict[str, list[dict]]:
    """On-demand calls of the lab's prompts, per lab model (catalog id)."""
    key = "cost-latency.workload"
    if key not in ctx.cache:
        calls: dict[str, list[dict]] = {m: [] for m in MODELS}
        for record in bedrock.invocations(ctx):
            if (record.get("operation") in CALL_OPS and not record.get("error") and not record.get("mode")
                    and record.get("modelId") in calls and (record.get("prompt") or "").strip() in PROMPTS):
                calls[record["modelId"]].append(record)
        ctx.cache[key] = calls
    return ctx.cache[key]


def _proper(record: dict) -> bool:
    return bedrock.temperature(record) == 0 and bool(record.get("realisticLatency"))


@check("workload")
def workload(ctx):
    calls = _workload_calls(ctx)
    missing = {}
    for model in MODELS:
        done = {(r.get("prompt") or "").strip() for r in calls[model] if _proper(r)}
        lacking = [i + 1 for i, prompt in enumerate(PROMPTS) if prompt not in done]
        if lacking:
            missing[model] = lacking
    if not missing:
        return Pass(actual={m: len(calls[m]) for m in MODELS})
    model, lacking = next(iter(missing.items()))
    any_calls = [r for r in calls[model]]
    if any_calls and not any(r.get("realisticLatency") for r in any_calls):
        return Fail(T(f"{model} answered the workload with realistic latency off",
                      f"{model} respondeu à carga com a latência realista desligada"),
                    expected={"realisticLatency": True}, actual={"realisticLatency": False},
                    hint=T("Turn realistic latency on (in the app: Ctrl+P, \"Toggle realistic Bedrock latency\") "
                           "and run the workload again.",
                           "Ligue a latência realista (no app: Ctrl+P, \"Ligar/desligar latência realista do "
                           "Bedrock\") e rode a carga de novo."))
    if any_calls and not any(bedrock.temperature(r) == 0 for r in any_calls):
        return Fail(T(f"{model} answered the workload with temperature {bedrock.temperature(any_calls[-1])}, not 0",
                      f"{model} respondeu à carga com temperature {num(bedrock.temperature(any_calls[-1]), 'pt-BR')}, "
                      "não 0"),
                    expected={"temperature": 0}, actual={"temperature": bedrock.temperature(any_calls[-1])})
    return Fail(T(f"{model} has not answered the workload's prompts {lacking} (temperature 0, realistic latency)",
                  f"{model} não respondeu aos prompts {lacking} da carga (temperature 0, latência realista)"),
                expected={m: [1, 2, 3, 4, 5] for m in MODELS}, actual=missing)


# -- the report ---------------------------------------------------------------------------------------------------
def _bad_fields(item, fields: dict) -> bool:
    return (not isinstance(item, dict) or not set(fields) <= set(item)
            or not all(isinstance(item[k], kind) and not isinstance(item[k], bool) for k, kind in fields.items()))


def _report(ctx):
    """(report, None) or (None, Fail)."""
    if "cost-latency.report" in ctx.cache:
        return ctx.cache["cost-latency.report"]
    ctx.cache["cost-latency.report"] = out = _read_report(ctx)
    return out


def _read_report(ctx):
    data, failure = s3.json_document(ctx, BUCKET, KEY)
    if failure:
        return None, failure
    wrong = Fail(T(f"{KEY} must hold models, chatbot, nightly and provisionedBreakEven",
                   f"{KEY} deve ter models, chatbot, nightly e provisionedBreakEven"), expected=SHAPE,
                 actual=sorted(data) if isinstance(data, dict) else type(data).__name__)
    if not isinstance(data, dict) or not {"models", "chatbot", "nightly", "provisionedBreakEven"} <= set(data):
        return None, wrong
    models = data["models"]
    if not isinstance(models, list) or len(models) != 3:
        return None, Fail(T("models must list the three models", "models deve listar os três modelos"),
                          expected=list(MODELS), actual=models if not isinstance(models, list) else len(models))
    for i, item in enumerate(models):
        if _bad_fields(item, MODEL_FIELDS) or not all(isinstance(r, str) for r in item["requestIds"]):
            return None, Fail(T(f"models[{i}] must be {{modelId: text, requestIds: [text], p50LatencyMs: number, "
                                "inputTokens: int, outputTokens: int, costUsd: number}",
                                f"models[{i}] deve ser {{modelId: texto, requestIds: [texto], p50LatencyMs: número, "
                                "inputTokens: int, outputTokens: int, costUsd: número}"),
                              expected=SHAPE, actual=item)
    if not isinstance(data["chatbot"], str):
        return None, Fail(T("chatbot must be a model id", "chatbot deve ser um id de modelo"),
                          expected="modelId", actual=data["chatbot"])
    if _bad_fields(data["nightly"], NIGHTLY_FIELDS):
        return None, Fail(T("nightly must be an object with mode", "nightly deve ser um objeto com mode"),
                          expected=SHAPE, actual=data["nightly"])
    if _bad_fields(data["provisionedBreakEven"], BREAK_EVEN_FIELDS):
        return None, Fail(T("provisionedBreakEven must be {modelId: text, commitment: text, hourlyUsd: number, "
                            "requestsPerHour: number}",
                            "provisionedBreakEven deve ser {modelId: texto, commitment: texto, hourlyUsd: número, "
                            "requestsPerHour: número}"),
                          expected=SHAPE, actual=data["provisionedBreakEven"])
    return data, None


@check("report-format")
def report_format(ctx):
    data, failure = _report(ctx)
    return failure or Pass(actual=[m["modelId"] for m in data["models"]])


def _measured(ctx):
    """{catalog id: {"entry", "records", "p50", "cost", "inputTokens", "outputTokens"}} or (None, Fail)."""
    data, failure = _report(ctx)
    if failure:
        return None, failure
    by_id = {r.get("requestId"): r for r in bedrock.invocations(ctx)}
    out = {}
    for i, entry in enumerate(data["models"]):
        model = short(entry["modelId"])
        if model not in MODELS or model in out:
            return None, Fail(T(f"models[{i}]: {entry['modelId']} is not one of the lab's three models, or repeats one",
                                f"models[{i}]: {entry['modelId']} não é um dos três modelos do lab, ou repete um"),
                              expected=list(MODELS), actual=entry["modelId"])
        ids = entry["requestIds"]
        records = [by_id.get(request_id) for request_id in ids]
        unknown = [request_id for request_id, r in zip(ids, records) if r is None]
        if unknown:
            return None, Fail(T(f"models[{i}]: no call has the request id {unknown[0]}",
                                f"models[{i}]: nenhuma chamada tem o request id {unknown[0]}"),
                              expected="ResponseMetadata.RequestId", actual=unknown[0])
        wrong = [r["requestId"] for r in records if r.get("modelId") != model or r.get("mode")]
        if wrong:
            return None, Fail(T(f"models[{i}]: request {wrong[0]} was not an on-demand call to {model}",
                                f"models[{i}]: a requisição {wrong[0]} não foi uma chamada sob demanda a {model}"),
                              expected=model, actual=by_id[wrong[0]].get("modelId"))
        prompts = sorted({(r.get("prompt") or "").strip() for r in records if (r.get("prompt") or "").strip() in PROMPTS})
        if len(ids) != len(PROMPTS) or len(set(ids)) != len(ids) or len(prompts) != len(PROMPTS):
            return None, Fail(T(f"models[{i}]: requestIds must name the 5 workload calls of {model}, one per prompt",
                                f"models[{i}]: requestIds deve indicar as 5 chamadas da carga a {model}, uma por prompt"),
                              expected=5, actual=f"{len(set(ids))} ids, {len(prompts)} prompts")
        counted = {"inputTokens": sum(r.get("inputTokens", 0) for r in records),
                   "outputTokens": sum(r.get("outputTokens", 0) for r in records)}
        if counted != {"inputTokens": entry["inputTokens"], "outputTokens": entry["outputTokens"]}:
            return None, Fail(T(f"models[{i}]: the token sums differ from those of its 5 calls",
                                f"models[{i}]: as somas de tokens diferem das das 5 chamadas"),
                              expected=counted, actual={"inputTokens": entry["inputTokens"],
                                                        "outputTokens": entry["outputTokens"]})
        out[model] = {"entry": entry, "records": records, **counted,
                      "p50": statistics.median(r.get("latencyMs", 0) for r in records),
                      "cost": sum(float(r.get("costUsd") or 0) for r in records)}
    return out, None


@check("report-matches-ledger")
def report_matches_ledger(ctx):
    measured, failure = _measured(ctx)
    return failure or Pass(actual={m: v["entry"]["requestIds"] for m, v in measured.items()})


@check("report-latency")
def report_latency(ctx):
    measured, failure = _measured(ctx)
    if failure:
        return failure
    for model, m in measured.items():
        if not close(m["entry"]["p50LatencyMs"], m["p50"]):
            mean = statistics.mean(r.get("latencyMs", 0) for r in m["records"])
            also = (T(" (that is the mean; p50 is the median)", " (essa é a média; o p50 é a mediana)")
                    if close(m["entry"]["p50LatencyMs"], mean) else T("", ""))
            return Fail(T(f"{model}: p50LatencyMs is not the median latency of its 5 calls{also.en}",
                          f"{model}: p50LatencyMs não é a latência mediana das 5 chamadas{also('pt-BR')}"),
                        expected=m["p50"], actual=m["entry"]["p50LatencyMs"])
    return Pass(actual={model: m["p50"] for model, m in measured.items()})


@check("report-cost")
def report_cost(ctx):
    measured, failure = _measured(ctx)
    if failure:
        return failure
    for model, m in measured.items():
        if not close(m["entry"]["costUsd"], m["cost"]):
            return Fail(T(f"{model}: costUsd differs from what its 5 calls cost by more than 5 %",
                          f"{model}: o costUsd difere em mais de 5 % do custo das 5 chamadas"),
                        expected=round(m["cost"], 8), actual=m["entry"]["costUsd"])
    return Pass(actual={model: round(m["cost"], 8) for model, m in measured.items()})


# -- the choices --------------------------------------------------------------------------------------------------
@check("chatbot-choice")
def chatbot_choice(ctx):
    measured, failure = _measured(ctx)
    if failure:
        return failure
    data, _ = _report(ctx)
    figures = {model: {"p50LatencyMs": m["p50"], "costUsd": round(m["cost"], 8)} for model, m in measured.items()}
    within = [model for model, m in measured.items() if m["p50"] < BUDGET_MS]
    if not within:
        return Fail(T(f"no model's measured p50 is under {num(BUDGET_MS, 'en')} ms",
                      f"nenhum p50 medido está abaixo de {num(BUDGET_MS, 'pt-BR')} ms"),
                    expected=f"p50 < {BUDGET_MS}", actual=figures)
    right = min(within, key=lambda model: measured[model]["cost"])
    chosen = short(data["chatbot"])
    if chosen == right:
        return Pass(actual=chosen)
    fastest = min(measured, key=lambda model: measured[model]["p50"])
    if chosen == fastest:
        message = T(f"{chosen} is the fastest, but {right} costs less and its p50 is also under "
                    f"{num(BUDGET_MS, 'en')} ms",
                    f"{chosen} é o mais rápido, mas {right} custa menos e o p50 dele também está abaixo de "
                    f"{num(BUDGET_MS, 'pt-BR')} ms")
    elif chosen in measured and chosen not in within:
        p50 = measured[chosen]["p50"]
        message = T(f"{chosen}'s p50 ({num(p50, 'en')} ms) is over the {num(BUDGET_MS, 'en')} ms budget",
                    f"o p50 de {chosen} ({num(p50, 'pt-BR')} ms) passa do orçamento de {num(BUDGET_MS, 'pt-BR')} ms")
    else:
        message = T(f"{chosen} is not the cheapest of the models under {num(BUDGET_MS, 'en')} ms",
                    f"{chosen} não é o mais barato dos modelos abaixo de {num(BUDGET_MS, 'pt-BR')} ms")
    return Fail(message, expected=right, actual={"chatbot": data["chatbot"], "measured": figures})


def _batch_jobs(ctx) -> list[dict]:
    """Completed batch jobs with their ledger records: [{"job", "records"}], newest first."""
    key = "cost-latency.batch"
    if key not in ctx.cache:
        client = ctx.client("bedrock")
        summaries = client.list_model_invocation_jobs(sortBy="CreationTime", sortOrder="Descending").get(
            "invocationJobSummaries", [])
        ledger = bedrock.invocations(ctx)
        ctx.cache[key] = [{"job": job, "records": [r for r in ledger if r.get("jobArn") == job["jobArn"]
                                                   and r.get("mode") == "batch"]} for job in summaries]
    return ctx.cache[key]


@check("batch-job")
def batch_job(ctx):
    jobs = _batch_jobs(ctx)
    done = [j for j in jobs if j["job"].get("status") == "Completed" and len(j["records"]) >= MIN_BATCH_RECORDS]
    if done:
        return Pass(actual={"jobArn": done[0]["job"]["jobArn"], "records": len(done[0]["records"])})
    if not jobs:
        return Fail(T("no batch inference job was created", "nenhum job de inferência em lote foi criado"),
                    expected=f"Completed, >= {MIN_BATCH_RECORDS} records", actual=None)
    last = jobs[0]["job"]
    return Fail(T(f"no batch job over {MIN_BATCH_RECORDS} or more records has completed; the latest is "
                  f"{last.get('status')}", f"nenhum job em lote com {MIN_BATCH_RECORDS} registros ou mais foi "
                  f"concluído; o mais recente está {last.get('status')}"),
                expected=f"Completed, >= {MIN_BATCH_RECORDS} records",
                actual={"status": last.get("status"), "message": last.get("message"),
                        "records": last.get("totalRecordCount")})


@check("nightly-choice")
def nightly_choice(ctx):
    data, failure = _report(ctx)
    if failure:
        return failure
    nightly = data["nightly"]
    if nightly["mode"].strip().lower() != "batch":
        return Fail(T(f"nightly mode {nightly['mode']!r}: a job whose answers can wait until morning costs half "
                      "in batch", f"modo noturno {nightly['mode']!r}: um job cujas respostas podem esperar até de "
                      "manhã custa metade em lote"), expected="batch", actual=nightly["mode"])
    jobs = {j["job"]["jobArn"]: j for j in _batch_jobs(ctx)}
    job = jobs.get(nightly.get("jobArn"))
    if job is None or job["job"].get("status") != "Completed":
        return Fail(T("nightly.jobArn must name your completed batch job", "nightly.jobArn deve indicar o seu job "
                      "em lote concluído"), expected=[a for a, j in jobs.items() if j["job"].get("status") ==
                                                      "Completed"], actual=nightly.get("jobArn"))
    records = job["records"]
    cost = sum(float(r.get("costUsd") or 0) for r in records)
    expected = {"records": len(records), "costUsd": round(cost, 8), "onDemandCostUsd": round(cost * 2, 8),
                "estimatedCostUsd": round(cost / max(1, len(records)) * NIGHTLY_DOCUMENTS, 6)}
    for field, value in expected.items():
        reported = nightly.get(field)
        if not isinstance(reported, (int, float)) or isinstance(reported, bool) or not close(reported, value):
            return Fail(T(f"nightly.{field} differs from the job's figures by more than 5 %",
                          f"nightly.{field} difere em mais de 5 % dos números do job"),
                        expected=expected, actual={k: nightly.get(k) for k in expected})
    return Pass(actual=expected)


@check("break-even")
def break_even(ctx):
    measured, failure = _measured(ctx)
    if failure:
        return failure
    data, _ = _report(ctx)
    be = data["provisionedBreakEven"]
    model = short(be["modelId"])
    catalog = {m["id"]: m for m in ctx.admin("/_gailab/bedrock/models").get("models", [])}
    prices = ((catalog.get(model) or {}).get("provisioned") or {}).get("perModelUnitHourUsd") or {}
    if model not in measured or not prices:
        offered = [m for m in measured if ((catalog.get(m) or {}).get("provisioned") or {}).get("perModelUnitHourUsd")]
        return Fail(T(f"{be['modelId']} is not one of your three models with a Provisioned Throughput price",
                      f"{be['modelId']} não é um dos seus três modelos com preço de throughput provisionado"),
                    expected=offered, actual=be["modelId"])
    if be["commitment"] not in prices:
        return Fail(T(f"commitment {be['commitment']!r} is not in the model's price list",
                      f"o compromisso {be['commitment']!r} não está na lista de preços do modelo"),
                    expected=sorted(prices), actual=be["commitment"])
    hourly = prices[be["commitment"]]
    per_request = measured[model]["cost"] / len(PROMPTS)
    right = {"hourlyUsd": hourly, "requestsPerHour": round(hourly / per_request) if per_request else None}
    if not close(be["hourlyUsd"], hourly) or right["requestsPerHour"] is None or not close(be["requestsPerHour"],
                                                                                           right["requestsPerHour"]):
        return Fail(T(f"the break-even of {model} ({be['commitment']}) differs by more than 5 %",
                      f"o ponto de equilíbrio de {model} ({be['commitment']}) difere em mais de 5 %"),
                    expected=right, actual={"hourlyUsd": be["hourlyUsd"], "requestsPerHour": be["requestsPerHour"]})
    return Pass(actual=right)
