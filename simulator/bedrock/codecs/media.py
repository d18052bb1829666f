"""What embedding and image codecs parse a native body into (the runtime does the rest)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EmbeddingRequest:
    texts: list[str]
    dimensions: int
    normalize: bool = True
    types: list[str] = field(default_factory=lambda: ["float"])
    input_type: str | None = None  # Cohere: search_document | search_query | classification | clustering
    images: int = 0  # image inputs (multimodal embeddings)


@dataclass
class ImageRequest:
    prompt: str
    width: int
    height: int
    count: int = 1
    seed: int = 0
    negative: str = ""
