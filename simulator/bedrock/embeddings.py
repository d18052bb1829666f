"""A deterministic semantic embedding engine (Titan Text Embeddings, Titan Multimodal, Cohere Embed).

A text's vector is built from what it means, not only the words it uses:

* **concepts** from a bilingual lexicon shipped as data (``concepts.txt``): "refund", "reembolso" and "money back"
  are one concept, so paraphrases with no shared words and a pt-BR sentence and its English translation meet;
* its own **words** (stems) and **word pieces** (character trigrams, lighter) for names, typos and inflections; pt-BR
  words the glossary knows also count as their English translation;
* **negation** as its own feature, so "good" and "not good" are close but not the same.

Each feature lands in a few hashed dimensions with a sign; weights follow how much a feature says about a text
(generic concepts such as "day" weigh little). The result: question → document retrieval works without keyword
overlap on the course's kind of documents (policies, FAQs, tickets, product text), deterministically.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import struct
from pathlib import Path

from . import knowledge, lang

_DATA = Path(__file__).with_name("concepts.txt")
_SLOTS = 3  # dimensions per feature
_WORD_WEIGHT = 1.0
_PIECE_WEIGHT = 0.18
_GLOSS_WEIGHT = 0.8
_NEGATION_WEIGHT = 1.0
_RELATED_WEIGHT = 0.35  # how much a concept counts towards the concepts related to it
_NEGATORS = frozenset({"not", "no", "never", "without", "nao", "nunca", "sem", "nem", "nenhum", "nenhuma", "isn't", "wasn't",
                       "don't", "didn't", "doesn't", "won't", "can't", "cannot", "n't"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


@functools.lru_cache(maxsize=1)
def lexicon() -> tuple[dict[tuple[str, ...], list[tuple[str, float]]], int]:
    """{stem sequence: [(concept id, weight)]} and the longest phrase length, from concepts.txt."""
    table: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    longest = 1
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line.lstrip().startswith("~"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            raise ValueError(f"concepts.txt: expected 'id | weight | en | pt', got: {line!r}")
        cid, weight = parts[0], float(parts[1])
        for term in (parts[2] + "," + parts[3]).split(","):
            key = tuple(lang.stem(w) for w in _WORD.findall(lang.fold(term.strip())))
            if not key:
                continue
            entries = table.setdefault(key, [])
            if all(c != cid for c, _ in entries):
                entries.append((cid, weight))
            longest = max(longest, len(key))
    return table, longest


@functools.lru_cache(maxsize=1)
def related() -> dict[str, set[str]]:
    """{concept: the concepts close to it}, from the lexicon's "~" cluster lines."""
    known = {cid for entries in lexicon()[0].values() for cid, _ in entries}
    out: dict[str, set[str]] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("~"):
            continue
        cluster = [c.strip() for c in line.lstrip()[1:].split(",") if c.strip()]
        unknown = set(cluster) - known
        if unknown:
            raise ValueError(f"concepts.txt: a related-concepts line names unknown concepts {sorted(unknown)}")
        for cid in cluster:
            out.setdefault(cid, set()).update(c for c in cluster if c != cid)
    return out


@functools.lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    extra = "ate apos cada sobre desde durante via within per until after before each every up may must should could would any sao".split()
    return frozenset(lang.fold(w) for w in lang.STOP_EN | lang.STOP_PT) | frozenset(extra)


def _slots(feature: str, dims: int) -> list[tuple[int, float]]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8 * _SLOTS).digest()
    out = []
    for i in range(_SLOTS):
        value = struct.unpack_from("<Q", digest, 8 * i)[0]
        out.append((value % dims, 1.0 if (value >> 63) & 1 else -1.0))
    return out


@functools.lru_cache(maxsize=4096)
def concepts(text: str) -> frozenset[str]:
    """The lexicon concepts a text mentions directly (not the related ones)."""
    table, longest = lexicon()
    stems = [lang.stem(w) for w in _WORD.findall(lang.fold(text))]
    found: set[str] = set()
    i = 0
    while i < len(stems):
        for n in range(min(longest, len(stems) - i), 0, -1):
            hit = table.get(tuple(stems[i : i + n]))
            if hit:
                found.update(cid for cid, _ in hit)
                i += n
                break
        else:
            i += 1
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def features(text: str) -> tuple[tuple[str, float], ...]:
    """The weighted features of a text (concepts, words, word pieces, negation)."""
    table, longest = lexicon()
    raw = _WORD.findall(lang.fold(text))
    stems = [lang.stem(w) for w in raw]
    stop = _stop()
    feats: dict[str, float] = {}

    def add(name: str, weight: float) -> None:
        feats[name] = feats.get(name, 0.0) + weight

    covered = [False] * len(stems)
    i = 0
    while i < len(stems):
        for n in range(min(longest, len(stems) - i), 0, -1):
            hit = table.get(tuple(stems[i : i + n]))
            if hit and not (n == 1 and raw[i] in stop and hit[0][1] > 0.6):
                share = 1.0 / len(hit)
                for cid, weight in hit:
                    add("c:" + cid, weight * share)
                    for near in related().get(cid, ()):
                        add("c:" + near, _RELATED_WEIGHT * weight * share)
                for j in range(i, i + n):
                    covered[j] = True
                i += n
                break
        else:
            i += 1
    _, pt_en = knowledge.glossary()
    negated = False
    for i, (word, stem) in enumerate(zip(raw, stems)):
        if word in _NEGATORS:
            negated = True
            continue
        if word in stop or len(word) < 2:
            continue
        if word.isdigit():
            add("n:" + word, 0.6)
            continue
        if not covered[i]:
            add("w:" + stem, _WORD_WEIGHT)
            english = pt_en.get(word)
            if english:
                for part in _WORD.findall(lang.fold(english)):
                    if part not in lang.STOP_EN:
                        add("w:" + lang.stem(part), _GLOSS_WEIGHT)
        padded = f"^{word}$"
        for k in range(len(padded) - 2):
            add("g:" + padded[k : k + 3], _PIECE_WEIGHT)
    if negated:
        add("neg", _NEGATION_WEIGHT)
    # Repeating a word says a little more, not proportionally more.
    return tuple((name, (1.0 + math.log(w)) if w >= 1 else w) for name, w in feats.items())


def embed(text: str, dims: int, normalize: bool = True, image: bytes = b"") -> list[float]:
    """A ``dims``-dimension vector for ``text`` (and an image's bytes, for multimodal models)."""
    vec = [0.0] * dims
    items = list(features(text))
    if image:
        # The simulator does not see pixels: an image is known by its bytes (the same picture, the same vector part).
        items.append(("img:" + hashlib.sha256(image).hexdigest()[:16], 2.0))
        items.append(("c:image-gen", 0.5))
    for name, weight in items:
        for index, sign in _slots(name, dims):
            vec[index] += sign * weight
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


def similarity(a: str, b: str, dims: int = 512) -> float:
    """Cosine similarity of two texts' vectors (what the text engine uses to compare meanings)."""
    return cosine(embed(a, dims), embed(b, dims))
