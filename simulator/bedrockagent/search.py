"""Vector search over a knowledge base's chunks: metadata filters, semantic or hybrid scoring, top-k.

Scores are what a vector store with cosine similarity reports, mapped to [0, 1] as OpenSearch does for cosine
(``(1 + cos) / 2``); hybrid search blends in a keyword (BM25-like) score. Hierarchical chunks that share a parent
come back once, as the parent.
"""

from __future__ import annotations

import math
from collections import Counter

from . import engines
from .models import IndexedChunk

_COMPARE = ("greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals")


class FilterError(ValueError):
    """A filter AWS would refuse (a ValidationException)."""


def _matches_one(op: str, attr: dict, metadata: dict) -> bool:
    key, value = attr.get("key"), attr.get("value")
    present = key in metadata
    have = metadata.get(key)
    if op == "equals":
        return present and have == value
    if op == "notEquals":
        return not present or have != value
    if op in ("in", "notIn"):
        if not isinstance(value, list):
            raise FilterError(f"The value of the {op} filter for key {key!r} must be a list.")
        inside = present and (have in value if not isinstance(have, list) else any(h in value for h in have))
        return inside if op == "in" else not inside
    if op in _COMPARE:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FilterError(f"The value of the {op} filter for key {key!r} must be a number.")
        if isinstance(have, bool) or not isinstance(have, (int, float)):
            return False
        return {"greaterThan": have > value, "greaterThanOrEquals": have >= value,
                "lessThan": have < value, "lessThanOrEquals": have <= value}[op]
    if op == "startsWith":
        return isinstance(have, str) and isinstance(value, str) and have.startswith(value)
    if op == "listContains":
        return isinstance(have, list) and value in have
    if op == "stringContains":
        if isinstance(have, str):
            return isinstance(value, str) and value in have
        return isinstance(have, list) and any(isinstance(h, str) and str(value) in h for h in have)
    raise FilterError(f"Unknown filter operator {op}.")


def matches(flt: dict | None, metadata: dict) -> bool:
    """Whether a chunk's metadata passes a RetrievalFilter (one operator per level, andAll/orAll nest)."""
    if not flt:
        return True
    if not isinstance(flt, dict) or len(flt) != 1:
        raise FilterError("A retrieval filter must specify exactly one operator at each level.")
    (op, arg), = flt.items()
    if op in ("andAll", "orAll"):
        if not isinstance(arg, list) or len(arg) < 2:
            raise FilterError(f"{op} must contain at least 2 filters.")
        results = (matches(f, metadata) for f in arg)
        return all(results) if op == "andAll" else any(results)
    if not isinstance(arg, dict):
        raise FilterError(f"The {op} filter must be an object with key and value.")
    return _matches_one(op, arg, metadata)


def _terms(text: str) -> list[str]:
    return list(engines.stems(text))


def _keyword_scores(query: str, chunks: list[IndexedChunk]) -> list[float]:
    q = set(_terms(query))
    if not q or not chunks:
        return [0.0] * len(chunks)
    docs = [Counter(_terms(c.searched)) for c in chunks]
    n = len(docs)
    avg = sum(sum(d.values()) for d in docs) / n or 1.0
    df = Counter(t for d in docs for t in set(d))
    scores = []
    for d in docs:
        length = sum(d.values()) or 1
        s = 0.0
        for t in q:
            if t in d:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                tf = d[t] * 2.2 / (d[t] + 1.2 * (0.25 + 0.75 * length / avg))
                s += idf * tf
        scores.append(s)
    top = max(scores) or 1.0
    return [s / top for s in scores]


def search(chunks: list[IndexedChunk], query: str, dims: int, k: int, flt: dict | None = None,
           search_type: str = "SEMANTIC") -> list[tuple[IndexedChunk, float]]:
    """The top ``k`` chunks for a query, best first, with scores."""
    candidates = [c for c in chunks if matches(flt, dict(c.metadata))]
    if not candidates or not query.strip():
        return []
    qv = engines.embed(query, dims)
    q_idx = tuple(i for i, v in enumerate(qv) if v)
    q_nonzero = (q_idx, tuple(qv[i] for i in q_idx))
    semantic = [(1.0 + c.dot(qv, q_nonzero)) / 2.0 for c in candidates]
    if search_type == "HYBRID":
        keyword = _keyword_scores(query, candidates)
        scores = [0.7 * s + 0.3 * kw for s, kw in zip(semantic, keyword)]
    else:
        scores = semantic
    ranked = sorted(zip(candidates, scores), key=lambda cs: (-cs[1], cs[0].uri, cs[0].chunk_id))
    out: list[tuple[IndexedChunk, float]] = []
    seen_text: set[tuple[str, str]] = set()
    for chunk, score in ranked:
        key = (chunk.uri, chunk.text)
        if key in seen_text:  # hierarchical: children of one parent come back once
            continue
        seen_text.add(key)
        out.append((chunk, round(score, 6)))
        if len(out) >= k:
            break
    return out
