"""Chunking strategies, as Knowledge Bases apply them to a document's text.

* default (no configuration) and FIXED_SIZE: sentences packed up to ``maxTokens``, consecutive chunks sharing
  ``overlapPercentage`` of it; a sentence longer than a chunk is cut at token boundaries;
* HIERARCHICAL: parent chunks (level 1) split into child chunks (level 2), ``overlapTokens`` shared between
  neighbours at both levels; children are searched, their parent is what retrieval returns;
* SEMANTIC: sentences (with ``bufferSize`` neighbours) embedded, split where the distance between neighbours is
  above the ``breakpointPercentileThreshold`` percentile, never above ``maxTokens``;
* NONE: the whole document is one chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import engines

DEFAULT = {"chunkingStrategy": "FIXED_SIZE", "fixedSizeChunkingConfiguration": {"maxTokens": 300, "overlapPercentage": 20}}


@dataclass(frozen=True)
class Chunk:
    text: str
    #: For hierarchical chunking: the parent chunk's text, which retrieval returns in place of the child.
    parent: str | None = None
    parent_index: int | None = None


def _sentences(text: str) -> list[str]:
    found = engines.sentences(text)
    return found or ([text.strip()] if text.strip() else [])


def _cut(sentence: str, limit: int) -> list[str]:
    pieces = engines.token_pieces(sentence)
    return ["".join(pieces[i:i + limit]).strip() for i in range(0, len(pieces), limit) if "".join(pieces[i:i + limit]).strip()]


def _units(text: str, limit: int) -> list[tuple[str, int]]:
    """Sentences (long ones cut to ``limit`` tokens) with their token counts."""
    units = []
    for sentence in _sentences(text):
        count = engines.count_tokens(sentence)
        if count <= limit:
            units.append((sentence, count))
        else:
            units.extend((piece, engines.count_tokens(piece)) for piece in _cut(sentence, limit))
    return units


def pack(text: str, max_tokens: int, overlap_tokens: int) -> list[str]:
    """Sentences packed into chunks of at most ``max_tokens``; each chunk starts with the previous one's last
    sentences worth up to ``overlap_tokens``."""
    units = _units(text, max_tokens)
    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    size = 0
    fresh = 0  # units in ``current`` not carried over from the previous chunk
    for unit in units:
        if current and size + unit[1] > max_tokens:
            if fresh:
                chunks.append(" ".join(u[0] for u in current))
            carried: list[tuple[str, int]] = []
            kept = 0
            for prev in reversed(current):
                if kept + prev[1] > overlap_tokens or kept + prev[1] + unit[1] > max_tokens:
                    break
                carried.insert(0, prev)
                kept += prev[1]
            current, size, fresh = carried, kept, 0
        current.append(unit)
        size += unit[1]
        fresh += 1
    if current and fresh:
        chunks.append(" ".join(u[0] for u in current))
    return chunks


def _semantic(text: str, max_tokens: int, buffer: int, percentile: int, dims: int) -> list[str]:
    units = _units(text, max_tokens)
    if len(units) <= 1:
        return [u[0] for u in units]
    windows = [" ".join(u[0] for u in units[max(0, i - buffer): i + buffer + 1]) for i in range(len(units))]
    vectors = [engines.embed(w, dims) for w in windows]
    distances = [1.0 - sum(a * b for a, b in zip(vectors[i], vectors[i + 1])) for i in range(len(units) - 1)]
    ordered = sorted(distances)
    rank = min(len(ordered) - 1, max(0, math.ceil(percentile / 100 * len(ordered)) - 1))
    threshold = ordered[rank]
    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    size = 0
    for i, unit in enumerate(units):
        if current and (size + unit[1] > max_tokens or distances[i - 1] > threshold):
            chunks.append(" ".join(u[0] for u in current))
            current, size = [], 0
        current.append(unit)
        size += unit[1]
    if current:
        chunks.append(" ".join(u[0] for u in current))
    return chunks


def chunk(text: str, config: dict | None, dims: int = 256) -> list[Chunk]:
    """The chunks of one document's text under a data source's chunking configuration."""
    config = config or DEFAULT
    strategy = config.get("chunkingStrategy", "FIXED_SIZE")
    if strategy == "NONE":
        return [Chunk(text.strip())] if text.strip() else []
    if strategy == "FIXED_SIZE":
        fixed = config.get("fixedSizeChunkingConfiguration") or DEFAULT["fixedSizeChunkingConfiguration"]
        max_tokens = int(fixed["maxTokens"])
        overlap = max_tokens * int(fixed["overlapPercentage"]) // 100
        return [Chunk(t) for t in pack(text, max_tokens, overlap)]
    if strategy == "HIERARCHICAL":
        hier = config["hierarchicalChunkingConfiguration"]
        parent_max, child_max = (int(level["maxTokens"]) for level in hier["levelConfigurations"])
        overlap = int(hier["overlapTokens"])
        out = []
        for index, parent in enumerate(pack(text, parent_max, overlap)):
            out.extend(Chunk(child, parent, index) for child in pack(parent, child_max, overlap))
        return out
    if strategy == "SEMANTIC":
        sem = config["semanticChunkingConfiguration"]
        return [Chunk(t) for t in _semantic(text, int(sem["maxTokens"]), int(sem["bufferSize"]),
                                            int(sem["breakpointPercentileThreshold"]), dims)]
    raise ValueError(f"unknown chunking strategy {strategy}")


def problem(config: dict | None, max_model_tokens: int) -> str | None:
    """What AWS rejects in a chunking configuration beyond the model's field constraints, or None."""
    if not config:
        return None
    strategy = config.get("chunkingStrategy")
    expected = {"FIXED_SIZE": "fixedSizeChunkingConfiguration", "HIERARCHICAL": "hierarchicalChunkingConfiguration",
                "SEMANTIC": "semanticChunkingConfiguration"}
    for other in expected.values():
        if config.get(other) is not None and expected.get(strategy) != other:
            return f"{other} can only be specified when chunkingStrategy is {[k for k, v in expected.items() if v == other][0]}."
    needed = expected.get(strategy)
    if needed and config.get(needed) is None:
        return f"{needed} must be specified when chunkingStrategy is {strategy}."
    if strategy == "HIERARCHICAL":
        hier = config[needed]
        parent, child = (level["maxTokens"] for level in hier["levelConfigurations"])
        if child > parent:
            return (f"The child chunk size ({child}) must be less than or equal to the parent chunk size ({parent}) "
                    "in hierarchicalChunkingConfiguration.levelConfigurations.")
        if hier["overlapTokens"] >= child:
            return f"overlapTokens ({hier['overlapTokens']}) must be smaller than the child chunk size ({child})."
        limit_of = parent
    elif strategy == "FIXED_SIZE":
        limit_of = config[needed]["maxTokens"]
    elif strategy == "SEMANTIC":
        limit_of = config[needed]["maxTokens"]
    else:
        return None
    if limit_of > max_model_tokens:
        return (f"The chunk size ({limit_of} tokens) exceeds the maximum input of the embedding model "
                f"({max_model_tokens} tokens).")
    return None
