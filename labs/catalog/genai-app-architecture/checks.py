"""Checks of genai-app-architecture: one POST through the whole path (API Gateway → Lambda → Bedrock → S3, with
CloudWatch) must leave its trace everywhere — the stored answer, the log line, the ledger record — and the alarm on
the function's errors must go to ALARM when the grader makes the function fail."""

import json
import threading

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import apigateway, awslambda, bedrock, cloudwatch, iam, kms, probes, s3

REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE, FUNCTION, API, STAGE = "genai-lambda-role", "genai-summarize", "genai-api", "prod"
BUCKET, PREFIX, TEMPLATE = "genai-outputs", "responses/", "prompts/summary.txt"
ALARM, LOG_GROUP = "genai-summarize-errors", "/aws/lambda/genai-summarize"
LOG_FIELDS = ("requestId", "inputChars", "inputTokens", "outputTokens", "costUsd")
COST_TOLERANCE = 1e-6
MAX_PERIOD = 300
_LOCK = threading.Lock()


def _docs(ctx):
    if "arch.docs" not in ctx.cache:
        ctx.cache["arch.docs"] = [doc for _, doc in iam.role_policies(ctx, ROLE)] if iam.role(ctx, ROLE) else []
    return ctx.cache["arch.docs"]


def _env(ctx) -> dict:
    return awslambda.env(awslambda.function(ctx, FUNCTION) or {})


