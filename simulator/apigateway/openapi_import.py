"""ImportRestApi and PutRestApi take what API Gateway takes: OpenAPI 3.x and Swagger 2.0, JSON or YAML, with or
without ``info.description`` (``chalice deploy`` sends Swagger 2.0 without one), methods in any case,
``x-amazon-apigateway-any-method``, integration types in lower case, binary media types. A body that is not such a
document is a 400 ``BadRequestException``, never a 500.

moto reads a small subset of OpenAPI 3 (title, description, paths, methods, responses, the integration extension);
:func:`normalize` turns any accepted document into exactly that subset.
"""

from __future__ import annotations

import json

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
ANY_METHOD = "x-amazon-apigateway-any-method"


class InvalidDocument(ValueError):
    """What API Gateway says about a document it cannot import."""


def load(body) -> object:
    """The document in a request body: JSON, else YAML (as API Gateway accepts both)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body or not body.strip():
        raise InvalidDocument("Invalid OpenAPI input: the request body is empty.")
    try:
        return json.loads(body)
    except ValueError:
        pass
    import yaml

    try:
        return yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise InvalidDocument(f"Invalid OpenAPI input: the body is neither JSON nor YAML ({str(exc)[:200]}).") from None


def normalize(doc: object) -> dict:
    """The moto-readable OpenAPI 3 subset of an OpenAPI 3.x or Swagger 2.0 document."""
    if not isinstance(doc, dict):
        raise InvalidDocument("Invalid OpenAPI input: the body must be an OpenAPI 3.x or Swagger 2.0 document.")
    swagger, openapi = str(doc.get("swagger", "")), str(doc.get("openapi", ""))
    if not (swagger.startswith("2") or openapi.startswith("3")):
        raise InvalidDocument("Invalid OpenAPI input: API Gateway imports OpenAPI 3.x (\"openapi\": \"3.0.1\") or "
                              "Swagger 2.0 (\"swagger\": \"2.0\") documents.")
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or not info["title"].strip():
        raise InvalidDocument("Invalid OpenAPI input: the API needs a name, info.title.")
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):
        raise InvalidDocument("Invalid OpenAPI input: paths must be an object.")
    out_paths: dict[str, dict] = {}
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidDocument(f"Invalid OpenAPI input: the path {str(path)[:100]!r} must start with /.")
        if not isinstance(item, dict):
            raise InvalidDocument(f"Invalid OpenAPI input: the path item {path} must be an object.")
        methods = {}
        for key, operation in item.items():
            if not isinstance(operation, dict):
                continue  # "parameters" lists and other path-level keys
            lowered = key.lower()
            if lowered in HTTP_METHODS:
                methods[lowered] = _operation(operation)
            elif lowered == ANY_METHOD:
                methods["any"] = _operation(operation)
        out_paths[path] = methods
    description = info.get("description")
    return {
        "openapi": "3.0.1",
        "info": {"title": info["title"], "description": description if isinstance(description, str) else None,
                 "version": str(info.get("version", ""))},
        "paths": out_paths,
        "binaryMediaTypes": [t for t in doc.get("x-amazon-apigateway-binary-media-types") or [] if isinstance(t, str)],
    }


def _operation(operation: dict) -> dict:
    out = {"responses": operation.get("responses") if isinstance(operation.get("responses"), dict) else {}}
    integration = operation.get("x-amazon-apigateway-integration")
    if isinstance(integration, dict):
        integration = dict(integration)
        for key in ("type", "httpMethod", "passthroughBehavior", "contentHandling", "connectionType"):
            if isinstance(integration.get(key), str):
                integration[key] = integration[key].upper()
        out["x-amazon-apigateway-integration"] = integration
    return out


# -- replacements for moto's APIGatewayResponse (declared in core/motoseam.py) ------------------------------------
def _document(response) -> dict:
    from moto.apigateway.exceptions import BadRequestException

    try:
        return normalize(load(response.body))
    except (InvalidDocument, UnicodeDecodeError) as exc:
        raise BadRequestException(str(exc)) from None


def import_rest_api(self):
    """ImportRestApi: a new API from the document (201, as API Gateway answers)."""
    doc = _document(self)
    api = self.backend.import_rest_api(doc, False)  # moto's validator knows OpenAPI 3 only: the shape is checked
    if doc["binaryMediaTypes"]:
        api.binaryMediaTypes = list(doc["binaryMediaTypes"])
    return 201, {}, json.dumps(api.to_dict())


def put_rest_api(self):
    """PutRestApi: merge the document into an API, or overwrite it."""
    function_id = self.path.replace("/restapis/", "", 1).split("/")[0]
    mode = self._get_param("mode", "merge")
    doc = _document(self)
    api = self.backend.put_rest_api(function_id, doc, mode=mode, fail_on_warnings=False)
    if doc["binaryMediaTypes"]:
        api.binaryMediaTypes = list(doc["binaryMediaTypes"])
    return 200, {}, json.dumps(api.to_dict())
