"""Checks of api-gateway-rest: the API's wiring (resource, method, proxy integration, stage), the invoke
permission scoped to this API, and live calls with the grader's own text — through the stage and directly."""

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import apigateway, awslambda, bedrock, probes

REGION, ACCOUNT = "us-east-1", "123456789012"
API, PATH, STAGE, FUNCTION, ROLE = "genai-api", "/summarize", "prod", "genai-summarize", "genai-lambda-role"


def _apis(ctx):
    if "agr.apis" not in ctx.cache:
        items = ctx.client("apigateway").get_rest_apis(limit=500).get("items", [])
        ctx.cache["agr.apis"] = [a for a in items if a.get("name") == API]
    return ctx.cache["agr.apis"]


def _api_id(ctx) -> str | None:
    apis = _apis(ctx)
    return apis[0]["id"] if len(apis) == 1 else None


def _resource(ctx):
    api_id = _api_id(ctx)
    return apigateway.resource(ctx, api_id, PATH) if api_id else None


@check("direct-invoke")
def direct_invoke(ctx):
    text, mark = probes.sample_text()
    answer = awslambda.invoke(ctx, FUNCTION, {"text": text})
    payload = answer["payload"]
    if answer["error"]:
        return Fail(T(f"a direct invoke with {{\"text\": …}} failed: {answer['error']}",
                      f"uma invocação direta com {{\"text\": …}} falhou: {answer['error']}"),
                    expected={"summary": "…"}, actual=awslambda.error_detail(answer))
    good = isinstance(payload, dict) and isinstance(payload.get("summary"), str) and payload["summary"].strip()
    return expect(bool(good), T("a direct invoke must still answer {\"summary\": …}, not the HTTP shape",
                                "uma invocação direta ainda deve responder {\"summary\": …}, não o formato HTTP"),
                  expected={"summary": "…"}, actual=payload)


@check("api-exists")
def api_exists(ctx):
    apis = _apis(ctx)
    if len(apis) > 1:
        return Fail(T(f"{len(apis)} REST APIs are named {API}: delete the extra ones (aws apigateway delete-rest-api)",
                      f"{len(apis)} APIs REST se chamam {API}: exclua as sobrando (aws apigateway delete-rest-api)"),
                    expected=1, actual=[a["id"] for a in apis])
    return expect(len(apis) == 1, T(f"there is no REST API named {API}", f"não existe uma API REST chamada {API}"),
                  expected=API, actual=None)


@check("api-route")
def api_route(ctx):
    api_id = _api_id(ctx)
    resource = _resource(ctx)
    if resource is None:
        return Fail(T(f"{API} has no resource {PATH}", f"{API} não tem o recurso {PATH}"), expected=PATH, actual=None)
    methods = sorted((resource.get("resourceMethods") or {}).keys())
    if "POST" not in methods:
        return Fail(T(f"{PATH} has no POST method: a summary request sends a body", f"{PATH} não tem o método POST: "
                      "um pedido de resumo envia um corpo"), expected="POST", actual=methods or None)
    method = apigateway.method(ctx, api_id, resource["id"], "POST") or {}
    return expect(method.get("authorizationType") == "NONE",
                  T("POST /summarize asks for an authorization the grader cannot give (use NONE in this lab)",
                    "POST /summarize exige uma autorização que o avaliador não tem (use NONE neste lab)"),
                  expected="authorizationType NONE", actual=f"authorizationType {method.get('authorizationType')}")


@check("api-integration")
def api_integration(ctx):
    api_id, resource = _api_id(ctx), _resource(ctx)
    info = apigateway.integration(ctx, api_id, resource["id"], "POST") if resource else None
    if info is None:
        return Fail(T("POST /summarize has no integration", "POST /summarize não tem integração"),
                    expected="AWS_PROXY", actual=None)
    seen = {"type": info.get("type"), "httpMethod": info.get("httpMethod"),
            "function": apigateway.integration_function(info)}
    wanted = {"type": "AWS_PROXY", "httpMethod": "POST", "function": FUNCTION}
    if seen["type"] != "AWS_PROXY":
        return Fail(T(f"the integration is {seen['type']}: with AWS_PROXY the function receives the whole request "
                      "and shapes the whole response", f"a integração é {seen['type']}: com AWS_PROXY a função recebe a "
                      "requisição inteira e monta a resposta inteira"), expected=wanted, actual=seen)
    return expect(seen == wanted, T("the integration must call genai-summarize with POST (Lambda is always invoked "
                                    "with POST)", "a integração deve chamar genai-summarize com POST (o Lambda é "
                                    "sempre invocado com POST)"), expected=wanted, actual=seen)


