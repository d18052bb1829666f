"""The bedrock control plane we serve: foundation models, model access, guardrails and invocation logging."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from . import catalog
from .errors import not_found, validation

if TYPE_CHECKING:
    from ..core.router import RequestInfo
    from .service import BedrockService


def ok(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status, content_type="application/json")


def _body(info: "RequestInfo") -> dict:
    if not info.body:
        return {}
    try:
        body = json.loads(info.body)
    except ValueError:
        raise validation("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise validation("The request body must be a JSON object.")
    return body


class Control:
    def __init__(self, service: "BedrockService"):
        self.svc = service

    def list_models(self, info: "RequestInfo") -> Response:
        q = info.query
        out = []
        for model in catalog.models():
            if q.get("byProvider") and q["byProvider"].lower() not in (model.provider.lower(), model.id.split(".")[0]):
                continue
            if q.get("byOutputModality") and q["byOutputModality"] not in model.output:
                continue
            if q.get("byCustomizationType") and q["byCustomizationType"] not in model.customizations:
                continue
            if q.get("byInferenceType"):
                kind = "INFERENCE_PROFILE" if model.profile_only else "ON_DEMAND"
                if q["byInferenceType"] != kind:
                    continue
            out.append(model.summary(info.region))
        return ok({"modelSummaries": out})

    def get_model(self, info: "RequestInfo", identifier: str) -> Response:
        resolved = catalog.resolve(identifier)
        if resolved is None or resolved.via_profile:
            raise not_found(f"Could not find model with identifier {identifier}.")
        return ok({"modelDetails": resolved.model.summary(info.region)})

    def availability(self, info: "RequestInfo", identifier: str) -> Response:
        resolved = catalog.resolve(identifier)
        if resolved is None:
            raise not_found(f"Could not find model with identifier {identifier}.")
        model = resolved.model
        needs_form = model.provider == "Anthropic" and self.svc.settings_view()["useCaseRequired"] and not self.svc.use_case_submitted
        return ok({
            "modelId": model.id,
            "agreementAvailability": {"status": "NOT_AVAILABLE" if needs_form else "AVAILABLE"},
            "authorizationStatus": "NOT_AUTHORIZED" if needs_form else "AUTHORIZED",
            "entitlementAvailability": "AVAILABLE",
            "regionAvailability": "AVAILABLE",
        })

    def list_profiles(self, info: "RequestInfo") -> Response:
        if info.query.get("typeEquals") == "APPLICATION":
            return ok({"inferenceProfileSummaries": []})
        items = [catalog.profile_summary(pid, prefix, model, info.region) for pid, prefix, model in catalog.profiles()]
        limit = int(info.query.get("maxResults") or 1000)
        start = int(info.query.get("nextToken") or 0)
        out: dict = {"inferenceProfileSummaries": items[start : start + limit]}
        if start + limit < len(items):
            out["nextToken"] = str(start + limit)
        return ok(out)

    def get_profile(self, info: "RequestInfo", identifier: str) -> Response:
        wanted = identifier.rsplit("/", 1)[-1]
        for pid, prefix, model in catalog.profiles():
            if pid == wanted:
                return ok(catalog.profile_summary(pid, prefix, model, info.region))
        raise not_found(f"Inference profile {identifier} not found.")

    def put_use_case(self, info: "RequestInfo") -> Response:
        body = _body(info)
        if not body.get("formData"):
            raise validation("1 validation error detected: Value at 'formData' failed to satisfy constraint: Member must not be null")
        self.svc.use_case_submitted = True
        return ok({}, 201)

    # -- guardrails -----------------------------------------------------------------------------------------
    def create_guardrail(self, info: "RequestInfo") -> Response:
        return ok(self.svc.guardrails.create(_body(info), info.region), 202)

    def get_guardrail(self, info: "RequestInfo", identifier: str) -> Response:
        return ok(self.svc.guardrails.describe(identifier, info.query.get("guardrailVersion")))

    def list_guardrails(self, info: "RequestInfo") -> Response:
        items = self.svc.guardrails.summaries(info.query.get("guardrailIdentifier"))
        limit = int(info.query.get("maxResults") or 1000)
        start = int(info.query.get("nextToken") or 0)
        page = items[start : start + limit]
        out: dict = {"guardrails": page}
        if start + limit < len(items):
            out["nextToken"] = str(start + limit)
        return ok(out)

    def update_guardrail(self, info: "RequestInfo", identifier: str) -> Response:
        return ok(self.svc.guardrails.update(identifier, _body(info)), 202)

    def create_guardrail_version(self, info: "RequestInfo", identifier: str) -> Response:
        return ok(self.svc.guardrails.create_version(identifier, _body(info).get("description")), 202)

    def delete_guardrail(self, info: "RequestInfo", identifier: str) -> Response:
        self.svc.guardrails.delete(identifier, info.query.get("guardrailVersion"))
        return ok({}, 202)

    # -- invocation logging ---------------------------------------------------------------------------------
    def put_logging(self, info: "RequestInfo") -> Response:
        config = _body(info).get("loggingConfig")
        if not isinstance(config, dict):
            raise validation("1 validation error detected: Value at 'loggingConfig' failed to satisfy constraint: Member must not be null")
        cw = config.get("cloudWatchConfig") or {}
        s3 = config.get("s3Config") or {}
        if not cw and not s3:
            raise validation("Either cloudWatchConfig or s3Config must be provided.")
        if cw:
            if not cw.get("logGroupName") or not cw.get("roleArn"):
                raise validation("cloudWatchConfig requires logGroupName and roleArn.")
            if not info.replaying and not self.svc.log_group_exists(cw["logGroupName"], info.region):
                raise validation(f"Failed to validate permissions for log group: {cw['logGroupName']}, with role: {cw['roleArn']}. Verify the IAM role permissions are correct.")
        if s3:
            if not info.replaying and not self.svc.bucket_exists(s3.get("bucketName", "")):
                raise validation(f"Failed to validate permissions for S3 bucket: {s3.get('bucketName')}. Verify the bucket exists and its policy allows bedrock.amazonaws.com to write.")
        self.svc.logging_config = config
        return ok({})

    def get_logging(self, info: "RequestInfo") -> Response:
        return ok({"loggingConfig": self.svc.logging_config} if self.svc.logging_config else {})

    def delete_logging(self, info: "RequestInfo") -> Response:
        self.svc.logging_config = None
        return ok({})
