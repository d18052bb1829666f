"""Stability SDXL 1.0 (legacy): weighted ``text_prompts`` -> ``artifacts``."""

from __future__ import annotations

from ..catalog import Model
from ..errors import malformed
from .media import ImageRequest

FAMILY = "stability-sdxl"
KIND = "image"


def parse(model: Model, body: dict) -> ImageRequest:
    prompts = body.get("text_prompts")
    if not isinstance(prompts, list) or not prompts:
        raise malformed("#: required key [text_prompts] not found")
    positive = " ".join(str(p.get("text", "")) for p in prompts if isinstance(p, dict) and p.get("weight", 1) >= 0)
    negative = " ".join(str(p.get("text", "")) for p in prompts if isinstance(p, dict) and p.get("weight", 1) < 0)
    return ImageRequest(positive, int(body.get("width", 1024)), int(body.get("height", 1024)), 1, body.get("seed", 0), negative)


def response(model: Model, request: ImageRequest, pictures: list[str]) -> dict:
    return {"result": "success", "artifacts": [{"seed": request.seed, "base64": p, "finishReason": "SUCCESS"} for p in pictures]}
