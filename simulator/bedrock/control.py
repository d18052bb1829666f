"""The bedrock control plane we serve: foundation models, model access, guardrails and invocation logging.

Each operation is a function ``(state, info, labels) -> Response`` named by a row of ``operations.OPERATIONS``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from . import catalog
from .errors import not_found, validation

if TYPE_CHECKING:
    from ..core.router import RequestInfo
    from .state import BedrockState


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


def list_foundation_models(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
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


def get_foundation_model(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    identifier = labels["modelIdentifier"]
    resolved = catalog.resolve(identifier)
    if resolved is None or resolved.via_profile:
        raise not_found(f"Could not find model with identifier {identifier}.")
    return ok({"modelDetails": resolved.model.summary(info.region)})


def get_foundation_model_availability(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    identifier = labels["modelId"]
    resolved = catalog.resolve(identifier)
    if resolved is None:
        raise not_found(f"Could not find model with identifier {identifier}.")
    model = resolved.model
    needs_form = state.use_case_missing(model.provider)
    return ok({
        "modelId": model.id,
        "agreementAvailability": {"status": "NOT_AVAILABLE" if needs_form else "AVAILABLE"},
        "authorizationStatus": "NOT_AUTHORIZED" if needs_form else "AUTHORIZED",
        "entitlementAvailability": "AVAILABLE",
        "regionAvailability": "AVAILABLE",
    })


def _page(items: list, query: dict, key: str) -> Response:
    limit = int(query.get("maxResults") or 1000)
    start = int(query.get("nextToken") or 0)
    out: dict = {key: items[start : start + limit]}
    if start + limit < len(items):
        out["nextToken"] = str(start + limit)
    return ok(out)


def list_inference_profiles(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    if info.query.get("typeEquals") == "APPLICATION":
        return ok({"inferenceProfileSummaries": []})
    items = [catalog.profile_summary(pid, prefix, model, info.region) for pid, prefix, model in catalog.profiles()]
    return _page(items, info.query, "inferenceProfileSummaries")


def get_inference_profile(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    identifier = labels["inferenceProfileIdentifier"]
    wanted = identifier.rsplit("/", 1)[-1]
    for pid, prefix, model in catalog.profiles():
        if pid == wanted:
            return ok(catalog.profile_summary(pid, prefix, model, info.region))
    raise not_found(f"Inference profile {identifier} not found.")


def put_use_case_for_model_access(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    body = _body(info)
    if not body.get("formData"):
        raise validation("1 validation error detected: Value at 'formData' failed to satisfy constraint: Member must not be null")
    state.use_case_submitted = True
    return ok({}, 201)


# -- guardrails -------------------------------------------------------------------------------------------------
def create_guardrail(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return ok(state.guardrails.create(_body(info), info.region), 202)


def get_guardrail(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return ok(state.guardrails.describe(labels["guardrailIdentifier"], info.query.get("guardrailVersion")))


def list_guardrails(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return _page(state.guardrails.summaries(info.query.get("guardrailIdentifier")), info.query, "guardrails")


def update_guardrail(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return ok(state.guardrails.update(labels["guardrailIdentifier"], _body(info)), 202)


def create_guardrail_version(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return ok(state.guardrails.create_version(labels["guardrailIdentifier"], _body(info).get("description")), 202)


def delete_guardrail(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    state.guardrails.delete(labels["guardrailIdentifier"], info.query.get("guardrailVersion"))
    return ok({}, 202)


# -- invocation logging -------------------------------------------------------------------------------------------
def put_logging(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
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
        if not info.replaying and not state.log_group_exists(cw["logGroupName"], info.region):
            raise validation(f"Failed to validate permissions for log group: {cw['logGroupName']}, with role: {cw['roleArn']}. Verify the IAM role permissions are correct.")
    if s3:
        if not info.replaying and not state.bucket_exists(s3.get("bucketName", "")):
            raise validation(f"Failed to validate permissions for S3 bucket: {s3.get('bucketName')}. Verify the bucket exists and its policy allows bedrock.amazonaws.com to write.")
    state.logging_config = config
    return ok({})


def get_logging(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    return ok({"loggingConfig": state.logging_config} if state.logging_config else {})


def delete_logging(state: "BedrockState", info: "RequestInfo", labels: dict) -> Response:
    state.logging_config = None
    return ok({})
