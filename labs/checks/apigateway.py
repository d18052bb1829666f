"""API Gateway (REST): find an API by name and follow its wiring resource → method → integration → stage."""

from __future__ import annotations

from botocore.exceptions import ClientError

from . import Context, error_code


def rest_api(ctx: Context, name: str) -> dict | None:
    items = ctx.client("apigateway").get_rest_apis(limit=500).get("items", [])
    return next((a for a in items if a.get("name") == name), None)


def resource(ctx: Context, api_id: str, path: str) -> dict | None:
    items = ctx.client("apigateway").get_resources(restApiId=api_id, limit=500).get("items", [])
    return next((r for r in items if r.get("path") == path), None)


def method(ctx: Context, api_id: str, resource_id: str, http_method: str) -> dict | None:
    try:
        return ctx.client("apigateway").get_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method)
    except ClientError as exc:
        if error_code(exc) == "NotFoundException":
            return None
        raise


def integration(ctx: Context, api_id: str, resource_id: str, http_method: str) -> dict | None:
    try:
        return ctx.client("apigateway").get_integration(restApiId=api_id, resourceId=resource_id,
                                                        httpMethod=http_method)
    except ClientError as exc:
        if error_code(exc) == "NotFoundException":
            return None
        raise


def stage(ctx: Context, api_id: str, name: str) -> dict | None:
    try:
        return ctx.client("apigateway").get_stage(restApiId=api_id, stageName=name)
    except ClientError as exc:
        if error_code(exc) == "NotFoundException":
            return None
        raise


def integration_function(integration_info: dict) -> str | None:
    """The Lambda function name an AWS/AWS_PROXY integration URI points to."""
    uri = integration_info.get("uri", "") if integration_info else ""
    marker = ":function:"
    if marker not in uri:
        return None
    return uri.split(marker, 1)[1].split("/", 1)[0].split(":", 1)[0]


def stage_url(ctx: Context, api_id: str, stage_name: str, path: str) -> str:
    """The local cloud's URL for a stage path (the ``/restapis/<id>/<stage>/_user_request_/`` form)."""
    return f"{ctx.endpoint.rstrip('/')}/restapis/{api_id}/{stage_name}/_user_request_/{path.lstrip('/')}"
