"""Checks of lambda-prompt-function: the role (trust and least privilege), the function's configuration, and a
live invoke with the grader's own text — its answer, the Bedrock call it made (ledger) and its REPORT log line."""

import threading

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import awslambda, bedrock, cloudwatch, iam, kms, probes

REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE, FUNCTION = "genai-lambda-role", "genai-summarize"
BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"
LOG_GROUP = f"/aws/lambda/{FUNCTION}"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}"
MIN_TIMEOUT, MIN_MEMORY = 30, 256
def model_arn(model_id: str) -> str:
    """The ARN IAM judges a call on: a foundation model, or the inference profile when the id is one."""
    if bedrock.base_model(model_id) != model_id:
        return f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{model_id}"
    return f"arn:aws:bedrock:{REGION}::foundation-model/{model_id}"


def _config(ctx):
    if "lpf.config" not in ctx.cache:
        ctx.cache["lpf.config"] = awslambda.function(ctx, FUNCTION)
    return ctx.cache["lpf.config"]


def _docs(ctx):
    if "lpf.docs" not in ctx.cache:
        ctx.cache["lpf.docs"] = [doc for _, doc in iam.role_policies(ctx, ROLE)]
    return ctx.cache["lpf.docs"]


def _model_id(ctx) -> str | None:
    config = _config(ctx)
    return awslambda.env(config).get("MODEL_ID") if config else None


@check("role-trust")
def role_trust(ctx):
    info = iam.role(ctx, ROLE)
    if info is None:
        return Fail(T(f"role {ROLE} does not exist", f"a role {ROLE} não existe"), expected=ROLE, actual=None)
    services = iam.trusted_services(info)
    return expect("lambda.amazonaws.com" in services,
                  T(f"{ROLE} does not let Lambda assume it", f"{ROLE} não deixa o Lambda assumi-la"),
                  expected="lambda.amazonaws.com", actual=sorted(services))


@check("role-least-privilege")
def role_least_privilege(ctx):
    docs = _docs(ctx)
    if not docs:
        return Fail(T(f"{ROLE} has no permissions policy", f"{ROLE} não tem política de permissões"),
                    expected="bedrock:InvokeModel, s3:GetObject, kms:Decrypt, logs:*", actual=[])
    problems = iam.least_privilege_problems(docs)
    broad = [{"Action": st.get("Action") or st.get("NotAction"), "Resource": st.get("Resource")}
             for doc in docs for st in iam.statements(doc) if st.get("Effect") == "Allow"
             and iam.least_privilege_problems([{"Statement": [st]}])]
    return expect(not problems, T("; ".join(p.en for p in problems), "; ".join(p("pt-BR") for p in problems)),
                  expected={"Action": "service:Operation", "Resource": "arn:aws:…"}, actual=broad,
                  hint=T("Name the exact actions and resources: bedrock:InvokeModel on the model's ARN, "
                         "s3:GetObject on the template, kms:Decrypt on the key, logs on the function's log group.",
                         "Indique as ações e os recursos exatos: bedrock:InvokeModel no ARN do modelo, "
                         "s3:GetObject no template, kms:Decrypt na chave, logs no grupo de logs da função."))


@check("role-model-scope")
def role_model_scope(ctx):
    model_id = _model_id(ctx)
    docs = _docs(ctx)
    if not model_id:
        return Fail(T("the function names no model yet (environment variable MODEL_ID)",
                      "a função ainda não indica um modelo (variável de ambiente MODEL_ID)"),
                    expected="MODEL_ID", actual=None)
    wanted = model_arn(model_id)
    if not iam.allows(docs, "bedrock:InvokeModel", wanted):
        return Fail(T(f"{ROLE} may not call the model MODEL_ID names", f"{ROLE} não pode chamar o modelo que MODEL_ID "
                      "indica"), expected=f"bedrock:InvokeModel {wanted}", actual=None)
    other = "amazon.titan-text-express-v1" if "titan-text-express" not in model_id else "amazon.nova-micro-v1:0"
    return expect(not iam.allows(docs, "bedrock:InvokeModel", model_arn(other)),
                  T(f"{ROLE} may call other models too (e.g. {other}): allow only the model MODEL_ID names",
                    f"{ROLE} também pode chamar outros modelos (por exemplo {other}): permita só o modelo que "
                    "MODEL_ID indica"),
                  expected=wanted, actual=f"bedrock:InvokeModel {model_arn(other)}")


