"""Amazon Titan Text Embeddings (v1: 1536 floats; v2: ``dimensions``, ``normalize``, ``embeddingTypes``)."""

from __future__ import annotations

from ..catalog import Model
from ..errors import malformed
from . import fields
from .media import EmbeddingRequest

FAMILY = "titan-embed"
KIND = "embedding"


def parse(model: Model, body: dict) -> EmbeddingRequest:
    text = fields.require(body, "inputText")
    if not isinstance(text, str):
        raise malformed("#/inputText: expected type: String")
    if not text.strip():
        raise malformed("#/inputText: expected minLength: 1, actual: 0")
    v1 = model.id.endswith("v1")
    if v1 and "dimensions" in body:
        raise malformed("#: extraneous key [dimensions] is not permitted")
    dims = body.get("dimensions", model.default_dimensions)
    if dims not in model.dimensions:
        raise malformed(f"#/dimensions: {dims} is not a valid enum value")
    normalize = body.get("normalize", True)
    if not isinstance(normalize, bool):
        raise malformed("#/normalize: expected type: Boolean")
    types = body.get("embeddingTypes") or ["float"]
    if not isinstance(types, list) or any(t not in ("float", "binary") for t in types):
        raise malformed("#/embeddingTypes: only float and binary are valid")
    return EmbeddingRequest([text], dims, normalize, types)


def response(model: Model, request: EmbeddingRequest, vectors: list[list[float]], binaries: list[list[int]], in_tokens: int) -> dict:
    vector = vectors[0]
    if model.id.endswith("v1"):
        return {"embedding": vector, "inputTextTokenCount": in_tokens}
    by_type: dict = {}
    if "float" in request.types:
        by_type["float"] = vector
    if "binary" in request.types:
        by_type["binary"] = binaries[0]
    return {"embedding": vector, "embeddingsByType": by_type, "inputTextTokenCount": in_tokens}
