"""Grounding and relevance, measured as Amazon Bedrock Guardrails' contextual grounding check does: two separate
scores from 0 to 1 — how much of an answer the source supports (grounding), and how well the answer addresses the
query (relevance). Both compare meanings (the embedding engine) as well as words, so a sentence that merely shares
words with the question is not mistaken for its answer."""

from __future__ import annotations

import re

from . import embeddings, lang
from .textutil import sentences

#: An answer is grounded when the source supports at least this much of it...
GROUNDING_MIN = 0.5
#: ...and it is at least this relevant to the question.
RELEVANCE_MIN = 0.3


def _vec(text: str) -> list[float]:
    return embeddings.embed(text, 512)


def _coverage(part: str, whole_stems: set[str]) -> float:
    stems = lang.stems(part)
    return len(stems & whole_stems) / len(stems) if stems else 1.0


def _scale(cosine: float, low: float, high: float) -> float:
    return max(0.0, min(1.0, (cosine - low) / (high - low)))


def grounding_score(answer: str, source: str) -> float:
    """How much of ``answer`` the ``source`` supports: each answer sentence's best support (meaning or words) in
    the source, weighted by the sentence's length."""
    # Each claim is judged on its own: sentences, and clauses joined by "and"/"but" within them.
    parts = [c for p in (sentences(answer) or [answer]) for c in re.split(r",?\s+(?:and|but|e|mas)\s+(?=\w+\s+\w+)|;\s+", p) if c.strip()]
    source_parts = sentences(source) or [source]
    source_vecs = [_vec(s) for s in source_parts]
    source_stems = lang.stems(source)
    total = weight_sum = 0.0
    for part in parts:
        weight = max(1, len(lang.content_words(part)))
        vec = _vec(part)
        meaning = max((embeddings.cosine(vec, v) for v in source_vecs), default=0.0)
        words = _coverage(part, source_stems)
        # Meaning alone would accept new claims about the same topic; the claim's own words must be there too.
        support = max(words, 0.6 * _scale(meaning, 0.1, 0.7) + 0.4 * words)
        total += weight * support
        weight_sum += weight
    return round(total / weight_sum, 2) if weight_sum else 1.0


def relevance_score(answer: str, query: str) -> float:
    """How well ``answer`` addresses ``query``: their closeness in meaning, or the share of the query's words the
    answer takes up."""
    if not query.strip():
        return 1.0
    meaning = embeddings.cosine(_vec(answer), _vec(query))
    query_stems = lang.stems(query)
    words = len(query_stems & lang.stems(answer)) / len(query_stems) if query_stems else 0.0
    return round(max(_scale(meaning, 0.05, 0.5), words), 2)


def scores(answer: str, source: str, query: str) -> tuple[float, float]:
    """(grounding, relevance) of an answer to a query, against a source."""
    return grounding_score(answer, source), relevance_score(answer, query)


def grounded(grounding: float | None, relevance: float | None) -> bool:
    """The ledger's verdict: supported enough and on the question (a missing score does not count against)."""
    return (grounding is None or grounding >= GROUNDING_MIN) and (relevance is None or relevance >= RELEVANCE_MIN)
