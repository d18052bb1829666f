"""Cohere Embed v3 (English, Multilingual) and v4: ``texts`` or ``images`` (v4 also ``inputs``), ``input_type``,
``embedding_types``, ``truncate`` (v4 also ``output_dimension``) -> ``embeddings`` (by type when asked)."""

from __future__ import annotations

import base64
import binascii

from ..catalog import Model
from ..errors import malformed
from . import fields
from .media import EmbeddingRequest

FAMILY = "cohere-embed"
KIND = "embedding"
INPUT_TYPES = ("search_document", "search_query", "classification", "clustering")
TYPES = ("float", "int8", "uint8", "binary", "ubinary")
MAX_TEXTS = 96


def _image(uri) -> bytes:
    if not isinstance(uri, str) or not uri.startswith("data:image/") or ";base64," not in uri:
        raise malformed("#/images: each image must be a data URI (data:image/png;base64,... or data:image/jpeg;base64,...)")
    try:
        return base64.b64decode(uri.split(";base64,", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise malformed("#/images: the image is not valid base64") from None


def parse(model: Model, body: dict) -> EmbeddingRequest:
    v4 = "v4" in model.id
    input_type = fields.require(body, "input_type")
    allowed = INPUT_TYPES + (() if v4 else ("image",))
    if input_type not in allowed:
        raise malformed(f"#/input_type: {input_type} is not a valid enum value")
    texts = body.get("texts")
    images = body.get("images")
    inputs = body.get("inputs") if v4 else None
    if "inputs" in body and not v4:
        raise malformed("#: extraneous key [inputs] is not permitted")
    given = [k for k, v in (("texts", texts), ("images", images), ("inputs", inputs)) if v is not None]
    if len(given) != 1:
        raise malformed("#: provide exactly one of texts" + (", images or inputs" if v4 else " or images"))
    request = EmbeddingRequest([], model.default_dimensions, True, ["float"], str(input_type))
    if texts is not None:
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise malformed("#/texts: expected type: JSONArray of strings")
        if len(texts) > MAX_TEXTS:
            raise malformed(f"#/texts: expected maxItems: {MAX_TEXTS}, actual: {len(texts)}")
        if not v4 and any(len(t) > 2048 for t in texts):
            raise malformed("#/texts: expected maxLength: 2048")
        request.texts = list(texts)
    elif images is not None:
        if not isinstance(images, list) or not images:
            raise malformed("#/images: expected type: JSONArray of data URIs")
        if not v4 and len(images) > 1:
            raise malformed(f"#/images: expected maxItems: 1, actual: {len(images)}")
        request.image_bytes = [_image(uri) for uri in images]
        request.texts = [""] * len(images)
    else:
        if not isinstance(inputs, list) or not inputs:
            raise malformed("#/inputs: expected type: JSONArray")
        for item in inputs:
            parts = (item or {}).get("content") if isinstance(item, dict) else None
            if not isinstance(parts, list) or not parts:
                raise malformed("#/inputs: each input needs a content list")
            text = " ".join(str(p.get("text", "")) for p in parts if isinstance(p, dict) and p.get("type") == "text")
            pictures = [_image(p.get("image_url")) for p in parts if isinstance(p, dict) and p.get("type") == "image_url"]
            request.texts.append(text)
            request.image_bytes.append(b"".join(pictures))
    types = body.get("embedding_types")
    if types is not None:
        if not isinstance(types, list) or not types or any(t not in TYPES for t in types):
            raise malformed(f"#/embedding_types: each must be one of {', '.join(TYPES)}")
        request.types = list(types)
        request.by_type = True
    truncate = body.get("truncate", "NONE" if not v4 else "RIGHT")
    if truncate not in (("NONE", "LEFT", "RIGHT") if v4 else ("NONE", "START", "END")):
        raise malformed(f"#/truncate: {truncate} is not a valid enum value")
    request.truncate = truncate
    if v4:
        dims = body.get("output_dimension", model.default_dimensions)
        if dims not in model.dimensions:
            raise malformed(f"#/output_dimension: {dims} is not a valid enum value")
        request.dimensions = dims
        request.by_type = True
        fields.number(body, "max_tokens", 1, 128000, integer=True)
    elif "output_dimension" in body:
        raise malformed("#: extraneous key [output_dimension] is not permitted")
    return request


def _int8(v: list[float]) -> list[int]:
    return [max(-128, min(127, round(x * 127 / _scale(v)))) for x in v]


def _uint8(v: list[float]) -> list[int]:
    return [max(0, min(255, round((x / _scale(v) + 1) * 127.5))) for x in v]


def _scale(v: list[float]) -> float:
    return max((abs(x) for x in v), default=1.0) or 1.0


def _packed(v: list[float], signed: bool) -> list[int]:
    out = []
    for i in range(0, len(v), 8):
        byte = 0
        for x in v[i : i + 8]:
            byte = (byte << 1) | (1 if x > 0 else 0)
        out.append(byte - 128 if signed else byte)
    return out


_CONVERT = {"float": lambda v: v, "int8": _int8, "uint8": _uint8,
            "binary": lambda v: _packed(v, True), "ubinary": lambda v: _packed(v, False)}


def response(model: Model, request: EmbeddingRequest, vectors: list[list[float]], binaries: list[list[int]], in_tokens: int) -> dict:
    out: dict = {"id": request.request_id, "texts": [t for t in request.texts if t]}
    if request.by_type:
        out["embeddings"] = {kind: [_CONVERT[kind](v) for v in vectors] for kind in request.types}
        out["response_type"] = "embeddings_by_type"
    else:
        out["embeddings"] = vectors
        out["response_type"] = "embeddings_floats"
    return out