def _source_arns(statement: dict) -> list[str]:
    found = []
    for values in (statement.get("Condition") or {}).values():
        for key, value in values.items():
            if key.lower() == "aws:sourcearn":
                found += value if isinstance(value, list) else [value]
    return found


@check("api-permission")
def api_permission(ctx):
    api_id = _api_id(ctx)
    statements = [st for st in awslambda.policy(ctx, FUNCTION).get("Statement", [])
                  if (st.get("Principal") or {}).get("Service") == "apigateway.amazonaws.com"
                  and st.get("Effect") == "Allow"]
    if not statements:
        return Fail(T("API Gateway may not invoke genai-summarize: the POST answers 500",
                      "o API Gateway não pode invocar genai-summarize: o POST responde 500"),
                    expected="Principal apigateway.amazonaws.com", actual=None)
    prefix = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/"
    arns = [arn for st in statements for arn in _source_arns(st)]
    scoped = [arn for arn in arns if arn.startswith(prefix)]
    if not scoped:
        return Fail(T("the permission is not scoped to this API: any API Gateway API could invoke the function",
                      "a permissão não se limita a esta API: qualquer API do API Gateway poderia invocar a função"),
                    expected=f"{prefix}*/POST/summarize", actual=arns or None)
    return Pass(actual=scoped)


@check("api-stage")
def api_stage(ctx):
    api_id = _api_id(ctx)
    stage = apigateway.stage(ctx, api_id, STAGE) if api_id else None
    return expect(stage is not None and bool(stage.get("deploymentId")),
                  T(f"there is no deployment on the stage {STAGE}: what is not deployed is not served",
                    f"não há implantação no estágio {STAGE}: o que não foi implantado não é servido"),
                  expected=f"stage {STAGE}", actual=None)


def _post(ctx, body):
    return probes.http(ctx, "POST", apigateway.stage_url(ctx, _api_id(ctx), STAGE, PATH), body)


@check("live-post")
def live_post(ctx):
    text, mark = probes.sample_text()
    answer = _post(ctx, {"text": text})
    body = answer["body"]
    if answer["status"] != 200:
        return Fail(T(f"POST {PATH} with the grader's text answered HTTP {answer['status']}",
                      f"POST {PATH} com o texto do avaliador respondeu HTTP {answer['status']}"),
                    expected=200, actual={"status": answer["status"], "body": answer["text"][:200]},
                    hint=T("500: check the invoke permission; 502: the function's answer is not the proxy shape "
                           "(statusCode, headers, body as a string); 403: not deployed or no such route.",
                           "500: confira a permissão de invocação; 502: a resposta da função não está no formato do "
                           "proxy (statusCode, headers, body como string); 403: não implantado ou rota inexistente."))
    kind = {k.lower(): v for k, v in answer["headers"].items()}.get("content-type", "")
    if "json" not in kind or not isinstance(body, dict) or not str(body.get("summary") or "").strip():
        return Fail(T("the answer must be JSON with a summary", "a resposta deve ser um JSON com o summary"),
                    expected={"Content-Type": "application/json", "body": {"summary": "…"}},
                    actual={"Content-Type": kind, "body": answer["text"][:200]})
    record = bedrock.call_carrying(ctx, mark)
    return expect(record is not None and f":assumed-role/{ROLE}/" in record.get("caller", ""),
                  T("the answer did not come from a Bedrock call made by the function with the posted text",
                    "a resposta não veio de uma chamada ao Bedrock feita pela função com o texto enviado"),
                  expected=f"assumed-role/{ROLE} + {mark}", actual=record and record.get("caller"))


@check("bad-request")
def bad_request(ctx):
    answer = _post(ctx, {"texto": "um campo com outro nome"})
    status = answer["status"]
    json_body = isinstance(answer["body"], (dict, list))
    return expect(400 <= status < 500 and json_body,
                  T(f"a body without \"text\" answered HTTP {status}: answer 400 with a JSON message instead of "
                    "letting the function fail (502)",
                    f"um corpo sem \"text\" respondeu HTTP {status}: responda 400 com uma mensagem JSON em vez de "
                    "deixar a função falhar (502)"),
                  expected={"status": 400, "body": {"message": "…"}},
                  actual={"status": status, "body": answer["text"][:200]})
