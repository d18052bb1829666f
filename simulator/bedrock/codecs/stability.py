"""Stability AI's current image models (Stable Image Core / Ultra, SD3.5): ``prompt`` -> ``images``."""

from __future__ import annotations

from .. import images
from ..catalog import Model
from ..errors import malformed
from .media import ImageRequest

FAMILY = "stability"
KIND = "image"


def parse(model: Model, body: dict) -> ImageRequest:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise malformed("#: required key [prompt] not found")
    ratio = body.get("aspect_ratio", "1:1")
    if ratio not in images.ASPECT_RATIOS:
        raise malformed(f"#/aspect_ratio: {ratio} is not a valid enum value")
    if body.get("output_format", "png") not in ("png", "jpeg", "webp"):
        raise malformed(f"#/output_format: {body.get('output_format')} is not a valid enum value")
    width, height = images.ASPECT_RATIOS[ratio]
    return ImageRequest(prompt, width, height, 1, body.get("seed", 0), str(body.get("negative_prompt") or ""))


def response(model: Model, request: ImageRequest, pictures: list[str]) -> dict:
    return {"seeds": [request.seed], "finish_reasons": [None], "images": pictures}
