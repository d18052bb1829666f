"""InvokeModel for embedding and image models: Titan Embeddings, Stability, Titan Image Generator, Nova Canvas."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from . import embeddings, images, tokens
from .errors import malformed, validation
from .prompt import Prompt

if TYPE_CHECKING:
    from .runtime import Call


class Media:
    """Mixed into :class:`~.runtime.Runtime`: the non-text model families."""

    def embed(self, call: "Call", body: dict) -> Response:
        model = call.model
        text = body.get("inputText")
        if text is None:
            raise malformed("#: required key [inputText] not found")
        if not isinstance(text, str):
            raise malformed("#/inputText: expected type: String")
        if not text.strip():
            raise malformed("#/inputText: expected minLength: 1, actual: 0")
        dims = body.get("dimensions", model.default_dimensions)
        if model.id.endswith("v1") and "dimensions" in body:
            raise malformed("#: extraneous key [dimensions] is not permitted")
        if dims not in model.dimensions:
            raise malformed(f"#/dimensions: {dims} is not a valid enum value")
        normalize = body.get("normalize", True)
        if not isinstance(normalize, bool):
            raise malformed("#/normalize: expected type: Boolean")
        types = body.get("embeddingTypes") or ["float"]
        if not isinstance(types, list) or any(t not in ("float", "binary") for t in types):
            raise malformed("#/embeddingTypes: only float and binary are valid")
        in_tokens = tokens.count(text)
        self.check_context(call, in_tokens)
        self.admit(call, in_tokens, 0)
        vector = embeddings.embed(text, dims, normalize=normalize if model.id.endswith("v2:0") else True)
        if model.id.endswith("v1"):
            out_body: dict = {"embedding": vector, "inputTextTokenCount": in_tokens}
        else:
            by_type: dict = {}
            if "float" in types:
                by_type["float"] = vector
            if "binary" in types:
                by_type["binary"] = embeddings.binary(vector)
            out_body = {"embedding": vector, "embeddingsByType": by_type, "inputTextTokenCount": in_tokens}
        latency = self.latency_ms(model, 0)
        self.record(call, body=body, prompt=None, in_tokens=in_tokens, out_tokens=0, latency_ms=latency, grounded=True,
                    guardrail_action=None, output_body={"embedding": f"<{dims} floats>", "inputTextTokenCount": in_tokens})
        self.wait(call, latency)
        return Response(json.dumps(out_body), status=200, headers=self.headers(call, in_tokens, 0, latency), content_type="application/json")

    def image(self, call: "Call", body: dict) -> Response:
        model = call.model
        seed = body.get("seed", 0)
        if model.family == "stability":
            prompt_text = body.get("prompt")
            if not isinstance(prompt_text, str) or not prompt_text.strip():
                raise malformed("#: required key [prompt] not found")
            ratio = body.get("aspect_ratio", "1:1")
            if ratio not in images.ASPECT_RATIOS:
                raise malformed(f"#/aspect_ratio: {ratio} is not a valid enum value")
            if body.get("output_format", "png") not in ("png", "jpeg", "webp"):
                raise malformed(f"#/output_format: {body.get('output_format')} is not a valid enum value")
            width, height = images.ASPECT_RATIOS[ratio]
            count = 1
        elif model.family == "stability-sdxl":
            prompts = body.get("text_prompts")
            if not isinstance(prompts, list) or not prompts:
                raise malformed("#: required key [text_prompts] not found")
            prompt_text = " ".join(str(p.get("text", "")) for p in prompts if isinstance(p, dict) and p.get("weight", 1) >= 0)
            width, height, count = int(body.get("width", 1024)), int(body.get("height", 1024)), 1
        else:
            task = body.get("taskType")
            if task is None:
                raise malformed("#: required key [taskType] not found")
            params = body.get("textToImageParams") or {}
            prompt_text = params.get("text")
            if task != "TEXT_IMAGE":
                prompt_text = prompt_text or json.dumps(body.get(f"{task[0].lower()}{task[1:].title().replace('_', '')}Params", {}))[:200] or task
            if not isinstance(prompt_text, str) or not prompt_text.strip():
                raise malformed("#/textToImageParams: required key [text] not found")
            if len(prompt_text) > 1024:
                raise validation("Malformed input request: #/textToImageParams/text: expected maxLength: 1024, actual: %d, please reformat your input and try again." % len(prompt_text))
            config = body.get("imageGenerationConfig") or {}
            width, height = int(config.get("width", 1024)), int(config.get("height", 1024))
            count = int(config.get("numberOfImages", 1))
            seed = config.get("seed", 0)
            if not 1 <= count <= 5:
                raise malformed(f"#/imageGenerationConfig/numberOfImages: {count} is not less or equal to 5")
        if not (isinstance(seed, int) and 0 <= seed <= 4294967295):
            raise malformed(f"#/seed: {seed} is not a valid seed")
        if not (256 <= width <= 2048 and 256 <= height <= 2048):
            raise validation(f"Malformed input request: image size {width}x{height} is not supported, please reformat your input and try again.")
        in_tokens = tokens.count(prompt_text)
        self.admit(call, in_tokens, 0)
        pictures = [base64.b64encode(images.png(prompt_text, seed + i, width, height)).decode("ascii") for i in range(count)]
        if model.family == "stability":
            out_body = {"seeds": [seed], "finish_reasons": [None], "images": pictures}
        elif model.family == "stability-sdxl":
            out_body = {"result": "success", "artifacts": [{"seed": seed, "base64": p, "finishReason": "SUCCESS"} for p in pictures]}
        else:
            out_body = {"images": pictures}
        latency = self.latency_ms(model, 0, images_n=count)
        fake = Prompt(turns=[("user", prompt_text)])
        self.record(call, body=body, prompt=fake, in_tokens=in_tokens, out_tokens=0, latency_ms=latency, grounded=True,
                    guardrail_action=None, images_n=count, output_body={"images": [f"<png {width}x{height}>"] * count})
        self.wait(call, latency)
        return Response(json.dumps(out_body), status=200, headers=self.headers(call, in_tokens, 0, latency), content_type="application/json")