@check("role-template-and-key")
def role_template_and_key(ctx):
    key = kms.describe(ctx, "alias/genai-lab")
    missing = iam.missing(_docs(ctx), [("s3:GetObject", f"arn:aws:s3:::{BUCKET}/{TEMPLATE}"),
                                       ("kms:Decrypt", key["Arn"] if key else "alias/genai-lab")])
    return expect(not missing, T(f"{ROLE} cannot read the encrypted template: {'; '.join(missing)}",
                                 f"{ROLE} não consegue ler o template criptografado: {'; '.join(missing)}"),
                  expected=missing or None, actual=None)


@check("role-logs")
def role_logs(ctx):
    stream = f"{LOG_GROUP_ARN}:log-stream:2026/01/01/[$LATEST]0123abcd"
    missing = iam.missing(_docs(ctx), [("logs:CreateLogStream", stream), ("logs:PutLogEvents", stream)])
    return expect(not missing, T(f"{ROLE} cannot write the function's logs: {'; '.join(missing)}",
                                 f"{ROLE} não consegue gravar os logs da função: {'; '.join(missing)}"),
                  expected=missing or None, actual=None)


@check("function-config")
def function_config(ctx):
    config = _config(ctx)
    if config is None:
        return Fail(T(f"function {FUNCTION} does not exist", f"a função {FUNCTION} não existe"),
                    expected=FUNCTION, actual=None)
    seen = {"Runtime": config.get("Runtime"), "Role": config.get("Role", "").rsplit("/", 1)[-1],
            "Timeout": config.get("Timeout"), "MemorySize": config.get("MemorySize")}
    wanted = {"Runtime": "python3.12", "Role": ROLE, "Timeout": f"≥ {MIN_TIMEOUT}", "MemorySize": f"≥ {MIN_MEMORY}"}
    problems = []
    if seen["Runtime"] != "python3.12":
        problems.append(T(f"runtime {seen['Runtime']}, not python3.12", f"runtime {seen['Runtime']}, não python3.12"))
    if seen["Role"] != ROLE:
        problems.append(T(f"it runs as {seen['Role']}, not {ROLE}", f"ela roda como {seen['Role']}, não {ROLE}"))
    if (seen["Timeout"] or 0) < MIN_TIMEOUT:
        problems.append(T(f"timeout {seen['Timeout']} s: a model's answer can take longer (at least {MIN_TIMEOUT} s)",
                          f"tempo limite {seen['Timeout']} s: a resposta de um modelo pode demorar mais (pelo menos "
                          f"{MIN_TIMEOUT} s)"))
    if (seen["MemorySize"] or 0) < MIN_MEMORY:
        problems.append(T(f"memory {seen['MemorySize']} MB, below {MIN_MEMORY} MB",
                          f"memória de {seen['MemorySize']} MB, abaixo de {MIN_MEMORY} MB"))
    return expect(not problems, T("; ".join(p.en for p in problems), "; ".join(p("pt-BR") for p in problems)),
                  expected=wanted, actual=seen)


@check("function-model-id")
def function_model_id(ctx):
    model_id = _model_id(ctx)
    if not model_id:
        return Fail(T("the environment variable MODEL_ID is not set", "a variável de ambiente MODEL_ID não foi "
                      "definida"), expected="MODEL_ID = anthropic.claude-…", actual=awslambda.env(_config(ctx)))
    models = {m["modelId"]: m for m in ctx.client("bedrock").list_foundation_models()["modelSummaries"]}
    known = models.get(bedrock.base_model(model_id))
    return expect(known is not None and "TEXT" in known.get("outputModalities", []),
                  T(f"MODEL_ID {model_id} is not a text model of the catalog",
                    f"MODEL_ID {model_id} não é um modelo de texto do catálogo"),
                  expected="aws bedrock list-foundation-models --by-output-modality TEXT",
                  actual=model_id)


