"""InvokeModel for embedding and image models: the family's codec reads the body, these engines answer."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from . import embeddings, images, tokens
from .errors import malformed, validation
from .prompt import Prompt

if TYPE_CHECKING:
    from .runtime import Call


class Media:
    """Mixed into :class:`~.runtime.Runtime`: the non-text model families."""

    def embed(self, call: "Call", codec: ModuleType, body: dict) -> Response:
        from .runtime import parsed

        model = call.model
        request = parsed(codec.parse, model, body)
        request.request_id = call.request_id
        texts = [self.fit(call, request, t) for t in request.texts]
        in_tokens = sum(tokens.count(t, model.family) for t in texts)
        self.check_context(call, in_tokens)
        self.admit(call, in_tokens, 0)
        # Titan v1 vectors are always unit length; v2 honours "normalize".
        normalize = request.normalize if not model.id.endswith("v1") else True
        pictures = request.image_bytes or [b""] * len(texts)
        vectors = [embeddings.embed(text, request.dimensions, normalize=normalize, image=picture) for text, picture in zip(texts, pictures)]
        binaries = [embeddings.binary(v) for v in vectors]
        out_body = codec.response(model, request, vectors, binaries, in_tokens)
        latency = self.latency_ms(model, 0)
        shape = f"<{len(vectors)} x {request.dimensions} floats>" if len(vectors) > 1 else f"<{request.dimensions} floats>"
        self.record(call, body=body, prompt=None, in_tokens=in_tokens, out_tokens=0, latency_ms=latency, grounded=True,
                    guardrail_action=None, images_n=request.images, output_body={"embedding": shape, "inputTextTokenCount": in_tokens},
                    content={"vectors": vectors})
        self.wait(call, latency)
        return Response(json.dumps(out_body), status=200, headers=self.headers(call, in_tokens, 0, latency), content_type="application/json")

    @staticmethod
    def fit(call: "Call", request, text: str) -> str:
        """A text within the model's input limit: cut from the side ``truncate`` names, else refused."""
        limit = call.model.context
        pieces = tokens.split(text, call.model.family)
        if len(pieces) <= limit:
            return text
        if request.truncate in ("START", "LEFT"):
            return "".join(pieces[-limit:])
        if request.truncate in ("END", "RIGHT"):
            return "".join(pieces[:limit])
        raise validation("Input is too long for requested model.")

    def image(self, call: "Call", codec: ModuleType, body: dict) -> Response:
        from .runtime import parsed

        model = call.model
        request = parsed(codec.parse, model, body)
        seed, width, height = request.seed, request.width, request.height
        if not (isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= 4294967295):
            raise malformed(f"#/seed: {seed} is not a valid seed")
        if not (256 <= width <= 2048 and 256 <= height <= 2048):
            raise validation(f"Malformed input request: image size {width}x{height} is not supported, please reformat your input and try again.")
        call.seed = seed
        in_tokens = tokens.count(request.prompt, model.family)
        self.admit(call, in_tokens, 0)
        pictures = [base64.b64encode(images.png(request.prompt, seed + i, width, height)).decode("ascii") for i in range(request.count)]
        out_body = codec.response(model, request, pictures)
        latency = self.latency_ms(model, 0, images_n=request.count)
        fake = Prompt(turns=[("user", request.prompt)])
        self.record(call, body=body, prompt=fake, in_tokens=in_tokens, out_tokens=0, latency_ms=latency, grounded=True,
                    guardrail_action=None, images_n=request.count, output_body={"images": [f"<png {width}x{height}>"] * request.count},
                    content={"images": pictures})
        self.wait(call, latency)
        return Response(json.dumps(out_body), status=200, headers=self.headers(call, in_tokens, 0, latency), content_type="application/json")
