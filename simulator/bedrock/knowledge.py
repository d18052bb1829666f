"""What the simulated models know: course facts (knowledge.json) and the pt-BR/en glossary (glossary.txt).

Matching is lexical on purpose: a question is answered from a fact when their folded key phrases and stems
overlap enough. Anything else is outside the knowledge base — where models hallucinate.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import lang

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Fact:
    id: str
    keys: tuple[str, ...]
    en: str
    pt: str
    key_stems: frozenset[str]
    text_stems: frozenset[str] = frozenset()

    def text(self, language: str) -> str:
        return self.pt if language == "pt-BR" else self.en


# Stems too common in the course to say what a question is about.
_COMMON = frozenset({"amazon", "aws", "model", "servic", "servico", "data", "dado", "use", "usar", "usa"})


@functools.lru_cache(maxsize=1)
def facts() -> tuple[Fact, ...]:
    data = json.loads((_HERE / "knowledge.json").read_text(encoding="utf-8"))
    out = []
    for f in data["facts"]:
        keys = tuple(lang.fold(k) for k in f["keys"])
        key_stems = frozenset(s for k in keys for s in lang.stems(k))
        text_stems = frozenset(lang.stems(f["en"]) | lang.stems(f["pt"])) - _COMMON
        out.append(Fact(f["id"], keys, f["en"], f["pt"], key_stems, text_stems))
    return tuple(out)


@functools.lru_cache(maxsize=1024)
def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def _find(phrase: str, folded: str) -> int:
    if phrase not in folded:  # cheap test first; most keys are absent
        return -1
    m = _pattern(phrase).search(folded)
    return m.start() if m else -1


def _phrase_in(phrase: str, folded: str) -> bool:
    return _find(phrase, folded) >= 0


#: ``match(question, minimum=NAMED)`` keeps only facts whose key phrase the question uses (exam terms by name).
NAMED = -1.0


def match(question: str, *, minimum: float = 1.0) -> list[tuple[float, Fact]]:
    """Facts relevant to a question, best first, with a score: key phrases weigh most, then the stems of the
    keys, then the stems of the fact's own text. ``minimum`` is how sure a model must be to answer from it
    (:data:`NAMED`: only facts the question names by a key phrase)."""
    named_only = minimum == NAMED
    return [(score, fact) for score, fact, named in _scores(question) if (named if named_only else score >= minimum)]


@functools.lru_cache(maxsize=4096)
def _scores(question: str) -> tuple[tuple[float, Fact, bool], ...]:
    """Every fact with any claim on the question: (score, fact, whether a key phrase names it), best first."""
    folded = lang.fold(question)
    q_stems = lang.stems(question)
    scored = []
    for fact in facts():
        hits = []
        first = len(folded) + 1
        for key in fact.keys:
            if "+" in key:  # every part must appear
                parts = key.split("+")
                places = [_find(part, folded) for part in parts]
                if min(places) >= 0:
                    hits.append(1.5 * len(parts))
                    first = min(first, min(places))
            elif (place := _find(key, folded)) >= 0:
                hits.append(1.0 + 0.5 * key.count(" "))
                first = min(first, place)
        # The most specific key counts; other hits only break ties.
        score = max(hits) + 0.1 * (len(hits) - 1) if hits else 0.0
        score += 0.25 * len(q_stems & fact.key_stems) + 0.1 * len(q_stems & fact.text_stems)
        if score > 0:
            scored.append([score, fact, first, bool(hits)])
    # The subject of a question usually comes first: the earliest phrase hit gets a bonus.
    hits_at = [item[2] for item in scored if item[2] <= len(folded)]
    if hits_at:
        earliest = min(hits_at)
        for item in scored:
            if item[2] == earliest:
                item[0] += 1.0
    scored.sort(key=lambda item: (-item[0], item[1].id))
    return tuple((score, fact, named) for score, fact, _, named in scored)


def by_meaning(question: str, threshold: float) -> list[tuple[float, Fact]]:
    """Facts whose text means what the question asks (embedding similarity at least ``threshold``), best first."""
    from . import embeddings

    query = embeddings.embed(question, 512)
    scored = [(embeddings.cosine(query, vec), fact) for fact, vec in _fact_vectors()]
    return sorted([(s, f) for s, f in scored if s >= threshold], key=lambda sf: (-sf[0], sf[1].id))


@functools.lru_cache(maxsize=1)
def _fact_vectors():
    from . import embeddings

    return [(fact, embeddings.embed(" ".join(fact.keys[:6]) + " " + fact.en, 512)) for fact in facts()]


_NAME_WORDS_EXTRA = (
    "amazon aws ai ia api apis gpu gpus cpu http https json sql python java javascript english ingles portuguese portugues brazil "
    "brasil monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september "
    "october november december janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro "
    "segunda terca quarta quinta sexta sabado domingo openai chatgpt gpt google gemini microsoft azure meta anthropic mistral "
    "cohere stability deepseek ai21 labs llama claude titan nova jamba command hello world ola mundo iam kms s3 ec2 rds vpc "
    "cloudwatch cloudtrail glue lambda sagemaker bedrock q partyrock rest restful sdk boto3 cli i eu the o a os as"
).split()


@functools.lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    from . import catalog, common

    words: set[str] = set(_NAME_WORDS_EXTRA)
    for fact in facts():
        for text in (fact.en, fact.pt, " ".join(fact.keys)):
            words.update(lang.fold(w) for w in lang.words(text))
    for model in catalog.models():
        words.update(lang.fold(w) for w in lang.words(f"{model.name} {model.provider}"))
    for entry in common._data()["capitals"]:
        words.update(lang.fold(w) for w in lang.words(" ".join([entry["en"], entry["pt"], entry["capital"], entry.get("capital_en", ""),
                                                                 *entry.get("aliases", [])])))
    return frozenset(words)


def is_known_name(name: str) -> bool:
    """Whether every word of a capitalised name is something the simulated models know about."""
    words = [lang.fold(w) for w in lang.words(name) if lang.fold(w) not in ("of", "da", "de", "do", "dos", "das", "for", "and", "e")]
    return bool(words) and all(w in _known_words() for w in words)


# -- glossary ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def glossary() -> tuple[dict[str, str], dict[str, str]]:
    """(en -> pt, pt -> en), keys folded for pt."""
    en_pt: dict[str, str] = {}
    pt_en: dict[str, str] = {}
    for line in (_HERE / "glossary.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, _, pt = line.partition("|")
        en_pt.setdefault(en.strip().lower(), pt.strip())
        pt_en.setdefault(pt.strip().lower(), en.strip())
    for pt, en in list(pt_en.items()):
        pt_en.setdefault(lang.fold(pt), en)
    return en_pt, pt_en


def translate(text: str, target: str) -> tuple[str, list[str]]:
    """Glossary translation to ``target`` ("en" or "pt-BR"): (translation, words the glossary lacked)."""
    en_pt, pt_en = glossary()
    table = en_pt if target == "pt-BR" else pt_en
    longest = max(len(k.split()) for k in table)
    tokens = re.findall(r"[^\W_]+(?:[-'][^\W_]+)*|[^\w\s]|\s+", text)
    out: list[str] = []
    missing: list[str] = []
    articles = {"o", "a", "os", "as"} if target == "en" else {"the"}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        # An article before a name is dropped ("O Amazon Bedrock" -> "Amazon Bedrock").
        if tok.lower() in articles and i + 2 < len(tokens) and tokens[i + 1].isspace() and tokens[i + 2][:1].isupper() \
                and lang.fold(tokens[i + 2]) not in table and tokens[i + 2].lower() not in table:
            i += 2
            continue
        if not re.match(r"\w", tok):
            out.append(tok)
            i += 1
            continue
        done = False
        # Try the longest phrase starting here (words separated by single spaces).
        for n in range(longest, 0, -1):
            span = tokens[i : i + 2 * n - 1]
            if len(span) < 2 * n - 1 or any(not s.isspace() for s in span[1::2]):
                continue
            phrase = " ".join(span[0::2])
            key = phrase.lower()
            if key not in table and target == "en":
                key = lang.fold(phrase)
            if key in table:
                value = table[key]
                if tok[:1].isupper():
                    value = value[:1].upper() + value[1:]
                out.append(value)
                i += 2 * n - 1
                done = True
                break
        if not done:
            out.append(tok)
            if not tok.isdigit() and not tok[:1].isupper() and tok.lower() not in (m.lower() for m in missing):
                missing.append(tok)
            i += 1
    text = "".join(out)
    if target == "en":
        text = re.sub(r"\bi\b", "I", text)
    return text, missing
