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
    image_bytes: list[bytes] = field(default_factory=list)  # one per input (b"" for none), multimodal models
    by_type: bool = False  # Cohere: answer embeddings grouped by type
    truncate: str = "NONE"
    request_id: str = ""

    @property
    def images(self) -> int:
        return sum(1 for b in self.image_bytes if b)


@dataclass
class ImageRequest:
    prompt: str
    width: int
    height: int
    count: int = 1
    seed: int = 0
    negative: str = ""