@check("role-stores-responses")
def role_stores_responses(ctx):
    docs = _docs(ctx)
    key = kms.describe(ctx, "alias/genai-lab")
    missing = iam.missing(docs, [("s3:PutObject", f"arn:aws:s3:::{BUCKET}/{PREFIX}0a1b2c3d.json"),
                                 ("kms:GenerateDataKey", key["Arn"] if key else "alias/genai-lab")])
    if missing:
        return Fail(T(f"{ROLE} cannot store the answers encrypted: {'; '.join(missing)}",
                      f"{ROLE} não consegue guardar as respostas criptografadas: {'; '.join(missing)}"),
                    expected=missing, actual=None)
    return expect(not iam.allows(docs, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/{TEMPLATE}"),
                  T("the role may also overwrite the prompt template: allow s3:PutObject under responses/ only",
                    "a role também pode sobrescrever o template de prompt: permita s3:PutObject só em responses/"),
                  expected=f"s3:PutObject arn:aws:s3:::{BUCKET}/{PREFIX}*",
                  actual=f"s3:PutObject arn:aws:s3:::{BUCKET}/{TEMPLATE}")


@check("role-least-privilege")
def role_least_privilege(ctx):
    problems = iam.least_privilege_problems(_docs(ctx))
    return expect(not problems, T("; ".join(p.en for p in problems), "; ".join(p("pt-BR") for p in problems)),
                  expected={"Action": "service:Operation", "Resource": "arn:aws:…"},
                  actual=len(problems))


def _catalog_price(ctx, model_id: str) -> dict | None:
    models = ctx.admin("/_gailab/bedrock/models").get("models", [])
    found = next((m for m in models if m.get("id") == bedrock.base_model(model_id)), None)
    return found and found.get("price")


@check("function-prices")
def function_prices(ctx):
    env = _env(ctx)
    model_id = env.get("MODEL_ID")
    price = _catalog_price(ctx, model_id) if model_id else None
    wanted = {"PRICE_INPUT_PER_1K": price and price["inputPer1K"], "PRICE_OUTPUT_PER_1K": price and price["outputPer1K"]}
    seen = {k: env.get(k) for k in wanted}
    try:
        same = price is not None and all(abs(float(seen[k]) - float(v)) < 1e-12 for k, v in wanted.items())
    except (TypeError, ValueError):
        same = False
    return expect(same, T(f"the function's environment must hold the catalog prices of {model_id} per 1,000 tokens",
                          f"o ambiente da função deve ter os preços de {model_id} por 1.000 tokens do catálogo"),
                  expected=wanted, actual=seen,
                  hint=T("update-function-configuration --environment replaces every variable: pass MODEL_ID, "
                         "PRICE_INPUT_PER_1K and PRICE_OUTPUT_PER_1K together.",
                         "o update-function-configuration --environment substitui todas as variáveis: passe MODEL_ID, "
                         "PRICE_INPUT_PER_1K e PRICE_OUTPUT_PER_1K juntas."))


@check("alarm-config")
def alarm_config(ctx):
    info = cloudwatch.alarm(ctx, ALARM)
    if info is None:
        return Fail(T(f"there is no alarm {ALARM}", f"não existe o alarme {ALARM}"), expected=ALARM, actual=None)
    seen = {"Namespace": info.get("Namespace"), "MetricName": info.get("MetricName"),
            "Dimensions": cloudwatch.dimensions(info), "Statistic": info.get("Statistic"),
            "Period": info.get("Period"), "Threshold": info.get("Threshold"),
            "ComparisonOperator": info.get("ComparisonOperator")}
    wanted = {"Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": {"FunctionName": FUNCTION},
              "Statistic": "Sum", "Period": f"≤ {MAX_PERIOD}", "Threshold": 1,
              "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    if (seen["Namespace"], seen["MetricName"]) != ("AWS/Lambda", "Errors"):
        return Fail(T("the alarm must watch the metric Errors of the namespace AWS/Lambda",
                      "o alarme deve observar a métrica Errors do namespace AWS/Lambda"), expected=wanted, actual=seen)
    if seen["Dimensions"] != {"FunctionName": FUNCTION}:
        return Fail(T(f"the alarm must watch the function {FUNCTION} (dimension FunctionName)",
                      f"o alarme deve observar a função {FUNCTION} (dimensão FunctionName)"), expected=wanted, actual=seen)
    one_error = (seen["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and 0 < (seen["Threshold"] or 0) <= 1) \
        or (seen["ComparisonOperator"] == "GreaterThanThreshold" and 0 <= (seen["Threshold"] or 0) < 1)
    if seen["Statistic"] != "Sum" or not one_error:
        return Fail(T("the alarm must fire on the first error: Sum of Errors ≥ 1",
                      "o alarme deve disparar no primeiro erro: Sum de Errors ≥ 1"), expected=wanted, actual=seen)
    return expect((seen["Period"] or 0) <= MAX_PERIOD,
                  T(f"a period of {seen['Period']} s sees an error too late (≤ {MAX_PERIOD} s)",
                    f"um período de {seen['Period']} s vê um erro tarde demais (≤ {MAX_PERIOD} s)"),
                  expected=wanted, actual=seen)


def _api_url(ctx) -> str | None:
    apis = [a for a in ctx.client("apigateway").get_rest_apis(limit=500).get("items", []) if a.get("name") == API]
    return apigateway.stage_url(ctx, apis[0]["id"], STAGE, "/summarize") if len(apis) == 1 else None


def _end_to_end(ctx):
    """One POST through the whole path with the grader's text, once per grading run."""
    with _LOCK:
        if "arch.e2e" not in ctx.cache:
            url = _api_url(ctx)
            text, mark = probes.sample_text()
            answer = probes.http(ctx, "POST", url, {"text": text}) if url else None
            ctx.cache["arch.e2e"] = {"url": url, "text": text, "mark": mark, "answer": answer}
        return ctx.cache["arch.e2e"]


@check("e2e-response")
def e2e_response(ctx):
    e2e = _end_to_end(ctx)
    answer = e2e["answer"]
    if answer is None:
        return Fail(T(f"there is no single REST API {API} to call", f"não existe uma única API REST {API} para chamar"),
                    expected=API, actual=None)
    body = answer["body"]
    good = answer["status"] == 200 and isinstance(body, dict) and str(body.get("summary") or "").strip() \
        and isinstance(body.get("requestId"), str) and body["requestId"]
    return expect(bool(good), T("POST /summarize must answer 200 with {\"requestId\": …, \"summary\": …}",
                                "POST /summarize deve responder 200 com {\"requestId\": …, \"summary\": …}"),
                  expected={"status": 200, "body": {"requestId": "…", "summary": "…"}},
                  actual={"status": answer["status"], "body": answer["text"][:200]})


@check("e2e-stored")
def e2e_stored(ctx):
    body = _end_to_end(ctx)["answer"]["body"]
    key = f"{PREFIX}{body['requestId']}.json"
    raw = s3.get_object(ctx, BUCKET, key)
    if raw is None:
        return Fail(T(f"the answer was not stored as s3://{BUCKET}/{key}", f"a resposta não foi guardada como "
                      f"s3://{BUCKET}/{key}"), expected=f"s3://{BUCKET}/{key}",
                    actual=[o["Key"] for o in s3.list_keys(ctx, BUCKET, PREFIX)][-3:] or None)
    try:
        stored = json.loads(raw)
    except ValueError:
        stored = raw[:200].decode("utf-8", "replace")
    if stored != body:
        return Fail(T(f"{key} does not hold the answer the API returned", f"{key} não contém a resposta que a API "
                      "devolveu"), expected=body, actual=stored)
    info = s3.object_info(ctx, BUCKET, key) or {}
    key_ref = info.get("SSEKMSKeyId")
    encrypted = info.get("ServerSideEncryption") == "aws:kms" and key_ref and kms.same_key(ctx, key_ref,
                                                                                          "alias/genai-lab")
    return expect(bool(encrypted), T(f"{key} is not encrypted with the lab key", f"{key} não está criptografado com a "
                                     "chave do lab"), expected="aws:kms alias/genai-lab",
                  actual=f"{info.get('ServerSideEncryption') or 'AES256'} {key_ref or ''}".strip())


@check("e2e-log")
def e2e_log(ctx):
    e2e = _end_to_end(ctx)
    request_id = e2e["answer"]["body"]["requestId"]
    lines = cloudwatch.log_lines(ctx, LOG_GROUP, contains=request_id) or []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("requestId") == request_id:
            entries.append(entry)
    if not entries:
        return Fail(T(f"no JSON log line with the requestId {request_id} in {LOG_GROUP}",
                      f"nenhuma linha de log JSON com o requestId {request_id} em {LOG_GROUP}"),
                    expected={k: "…" for k in LOG_FIELDS}, actual=[line[:120] for line in lines][:3] or None)
    entry = entries[-1]
    if not any(line.startswith("REPORT RequestId: " + request_id) for line in lines):
        return Fail(T("the requestId is not the invocation's (context.aws_request_id): no REPORT line has it",
                      "o requestId não é o da invocação (context.aws_request_id): nenhuma linha REPORT o traz"),
                    expected=f"REPORT RequestId: {request_id}", actual=None)
    record = bedrock.call_carrying(ctx, e2e["mark"])
    if record is None or f":assumed-role/{ROLE}/" not in record.get("caller", ""):
        return Fail(T("the ledger has no call made by the function with the posted text",
                      "o ledger não tem uma chamada feita pela função com o texto enviado"),
                    expected=f"assumed-role/{ROLE}", actual=record and record.get("caller"))
    wanted = {"requestId": request_id, "inputChars": len(e2e["text"]), "inputTokens": record.get("inputTokens"),
              "outputTokens": record.get("outputTokens"), "costUsd": record.get("costUsd")}
    seen = {k: entry.get(k) for k in LOG_FIELDS}
    same = all(seen[k] == wanted[k] for k in LOG_FIELDS if k != "costUsd")
    try:
        same = same and abs(float(seen["costUsd"]) - float(wanted["costUsd"])) <= COST_TOLERANCE
    except (TypeError, ValueError):
        same = False
    return expect(same, T("the log line does not match the request: its size, and the tokens and cost of its "
                          "Bedrock call (from the ledger)",
                          "a linha de log não confere com a requisição: o tamanho dela e os tokens e o custo da "
                          "chamada ao Bedrock (do ledger)"), expected=wanted, actual=seen)


@check("alarm-fires")
def alarm_fires(ctx):
    before = cloudwatch.alarm(ctx, ALARM) or {}
    answer = awslambda.invoke(ctx, FUNCTION, {"pergunta": "um evento sem text"})
    if not answer["error"]:
        return Fail(T("a direct invoke without \"text\" did not fail: Lambda counts an error only when the function "
                      "raises, so the alarm never sees this one",
                      "uma invocação direta sem \"text\" não falhou: o Lambda só conta um erro quando a função lança "
                      "uma exceção, então o alarme nunca vê este"),
                    expected="FunctionError", actual=answer["payload"])
    after = cloudwatch.wait_for_state(ctx, ALARM, ("ALARM",), seconds=min(20.0, ctx.timeout * 2)) or {}
    return expect(after.get("StateValue") == "ALARM",
                  T("the alarm did not go to ALARM after the function failed",
                    "o alarme não foi para ALARM depois que a função falhou"),
                  expected="ALARM", actual={"before": before.get("StateValue"), "after": after.get("StateValue")})
