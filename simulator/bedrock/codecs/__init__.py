"""One codec per model family: parse the family's native InvokeModel body, build its response and its stream
chunks. The registry is checked against the catalog when the catalog loads (every family a model names has a
codec whose kind fits the model's output modality), so a catalog entry cannot name a body nobody speaks.

A text codec has ``parse(model, body) -> Prompt``, ``response(model, prompt, gen, in_tokens, key) -> dict`` and
``stream_chunks(...) -> list[dict]``; an embedding codec ``parse -> EmbeddingRequest`` and
``response(model, request, vectors, binaries, in_tokens)``; an image codec ``parse -> ImageRequest`` and
``response(model, request, pictures)``. Adding a family: one module here, one line in ``_MODULES``.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

_MODULES = (
    "anthropic", "titan_text", "nova", "jamba", "llama", "mistral", "deepseek", "cohere_command",
    "titan_embed", "titan_embed_image", "cohere_embed", "stability", "stability_sdxl", "titan_image",
)
#: What each codec kind produces, as the catalog's outputModalities name it.
KIND_OUTPUT = {"text": "TEXT", "embedding": "EMBEDDING", "image": "IMAGE"}

_registry: dict[str, ModuleType] = {}
_registry_lock = threading.Lock()


def registry() -> dict[str, ModuleType]:
    """{family: codec module}, imported once. Filled whole under a lock: concurrent first calls never see half of it
    (a family missing from a half-filled registry read as "no codec")."""
    if not _registry:
        with _registry_lock:
            if not _registry:
                found: dict[str, ModuleType] = {}
                for name in _MODULES:
                    module = importlib.import_module(f"{__name__}.{name}")
                    if module.FAMILY in found:
                        raise RuntimeError(f"two codecs claim the model family {module.FAMILY!r}")
                    found[module.FAMILY] = module
                _registry.update(found)
    return _registry


def get(family: str) -> ModuleType:
    return registry()[family]


def check(models) -> None:
    """Raise ValueError naming the first catalog entry whose family has no codec or a codec of the wrong kind."""
    table = registry()
    for model in models:
        codec = table.get(model.family)
        if codec is None:
            raise ValueError(f"models.json: {model.id} names the model family {model.family!r}, which has no codec "
                             f"(known: {', '.join(sorted(table))})")
        if KIND_OUTPUT[codec.KIND] not in model.output:
            raise ValueError(f"models.json: {model.id} outputs {', '.join(model.output)} but its family {model.family!r} "
                             f"is a codec for {KIND_OUTPUT[codec.KIND]}")
