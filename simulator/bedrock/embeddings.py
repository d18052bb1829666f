"""Deterministic text embeddings: hashed words, stems and character trigrams, so texts that share words and
word pieces get a high cosine similarity. pt-BR words in the glossary also count as their English
translation, which gives some cross-language similarity. Good enough for a RAG lab over a few dozen documents.
"""

from __future__ import annotations

import hashlib
import math
import struct

from . import knowledge, lang


def _slot(feature: str, dims: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = struct.unpack("<Q", digest)[0]
    return value % dims, (1.0 if (value >> 63) & 1 else -1.0)


def _features(text: str) -> dict[str, float]:
    feats: dict[str, float] = {}
    _, pt_en = knowledge.glossary()
    for word in lang.content_words(text):
        feats["w:" + word] = feats.get("w:" + word, 0.0) + 1.0
        stemmed = lang.stem(word)
        feats["s:" + stemmed] = feats.get("s:" + stemmed, 0.0) + 1.0
        english = pt_en.get(word)
        if english:
            for part in lang.content_words(english):
                key = "s:" + lang.stem(part)
                feats[key] = feats.get(key, 0.0) + 0.8
        padded = f"^{word}$"
        for i in range(len(padded) - 2):
            gram = "g:" + padded[i : i + 3]
            feats[gram] = feats.get(gram, 0.0) + 0.3
    return feats


def embed(text: str, dims: int, normalize: bool = True) -> list[float]:
    vec = [0.0] * dims
    for feature, weight in _features(text).items():
        index, sign = _slot(feature, dims)
        vec[index] += sign * (1.0 + math.log(weight)) if weight >= 1 else sign * weight
    norm = math.sqrt(sum(v * v for v in vec))
    if normalize and norm > 0:
        vec = [v / norm for v in vec]
    elif not normalize:
        # Unnormalised vectors keep a magnitude that grows with the text, as Titan's do.
        vec = [v * 0.05 for v in vec]
    return [round(v, 6) for v in vec]


def binary(vec: list[float]) -> list[int]:
    return [1 if v > 0 else 0 for v in vec]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0
