"""Amazon Titan Image Generator and Nova Canvas: ``taskType`` + ``textToImageParams`` + ``imageGenerationConfig``."""

from __future__ import annotations

import json

from ..catalog import Model
from ..errors import malformed, validation
from .media import ImageRequest

FAMILY = "titan-image"
KIND = "image"


def parse(model: Model, body: dict) -> ImageRequest:
    task = body.get("taskType")
    if task is None:
        raise malformed("#: required key [taskType] not found")
    params = body.get("textToImageParams") or {}
    prompt = params.get("text")
    if task != "TEXT_IMAGE":
        prompt = prompt or json.dumps(body.get(f"{task[0].lower()}{task[1:].title().replace('_', '')}Params", {}))[:200] or task
    if not isinstance(prompt, str) or not prompt.strip():
        raise malformed("#/textToImageParams: required key [text] not found")
    if len(prompt) > 1024:
        raise validation("Malformed input request: #/textToImageParams/text: expected maxLength: 1024, actual: %d, please reformat your input and try again." % len(prompt))
    config = body.get("imageGenerationConfig") or {}
    count = int(config.get("numberOfImages", 1))
    if not 1 <= count <= 5:
        raise malformed(f"#/imageGenerationConfig/numberOfImages: {count} is not less or equal to 5")
    return ImageRequest(prompt, int(config.get("width", 1024)), int(config.get("height", 1024)), count, config.get("seed", 0),
                        str(params.get("negativeText") or ""))


def response(model: Model, request: ImageRequest, pictures: list[str]) -> dict:
    return {"images": pictures}
