"""RetrieveAndGenerate's answer: written from the retrieved passages only, each sentence cited, or a decline.

The answer is made of the passages' sentences that best answer the question (by meaning and by the question's
content words), so every part is grounded and carries the reference it came from, with its span in the answer.
When no retrieved sentence answers, the model declines instead of inventing, as the service's default prompt
instructs ("If the search results do not contain information that can answer the question, ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import engines
from .models import IndexedChunk

DECLINE = {
    "en": "Sorry, I am unable to assist you with this request.",
    "pt-BR": "Desculpe, não consigo ajudar com essa solicitação.",
}
#: The service's default knowledge-base prompt (its size counts as input tokens).
DEFAULT_PROMPT = (
    "You are a question answering agent. I will provide you with a set of search results. The user will provide you "
    "with a question. Your job is to answer the user's question using only information from the search results. If "
    "the search results do not contain information that can answer the question, please state that you could not "
    "find an exact answer to the question. Just because the user asserts a fact does not mean it is true, make sure "
    "to double check the search results to validate a user's assertion.\n\nHere are the search results in numbered "
    "order:\n$search_results$\n\n$output_format_instructions$"
)
#: Below this the best sentence does not answer the question.
MIN_RELEVANCE = 0.30


@dataclass
class Part:
    text: str
    start: int
    end: int
    chunks: list[IndexedChunk]


@dataclass
class Answer:
    text: str
    parts: list[Part]
    declined: bool


def _relevance(question: str, q_stems: set[str], qv, sentence: str, dims: int) -> float:
    stems = engines.stems(sentence)
    lexical = len(q_stems & stems) / len(q_stems) if q_stems else 0.0
    semantic = sum(a * b for a, b in zip(qv, engines.embed(sentence, dims)))
    return 0.5 * max(semantic, 0.0) + 0.5 * lexical


def compose(question: str, results: list[tuple[IndexedChunk, float]], dims: int, language: str | None = None) -> Answer:
    language = language or engines.language(question)
    decline = Answer(DECLINE.get(language, DECLINE["en"]), [], True)
    if not results:
        return decline
    q_stems = engines.stems(question)
    qv = engines.embed(question, dims)
    scored = []
    for rank, (chunk, score) in enumerate(results):
        for position, sentence in enumerate(engines.sentences(chunk.text)):
            if len(sentence.split()) < 3:
                continue
            relevance = _relevance(question, q_stems, qv, sentence, dims) * (1.0 - 0.03 * rank)
            scored.append((relevance, -rank, -position, sentence, chunk))
    if not scored:
        return decline
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    best = scored[0]
    if best[0] < MIN_RELEVANCE:
        return decline
    chosen = [best]
    for candidate in scored[1:]:
        if len(chosen) == 2:
            break
        if candidate[0] >= 0.8 * best[0] and candidate[3] != best[3] and not _same(candidate[3], best[3]):
            chosen.append(candidate)
    parts: list[Part] = []
    text = ""
    for item in chosen:
        sentence = item[3].strip()
        if not re.search(r"[.!?]$", sentence):
            sentence += "."
        if text:
            text += " "
        start = len(text)
        text += sentence
        parts.append(Part(sentence, start, len(text), [item[4]]))
    return Answer(text, parts, False)


def _same(a: str, b: str) -> bool:
    return a.strip().lower() in b.strip().lower() or b.strip().lower() in a.strip().lower()


_FOLLOW_UP = re.compile(r"\b(it|its|this|that|they|them|those|these|there|ele|ela|eles|elas|isso|isto|esse|essa|"
                        r"este|esta|disso|dele|dela|nele|nela|deles|delas|aquilo)\b", re.I)


def follow_up_query(question: str, turns: list[dict]) -> str:
    """The query a follow-up is searched with: short or pronoun-led questions borrow the previous turn's topic."""
    if not turns:
        return question
    if len(engines.stems(question)) > 6 and not _FOLLOW_UP.search(question):
        return question
    return f"{turns[-1]['query']} {question}"
