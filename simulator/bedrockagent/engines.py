"""The one place Knowledge Bases reach into the simulated Bedrock: catalog, embeddings, tokens, language, ledger.

Ingestion and retrieval embed with the knowledge base's embedding model through the same engine InvokeModel uses, so
a question finds a passage exactly when the learner's own embeddings would find it.
"""

from __future__ import annotations

import functools

from ..bedrock import catalog, embeddings, lang, textutil, tokens


def resolve_model(identifier: str):
    """The catalog model behind an id or ARN (foundation model or inference profile), or None."""
    resolved = catalog.resolve(identifier or "")
    return resolved.model if resolved is not None else None


def is_embedding(model) -> bool:
    return "EMBEDDING" in model.output


def is_text(model) -> bool:
    return model.is_text


def dimensions(model, asked: int | None) -> int:
    return asked or model.default_dimensions or (model.dimensions[0] if model.dimensions else 1024)


@functools.lru_cache(maxsize=8192)
def _embed(text: str, dims: int) -> tuple[float, ...]:
    return tuple(embeddings.embed(text, dims))


def embed(text: str, dims: int) -> tuple[float, ...]:
    return _embed(text, dims)


def count_tokens(text: str) -> int:
    return tokens.count(text)


def count_tokens_for(text: str, model) -> int:
    """Tokens as ``model``'s own family counts them (what InvokeModel on it would bill)."""
    return tokens.count(text, model.family)


def token_pieces(text: str) -> list[str]:
    return tokens.split(text)


def sentences(text: str) -> list[str]:
    return textutil.sentences(text)


def stems(text: str) -> set[str]:
    return lang.stems(text)


def language(text: str) -> str:
    return lang.detect(text)


def bedrock_state(cloud):
    """The cloud's Bedrock state (its ledger records RetrieveAndGenerate's generation), or None."""
    from ..bedrock import state

    return state.of(cloud) if cloud is not None else None
