"""Checks of genai-concepts: the learner's report (reports/concepts.json in the workspace) is judged against the
ledger — the accuracies are recomputed from the answers of the very calls it names, with the lab's own gold labels
(read from the lab folder, not from the learner's copy of the tickets)."""

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gailab.labs.checks import CheckError, Fail, Pass, T, check, expect
from gailab.labs.checks import bedrock

REPORT = "reports/concepts.json"
TICKETS = json.loads((Path(__file__).resolve().parent / "starter" / "tickets.json").read_text(encoding="utf-8"))
LABELS = TICKETS["labels"]
TEST = TICKETS["test"]
EXAMPLE_TEXTS = {e["text"] for e in TICKETS["examples"]}
TEXT_OPS = ("InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream")
ACCURACY_TOLERANCE = 0.005
RUNS = 5
SHAPE = ('{"zeroShot": {"accuracy": x, "requestIds": […]}, "fewShot": {…}, "temperature": {"0": {"requestIds": […], '
         '"distinctAnswers": n}, "1": {…}}, "images": {"generatedRequestId", "imageCostUsd", "multimodalRequestId", '
         '"textOnlyModelId", "textOnlyError"}}')


def num(value, lang: str) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang == "pt-BR" else text


def _report(ctx):
    """(report, None) or (None, Fail). Cached: every check reads it."""
    if "concepts.report" in ctx.cache:
        return ctx.cache["concepts.report"]
    path = ctx.workspace_file(REPORT)
    if path is None:
        raise CheckError(T("this lab's report lives in the workspace; grade with one", "o relatório deste lab fica "
                           "no workspace; avalie com um"))
    result = None, Fail(T(f"{REPORT} not found in your workspace", f"{REPORT} não foi encontrado no seu workspace"),
                        expected=REPORT, actual=None)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = _shape(data)
        except (ValueError, UnicodeDecodeError) as exc:
            where = f"{exc.lineno}:{exc.colno}" if hasattr(exc, "lineno") else "?"
            result = None, Fail(T(f"{REPORT} is not valid JSON (line:column {where})",
                                  f"{REPORT} não é um JSON válido (linha:coluna {where})"), expected="JSON", actual=None)
    ctx.cache["concepts.report"] = result
    return result


