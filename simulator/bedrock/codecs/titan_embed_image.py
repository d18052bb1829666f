"""Amazon Titan Multimodal Embeddings G1: ``inputText`` and/or ``inputImage`` (base64) + ``embeddingConfig``."""

from __future__ import annotations

import base64
import binascii

from ..catalog import Model
from ..errors import malformed
from .media import EmbeddingRequest

FAMILY = "titan-embed-image"
KIND = "embedding"


def parse(model: Model, body: dict) -> EmbeddingRequest:
    text, image = body.get("inputText"), body.get("inputImage")
    if text is None and image is None:
        raise malformed("#: required key [inputText] or [inputImage] not found")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise malformed("#/inputText: expected minLength: 1")
    picture = b""
    if image is not None:
        try:
            picture = base64.b64decode(image, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise malformed("#/inputImage: the image is not valid base64") from None
        if not picture:
            raise malformed("#/inputImage: expected minLength: 1")
    config = body.get("embeddingConfig") or {}
    if not isinstance(config, dict):
        raise malformed("#/embeddingConfig: expected type: JSONObject")
    dims = config.get("outputEmbeddingLength", model.default_dimensions)
    if dims not in model.dimensions:
        raise malformed(f"#/embeddingConfig/outputEmbeddingLength: {dims} is not a valid enum value")
    request = EmbeddingRequest([text or ""], dims, True, ["float"])
    request.image_bytes = [picture]
    return request


def response(model: Model, request: EmbeddingRequest, vectors: list[list[float]], binaries: list[list[int]], in_tokens: int) -> dict:
    return {"embedding": vectors[0], "inputTextTokenCount": in_tokens}