_PROBE_LOCK = threading.Lock()


def _probe(ctx):
    """Invoke the function once per grading run with a text of the grader's own (and a mark to find its call)."""
    with _PROBE_LOCK:
        return _probe_once(ctx)


def _probe_once(ctx):
    if "lpf.probe" not in ctx.cache:
        text, mark = probes.sample_text()
        ctx.cache["lpf.probe"] = dict(awslambda.invoke(ctx, FUNCTION, {"text": text}), text=text, mark=mark)
    return ctx.cache["lpf.probe"]


@check("invoke-summary")
def invoke_summary(ctx):
    probe = _probe(ctx)
    payload = probe["payload"]
    if probe["error"]:
        return Fail(T(f"the function failed on the grader's text: {probe['error']}",
                      f"a função falhou com o texto do avaliador: {probe['error']}"),
                    expected={"summary": "…"}, actual=awslambda.error_detail(probe))
    good = isinstance(payload, dict) and isinstance(payload.get("summary"), str) and payload["summary"].strip() \
        and payload["summary"].strip() != "TODO"
    return expect(bool(good), T("the function does not answer {\"summary\": \"…\"} with the model's text",
                                "a função não responde {\"summary\": \"…\"} com o texto do modelo"),
                  expected={"summary": "…"}, actual=payload)


@check("invoke-ledger")
def invoke_ledger(ctx):
    probe = _probe(ctx)
    record = bedrock.call_carrying(ctx, probe["mark"])
    if record is None:
        return Fail(T("no Bedrock call carried the grader's text: the prompt must be the template filled with "
                      "event[\"text\"]", "nenhuma chamada ao Bedrock levou o texto do avaliador: o prompt deve ser o "
                      "template preenchido com event[\"text\"]"), expected=probe["mark"], actual=None)
    caller = record.get("caller", "")
    if f":assumed-role/{ROLE}/" not in caller:
        return Fail(T(f"the call was not made by the function's role {ROLE}", f"a chamada não foi feita pela role "
                      f"{ROLE} da função"), expected=f"assumed-role/{ROLE}/…", actual=caller)
    template = ctx.client("s3").get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8", "replace")
    try:
        filled = template.format(texto=probe["text"], text=probe["text"])
    except (KeyError, ValueError, IndexError, AttributeError):
        filled = None
    if filled is None or " ".join(filled.split()) not in " ".join((record.get("prompt") or "").split()):
        return Fail(T(f"the prompt is not the template s3://{BUCKET}/{TEMPLATE} filled with the text",
                      f"o prompt não é o template s3://{BUCKET}/{TEMPLATE} preenchido com o texto"),
                    expected=(filled or "")[:200], actual=(record.get("prompt") or "")[:200])
    model_id = _model_id(ctx) or ""
    used = {bedrock.base_model(record.get("modelId", "")), bedrock.base_model(record.get("requestedModelId") or "")}
    return expect(bedrock.base_model(model_id) in used,
                  T("the function called another model than MODEL_ID names: read it from os.environ[\"MODEL_ID\"]",
                    "a função chamou outro modelo, não o que MODEL_ID indica: leia-o de os.environ[\"MODEL_ID\"]"),
                  expected=model_id, actual=record.get("requestedModelId") or record.get("modelId"))


@check("function-logs")
def function_logs(ctx):
    probe = _probe(ctx)
    request_id = probe.get("requestId")
    lines = cloudwatch.log_lines(ctx, LOG_GROUP, contains="REPORT RequestId:") or []
    if request_id:
        lines = [line for line in lines if request_id in line]
    return expect(bool(lines), T(f"no REPORT line of the grader's invocation in {LOG_GROUP}",
                                 f"nenhuma linha REPORT da invocação do avaliador em {LOG_GROUP}"),
                  expected=f"REPORT RequestId: {request_id or '…'}", actual=None)