def _ids(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _is_num(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shape(data):
    def bad(where_en, where_pt, actual):
        return None, Fail(T(f"{REPORT}: {where_en}", f"{REPORT}: {where_pt}"), expected=SHAPE, actual=actual)

    if not isinstance(data, dict):
        return bad("the report must be a JSON object", "o relatório deve ser um objeto JSON", type(data).__name__)
    for mode in ("zeroShot", "fewShot"):
        part = data.get(mode)
        if not isinstance(part, dict) or not _is_num(part.get("accuracy")) or not _ids(part.get("requestIds")):
            return bad(f"{mode} must be {{accuracy: number, requestIds: [text, …]}}",
                       f"{mode} deve ser {{accuracy: número, requestIds: [texto, …]}}", part)
        if not 0 <= part["accuracy"] <= 1:
            return bad(f"{mode}.accuracy is a fraction from 0 to 1", f"{mode}.accuracy é uma fração de 0 a 1",
                       part["accuracy"])
    runs = data.get("temperature")
    for t in ("0", "1"):
        part = runs.get(t) if isinstance(runs, dict) else None
        if (not isinstance(part, dict) or not _ids(part.get("requestIds"))
                or not isinstance(part.get("distinctAnswers"), int) or isinstance(part.get("distinctAnswers"), bool)):
            return bad(f'temperature["{t}"] must be {{requestIds: [text, …], distinctAnswers: int}}',
                       f'temperature["{t}"] deve ser {{requestIds: [texto, …], distinctAnswers: int}}', part)
    images = data.get("images")
    fields = {"generatedRequestId": str, "multimodalRequestId": str, "textOnlyModelId": str}
    if (not isinstance(images, dict) or not all(isinstance(images.get(k), kind) for k, kind in fields.items())
            or not _is_num(images.get("imageCostUsd")) or not isinstance(images.get("textOnlyError"), (str, type(None)))):
        return bad("images must be {generatedRequestId, imageCostUsd, multimodalRequestId, textOnlyModelId, "
                   "textOnlyError}",
                   "images deve ser {generatedRequestId, imageCostUsd, multimodalRequestId, textOnlyModelId, "
                   "textOnlyError}", images)
    return data, None


@check("report-format")
def report_format(ctx):
    data, failure = _report(ctx)
    return failure or Pass(actual=sorted(data))


def _ledger(ctx) -> dict:
    return {r.get("requestId"): r for r in bedrock.invocations(ctx) if not r.get("error")}


def _ticket_of(record: dict):
    """The test ticket a classification call asked about: the one whose text its prompt holds (the last one when a
    prompt holds several), or None."""
    prompt = record.get("prompt") or ""
    if not any(t["text"] in prompt for t in TEST):  # the ledger keeps a prompt's first 2,000 characters
        prompt = json.dumps(((record.get("request") or {}).get("body")), ensure_ascii=False)
    found = [(prompt.rfind(t["text"]), t) for t in TEST if t["text"] in prompt]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def predicted(answer: str):
    """The one label an answer names, or None (no label or several)."""
    found = [label for label in LABELS if re.search(r"(?<![\w-])" + re.escape(label) + r"(?![\w-])", answer or "",
                                                    re.I)]
    return found[0] if len(found) == 1 else None


def _classified(ctx, mode: str):
    """[(ticket, record)] for the report's calls of one mode, or a Fail naming the first problem."""
    data, failure = _report(ctx)
    if failure:
        return None, failure
    by_id, out, seen = _ledger(ctx), [], {}
    for request_id in data[mode]["requestIds"]:
        record = by_id.get(request_id)
        if record is None or record.get("operation") not in TEXT_OPS:
            return None, Fail(T(f"{mode}: no text model call has the request id {request_id}",
                                f"{mode}: nenhuma chamada a modelo de texto tem o request id {request_id}"),
                              expected="ResponseMetadata.RequestId", actual=request_id)
        ticket = _ticket_of(record)
        if ticket is None:
            return None, Fail(T(f"{mode}: request {request_id} classifies none of the test tickets",
                                f"{mode}: a requisição {request_id} não classifica nenhum dos chamados de teste"),
                              expected=[t["id"] for t in TEST], actual=(record.get("prompt") or "")[-120:])
        if ticket["id"] in seen:
            return None, Fail(T(f"{mode}: ticket {ticket['id']} is classified twice ({seen[ticket['id']]} and "
                                f"{request_id})", f"{mode}: o chamado {ticket['id']} foi classificado duas vezes "
                                f"({seen[ticket['id']]} e {request_id})"),
                              expected="one call per ticket", actual=[seen[ticket["id"]], request_id])
        seen[ticket["id"]] = request_id
        out.append((ticket, record))
    missing = [t["id"] for t in TEST if t["id"] not in seen]
    if missing:
        return None, Fail(T(f"{mode}: tickets {', '.join(missing)} were not classified",
                            f"{mode}: os chamados {', '.join(missing)} não foram classificados"),
                          expected=[t["id"] for t in TEST], actual=sorted(seen))
    return out, None


@check("zero-shot-calls")
def zero_shot_calls(ctx):
    calls, failure = _classified(ctx, "zeroShot")
    if failure:
        return failure
    for ticket, record in calls:
        examples = record.get("fewShotExamples") or 0
        leaked = [text for text in EXAMPLE_TEXTS if text in (record.get("prompt") or "")]
        if examples or leaked:
            return Fail(T(f"zeroShot: the call for {ticket['id']} (request {record['requestId']}) carries examples: "
                          "zero-shot is the instruction alone", f"zeroShot: a chamada do {ticket['id']} (requisição "
                          f"{record['requestId']}) leva exemplos: zero-shot é só a instrução"),
                        expected={"fewShotExamples": 0}, actual={"fewShotExamples": examples or len(leaked)})
    return Pass(actual=len(calls))


@check("few-shot-calls")
def few_shot_calls(ctx):
    calls, failure = _classified(ctx, "fewShot")
    if failure:
        return failure
    for ticket, record in calls:
        examples = record.get("fewShotExamples") or 0
        if examples < 2:
            return Fail(T(f"fewShot: the call for {ticket['id']} (request {record['requestId']}) carries "
                          f"{examples} labelled example(s); few-shot needs at least 2, each with its label",
                          f"fewShot: a chamada do {ticket['id']} (requisição {record['requestId']}) leva {examples} "
                          "exemplo(s) rotulado(s); few-shot precisa de pelo menos 2, cada um com o seu rótulo"),
                        expected={"fewShotExamples": ">= 2"}, actual={"fewShotExamples": examples})
    return Pass(actual=len(calls))


@check("accuracies-match-ledger")
def accuracies_match_ledger(ctx):
    data, _ = _report(ctx)
    seen = {}
    for mode in ("zeroShot", "fewShot"):
        calls, failure = _classified(ctx, mode)
        if failure:
            return failure
        right = sum(predicted(record.get("output") or "") == ticket["label"] for ticket, record in calls)
        accuracy = right / len(calls)
        reported = data[mode]["accuracy"]
        seen[mode] = reported
        if abs(reported - accuracy) > ACCURACY_TOLERANCE:
            return Fail(T(f"{mode}.accuracy is {num(float(reported), 'en')}, but the answers of those calls give "
                          f"{right} of {len(calls)} = {num(accuracy, 'en')}",
                          f"{mode}.accuracy é {num(float(reported), 'pt-BR')}, mas as respostas dessas chamadas dão "
                          f"{right} de {len(calls)} = {num(accuracy, 'pt-BR')}"),
                        expected=round(accuracy, 4), actual=reported)
    return Pass(actual=seen)


@check("temperature-runs")
def temperature_runs(ctx):
    data, failure = _report(ctx)
    if failure:
        return failure
    by_id, shared = _ledger(ctx), None
    for t in ("0", "1"):
        ids = data["temperature"][t]["requestIds"]
        if len(ids) != RUNS or len(set(ids)) != RUNS:
            return Fail(T(f'temperature["{t}"] must name {RUNS} different calls', f'temperature["{t}"] deve citar '
                          f"{RUNS} chamadas diferentes"), expected=RUNS, actual=len(set(ids)))
        for request_id in ids:
            record = by_id.get(request_id)
            if record is None or record.get("operation") not in TEXT_OPS:
                return Fail(T(f'temperature["{t}"]: no text model call has the request id {request_id}',
                              f'temperature["{t}"]: nenhuma chamada a modelo de texto tem o request id {request_id}'),
                            expected="ResponseMetadata.RequestId", actual=request_id)
            used = bedrock.temperature(record)
            if used is None or abs(float(used) - float(t)) > 1e-9:
                shown = {lang: "—" if used is None else num(float(used), lang) for lang in ("en", "pt-BR")}
                return Fail(T(f'temperature["{t}"]: request {request_id} ran at temperature {shown["en"]}',
                              f'temperature["{t}"]: a requisição {request_id} rodou com temperature {shown["pt-BR"]}'),
                            expected={"temperature": int(t)}, actual={"temperature": used})
            call = (bedrock.base_model(record.get("modelId", "")), record.get("prompt"))
            shared = shared or call
            if call != shared:
                return Fail(T("the ten calls must be identical: the same model and the same prompt",
                              "as dez chamadas devem ser idênticas: o mesmo modelo e o mesmo prompt"),
                            expected=list(shared), actual=list(call))
    return Pass(actual=shared[0])


@check("distinct-answers")
def distinct_answers(ctx):
    data, _ = _report(ctx)
    by_id, counted = _ledger(ctx), {}
    for t in ("0", "1"):
        records = [by_id[i] for i in data["temperature"][t]["requestIds"]]
        distinct = len({r.get("outputHash") or r.get("output") for r in records})
        counted[t] = distinct
        reported = data["temperature"][t]["distinctAnswers"]
        if reported != distinct:
            return Fail(T(f'temperature["{t}"].distinctAnswers is {reported}, but those calls gave {distinct} '
                          "different answers", f'temperature["{t}"].distinctAnswers é {reported}, mas essas chamadas '
                          f"deram {distinct} respostas diferentes"), expected=distinct, actual=reported)
    return Pass(actual=counted)


def _images(ctx):
    data, failure = _report(ctx)
    return (None, failure) if failure else (data["images"], None)


@check("image-generated")
def image_generated(ctx):
    images, failure = _images(ctx)
    if failure:
        return failure
    record = _ledger(ctx).get(images["generatedRequestId"])
    info = bedrock.model_info(ctx, record.get("modelId", "")) if record else None
    if record is None or info is None or "IMAGE" not in info.get("outputModalities", []):
        return Fail(T(f"images.generatedRequestId {images['generatedRequestId']} is not a call to an image "
                      "generation model", f"images.generatedRequestId {images['generatedRequestId']} não é uma chamada "
                      "a um modelo de geração de imagens"),
                    expected="outputModalities IMAGE", actual=record.get("modelId") if record else None)
    cost = float(record.get("costUsd") or 0.0)
    if abs(images["imageCostUsd"] - cost) > 1e-6:
        return Fail(T(f"images.imageCostUsd differs from what request {record['requestId']} cost",
                      f"images.imageCostUsd difere do custo da requisição {record['requestId']}"),
                    expected=round(cost, 6), actual=images["imageCostUsd"])
    return Pass(actual={"modelId": record["modelId"], "costUsd": cost})


def _has_image(body) -> bool:
    """A request body that carries an image: a Converse image block, or Claude's/Nova's native ones."""
    if isinstance(body, dict):
        if "image" in body and isinstance(body["image"], dict):
            return True
        if body.get("type") == "image":
            return True
        return any(_has_image(v) for v in body.values())
    if isinstance(body, list):
        return any(_has_image(v) for v in body)
    return False


@check("multimodal-call")
def multimodal_call(ctx):
    images, failure = _images(ctx)
    if failure:
        return failure
    record = _ledger(ctx).get(images["multimodalRequestId"])
    info = bedrock.model_info(ctx, record.get("modelId", "")) if record else None
    body = ((record or {}).get("request") or {}).get("body")
    ok = (record is not None and info is not None and "IMAGE" in info.get("inputModalities", [])
          and "TEXT" in info.get("outputModalities", []) and (record.get("task") == "image" or _has_image(body)))
    return expect(ok, T(f"images.multimodalRequestId {images['multimodalRequestId']} is not a call that sent an image "
                        "to a multimodal text model", f"images.multimodalRequestId {images['multimodalRequestId']} "
                        "não é uma chamada que enviou uma imagem a um modelo de texto multimodal"),
                  expected="inputModalities TEXT+IMAGE, an image in the request",
                  actual=record.get("modelId") if record else None)


def _client_errors(ctx, model_id: str) -> float:
    now = datetime.now(timezone.utc)
    answer = ctx.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Bedrock", MetricName="InvocationClientErrors",
        Dimensions=[{"Name": "ModelId", "Value": model_id}], StartTime=now - timedelta(days=14),
        EndTime=now + timedelta(hours=1), Period=15 * 86400, Statistics=["Sum"])  # one bucket: the whole window
    return sum(p.get("Sum", 0) for p in answer.get("Datapoints", []))


@check("text-only-refusal")
def text_only_refusal(ctx):
    images, failure = _images(ctx)
    if failure:
        return failure
    model_id, error = images["textOnlyModelId"], images["textOnlyError"]
    info = bedrock.model_info(ctx, model_id)
    if info is None or "IMAGE" in info.get("inputModalities", []) or "TEXT" not in info.get("outputModalities", []):
        return Fail(T(f"images.textOnlyModelId {model_id} is not a text-only model", f"images.textOnlyModelId "
                      f"{model_id} não é um modelo só de texto"),
                    expected="inputModalities [TEXT]", actual=info.get("inputModalities") if info else None)
    if error != "ValidationException" or _client_errors(ctx, model_id) < 1:
        return Fail(T(f"no refused call to {model_id} was recorded (AWS/Bedrock InvocationClientErrors), or "
                      "textOnlyError is not the refusal's error code", f"nenhuma chamada recusada a {model_id} foi "
                      "registrada (AWS/Bedrock InvocationClientErrors), ou textOnlyError não é o código de erro da "
                      "recusa"), expected="ValidationException", actual=error)
    return Pass(actual={"modelId": model_id, "error": error})
