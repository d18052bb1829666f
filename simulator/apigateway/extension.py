"""API Gateway execute-api: serves deployed REST API stages on the local cloud's endpoint.

moto stores REST APIs but serves no request to them in server mode; this extension does. It reads the API from
moto's backend on every request (so it sees the learner's latest resources), runs the integration and writes
the stage's access log. Execute requests are never journaled: what they change is journaled by the services
they reach.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from werkzeug.wrappers import Response

from ..core.admin import json_response
from ..core.extensions import Extension
from ..core.home import ACCOUNT_ID
from . import authorizers, httpapi, integrations, routing, templates, testinvoke

log = logging.getLogger("gailab.simulator.apigateway")


def _missing_token() -> Response:
    return Response(json.dumps({"message": "Missing Authentication Token"}), status=403,
                    content_type="application/json",
                    headers={"x-amzn-ErrorType": "MissingAuthenticationTokenException"})


def _multi(pairs) -> tuple[dict | None, dict | None]:
    single: dict = {}
    multi: dict = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return (single or None), (multi or None)


class ApiGatewayExtension(Extension):
    name = "apigateway-execute"
    own_authorization = True  # execute routes: the API's own Authorization header (Lambda authorizers)

    def matches(self, info) -> bool:
        if testinvoke.matches(info):
            return True
        if info.service not in (None, "execute-api"):
            return False
        return routing.target_of(info.path, info.headers.get("Host", "")) is not None

    def handle(self, info) -> Response:
        if testinvoke.matches(info):
            return testinvoke.handle(self, info)
        info.journal = False
        started = time.perf_counter()
        target = routing.target_of(info.path, info.headers.get("Host", ""))
        api = routing.find_api(target.api_id)
        if api is None:
            http_api = httpapi.find(target.api_id)
            if http_api is not None:
                outcome = httpapi.serve(info, http_api, target, self.cloud.endpoint)
                return self._respond(outcome, str(uuid.uuid4()))
            return Response(json.dumps({"message": f"The local cloud has no REST or HTTP API with id '{target.api_id}'"}),
                            status=404, content_type="application/json",
                            headers={"x-amzn-ErrorType": "NotFoundException"})
        stage = api.stages.get(target.stage)
        if stage is None:
            return _missing_token()
        found = routing.match(routing.deployed_resources(api, stage), target.path, info.method)
        if found is None:
            return _missing_token()
        resource, resource_path, params, method = found
        refused = self._method_access(info, api, target, resource_path, method)
        if refused is not None:
            return refused
        request_id = str(uuid.uuid4())
        context = self._context(info, api, stage, resource, resource_path, target, request_id)
        if (method.authorization_type or "NONE").upper() == "CUSTOM":
            refusal, granted = authorizers.authorize(api, method, info, target, resource_path, params,
                                                     dict(stage.variables or {}), context)
            if refusal is not None:
                refusal.latency_ms = (time.perf_counter() - started) * 1000
                self._access_log(stage, context, refusal)
                return self._respond(refusal, request_id, context["extendedRequestId"])
            context["authorizer"] = granted
        outcome = self._integrate(info, api, stage, method, resource_path, params, target, context)
        outcome.latency_ms = (time.perf_counter() - started) * 1000
        self._access_log(stage, context, outcome)
        return self._respond(outcome, request_id, context["extendedRequestId"])

    @staticmethod
    def _method_access(info, api, target, resource_path, method) -> Response | None:
        """AWS_IAM methods need a signed request whose principal may execute-api:Invoke; API-key methods an
        enabled key in x-api-key. Answers as API Gateway does (403)."""
        if (method.authorization_type or "NONE").upper() == "AWS_IAM":
            if not info.access_key:
                return _missing_token()
            from ..iam import policy, principals

            principal = principals.resolve(info.access_key)
            found = principals.identity_policies(principal)
            if found is not None:
                arn = (f"arn:aws:execute-api:{info.region}:{ACCOUNT_ID}:{api.id}/{target.stage}/"
                       f"{info.method.upper()}{resource_path}")
                if not policy.evaluate(found, "execute-api:Invoke", arn).allowed:
                    message = (f"User: {principal.arn} is not authorized to perform: execute-api:Invoke on "
                               f"resource: {arn}")
                    return Response(json.dumps({"Message": message}), status=403, content_type="application/json",
                                    headers={"x-amzn-ErrorType": "AccessDeniedException"})
        if (method.authorization_type or "NONE").upper() == "COGNITO_USER_POOLS" and not info.headers.get(
                "Authorization"):
            # The local cloud has no Cognito: it asks for a token but cannot verify one.
            return Response(json.dumps({"message": "Unauthorized"}), status=401, content_type="application/json",
                            headers={"x-amzn-ErrorType": "UnauthorizedException"})
        if getattr(method, "api_key_required", False):
            given = info.headers.get("x-api-key")
            keys = routing.api_backend().keys.values()
            if not given or not any(k.value == given and k.enabled for k in keys):
                return Response(json.dumps({"message": "Forbidden"}), status=403, content_type="application/json",
                                headers={"x-amzn-ErrorType": "ForbiddenException"})
        return None

    @staticmethod
    def _respond(outcome, request_id: str, apigw_id: str | None = None) -> Response:
        headers = {"x-amzn-RequestId": request_id, "x-amz-apigw-id": apigw_id or request_id[:16],
                   **outcome.headers}
        if outcome.error:  # what API Gateway's execution log would say; AWS keeps it out of the response
            headers["x-gailab-integration-error"] = outcome.error[:500].replace("\n", " ")
        response = Response(outcome.body, status=outcome.status)
        for key, value in headers.items():
            response.headers[key] = value
        return response

    # -- the request as API Gateway describes it ------------------------------------------------------------
    def _context(self, info, api, stage, resource, resource_path, target, request_id) -> dict:
        now = datetime.now(timezone.utc)
        return {
            "resourceId": resource.id,
            "resourcePath": resource_path,
            "httpMethod": info.method,
            "extendedRequestId": base64.b32encode(uuid.uuid4().bytes)[:16].decode(),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{target.stage}{target.path}",
            "accountId": ACCOUNT_ID,
            "protocol": info.request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": target.stage,
            "domainPrefix": api.id,
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": info.request.remote_addr or "127.0.0.1",
                         "userAgent": info.headers.get("User-Agent", ""), "caller": None, "user": None,
                         "accessKey": None, "accountId": None, "cognitoIdentityId": None},
            "domainName": f"{api.id}.execute-api.localhost",
            "apiId": api.id,
        }

    def _integrate(self, info, api, stage, method, resource_path, params, target, context):
        integration = method.method_integration
        if integration is None:
            return integrations.internal_error("the method has no integration")
        kind = (integration.integration_type or "").upper()
        stage_variables = dict(stage.variables or {})
        headers, multi_headers = _multi((k, v) for k, v in info.headers.items())
        query, multi_query = _multi(info.request.args.items(multi=True))
        try:
            text_body = info.body.decode("utf-8") if info.body else None
            is_b64 = False
        except UnicodeDecodeError:
            text_body, is_b64 = base64.b64encode(info.body).decode(), True
        data = templates.RequestData(text_body or "", params, query or {}, headers or {}, context, stage_variables)
        content_type = info.headers.get("Content-Type", "")
        if kind == "AWS_PROXY":
            fn, refused = self._lambda_target(integration, stage_variables, api, target, info, resource_path, method)
            if refused is not None:
                return refused
            event = {
                "resource": resource_path, "path": target.path, "httpMethod": info.method,
                "headers": headers, "multiValueHeaders": multi_headers,
                "queryStringParameters": query, "multiValueQueryStringParameters": multi_query,
                "pathParameters": params or None, "stageVariables": stage_variables or None,
                "requestContext": context, "body": text_body, "isBase64Encoded": is_b64,
            }
            started = time.monotonic()
            invocation = integrations.run_lambda(fn, event)
            if invocation is None:
                return integrations.internal_error("the Lambda runtime is not running")
            limit = (integration.timeout_in_millis or 29000) / 1000
            if time.monotonic() - started > limit:  # AWS stops waiting at the integration timeout
                return integrations.Outcome(504, b'{"message": "Endpoint request timed out"}',
                                            {"Content-Type": "application/json"},
                                            f"the function ran longer than {limit:.0f} s")
            return integrations.proxy_response(invocation)
        if kind == "AWS":
            if ":lambda:path/" in (integration.uri or ""):
                fn, refused = self._lambda_target(integration, stage_variables, api, target, info, resource_path,
                                                  method)
                if refused is not None:
                    return refused
                return integrations.aws_lambda(integration, data, content_type)
            return integrations.aws_service(integration, data, content_type, self.cloud.endpoint)
        if kind == "MOCK":
            return integrations.mock(integration, data, content_type)
        if kind in ("HTTP", "HTTP_PROXY"):
            return integrations.http(integration, data, content_type, info.method, kind == "HTTP_PROXY",
                                     info.body, dict(info.headers.items()))
        return integrations.internal_error(f"integration type {kind or 'none'} is not supported by the local cloud")

    def _lambda_target(self, integration, stage_variables, api, target, info, resource_path, method):
        """The function an integration names, or the 500 AWS answers when it is missing or not permitted."""
        fn, why = integrations.lambda_function(
            integrations.substitute_stage_variables(integration.uri, stage_variables))
        if fn is None:
            return None, integrations.internal_error(why)
        if not self._permitted(fn, api, target, info.method, resource_path, method, integration):
            return None, integrations.internal_error(
                "Execution failed due to configuration error: Invalid permissions on Lambda function")
        return fn, None

    @staticmethod
    def _permitted(fn, api, target, verb, resource_path, method, integration) -> bool:
        """AWS lets API Gateway invoke the function with a resource-policy statement or integration credentials."""
        if integration.credentials:
            return True
        base = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api.id}/{target.stage}"
        verbs = {verb.upper(), method.http_method.upper()}
        arns = [f"{base}/{v}{resource_path}" for v in verbs]
        return integrations.permission_allows(fn, arns)

    # -- access logs -------------------------------------------------------------------------------------------
    def _access_log(self, stage, context: dict, outcome) -> None:
        settings = getattr(stage, "access_log_settings", None) or {}
        destination, fmt = settings.get("destinationArn"), settings.get("format")
        if not destination or not fmt:
            return
        group = destination.split(":log-group:", 1)[-1].rstrip("*").rstrip(":")
        values = dict(context)
        values.update({"status": outcome.status, "responseLength": len(outcome.body),
                       "integrationErrorMessage": outcome.error or "", "responseLatency": round(outcome.latency_ms),
                       "error": {"message": outcome.error or ""}})

        def lookup(found):
            value = values
            for part in found[1].split("."):
                value = value.get(part) if isinstance(value, dict) else None
            return "-" if value in (None, "") else str(value)

        line = re.sub(r"\$context\.([A-Za-z0-9_.]+)", lookup, fmt)
        try:
            from moto.logs.models import logs_backends

            from ..awslambda.runtime import unseeded

            backend = logs_backends[ACCOUNT_ID]["us-east-1"]
            stream = f"{context['apiId']}-{context['stage']}"
            with unseeded():
                backend.ensure_log_group(group)
                if stream not in backend.groups[group].streams:
                    backend.create_log_stream(group, stream)
                backend.put_log_events(group, stream, [{"timestamp": int(time.time() * 1000), "message": line}])
        except Exception:
            log.exception("could not write the access log to %s", destination)

    # -- admin ---------------------------------------------------------------------------------------------
    def admin_routes(self):
        def apis(info) -> Response:
            found = []
            for api in routing.api_backend().apis.values():
                for name, stage in api.stages.items():
                    found.append({"apiId": api.id, "name": api.name, "stage": name,
                                  "deploymentId": stage.deployment_id,
                                  **routing.invoke_urls(self.cloud.endpoint, api.id, name)})
            for api in httpapi.all_apis():
                for name in api.stages:
                    urls = routing.invoke_urls(self.cloud.endpoint, api.api_id, name)
                    if name == "$default":
                        urls = {k: v.replace("/$default/", "/") for k, v in urls.items() if k != "userRequestUrl"}
                    found.append({"apiId": api.api_id, "name": api.name, "stage": name, "protocol": "HTTP", **urls})
            return json_response({"apis": found})

        return {("GET", "/_gailab/apis"): apis}


def factory() -> ApiGatewayExtension:
    return ApiGatewayExtension()
