"""What system prompts and instructions ask of an answer's form, applied to the text the engine wrote: a word or
sentence limit, bullet points, a persona's voice. (Language and JSON are chosen before writing.)"""

from __future__ import annotations

import re

from . import lang
from .textutil import sentences

_WORD_LIMIT = re.compile(r"\b(?:at most|no more than|up to|under|fewer than|less than|maximum of|max\.?|in|within|em ate|em no maximo|no maximo|"
                         r"ate|com ate|com no maximo|menos de)\s+(\d+)\s+(?:words|palavras)\b")
_SENTENCE_LIMIT = re.compile(r"\b(?:in|with|at most|em|com|em ate|no maximo)\s+(\d+|one|two|three|uma|duas|tres)\s+(?:sentences?|frases?|lines?|linhas?)\b")
_BULLETS = re.compile(r"\b(bullet points?|bulleted|as a list|in a list|as bullets|list form|em topicos|em itens|em lista|"
                      r"como lista|em forma de lista|em marcadores)\b")
_STEPS = re.compile(r"\b(step by step|step-by-step|passo a passo|show your reasoning|mostre (seu|o) raciocinio|explique (seu|o) raciocinio)\b")
_PERSONA = re.compile(r"\b(?:you are|act as|you're|voce e|aja como|atue como|seja)\s+(?:an?|um|uma|o|a)\s+([^.,;:\n]{2,60})", re.I)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "uma": 1, "duas": 2, "tres": 3}
#: Answers that are prose (limits and bullets apply); structured ones (JSON, code, labels) are left alone.
PROSE_TASKS = {"knowledge", "ungrounded", "compose", "chat", "unknown", "context-qa", "context-decline", "summarize", "math"}


def word_limit(instructions: str) -> int | None:
    m = _WORD_LIMIT.search(lang.fold(instructions))
    return int(m.group(1)) if m else None


def sentence_limit(instructions: str) -> int | None:
    m = _SENTENCE_LIMIT.search(lang.fold(instructions))
    if not m:
        return None
    value = m.group(1)
    return int(value) if value.isdigit() else _COUNT_WORDS[value]


def persona(system: str) -> str | None:
    m = _PERSONA.search(system)
    return m.group(1).strip() if m else None


def limit_words(text: str, limit: int) -> str:
    """Whole sentences while they fit in ``limit`` words; a first sentence that does not fit is cut and closed."""
    out: list[str] = []
    used = 0
    for sentence in sentences(text):
        n = len(sentence.split())
        if used + n > limit:
            break
        out.append(sentence)
        used += n
    if out:
        return " ".join(out)
    words = text.split()[:limit]
    return " ".join(words).rstrip(",;:—-") + ("" if words and words[-1].endswith((".", "!", "?")) else ".")


def bullets(text: str) -> str:
    parts = sentences(text)
    return "\n".join(f"- {p}" for p in parts) if len(parts) > 1 else text


def apply(text: str, task: str, system: str, user: str, pt: bool) -> str:
    """The answer in the form the instructions ask (system prompt first, then the user's own words)."""
    if task not in PROSE_TASKS or not text:
        return text
    instructions = system + "\n" + user
    sentences_wanted = sentence_limit(instructions)
    if sentences_wanted:
        parts = sentences(text)
        lead = parts[:1] if parts and len(parts[0].split()) <= 3 and len(parts) > 1 else []  # "Sure." is not the answer
        body = parts[len(lead):]
        if len(body) > sentences_wanted:
            text = " ".join(lead + body[:sentences_wanted])
    limit = word_limit(instructions)
    if limit:
        text = limit_words(text, limit)
    if _BULLETS.search(lang.fold(instructions)):
        text = bullets(text)
    elif task != "math" and _STEPS.search(lang.fold(instructions)):
        parts = sentences(text)
        if len(parts) > 1:  # chain-of-thought: the reasoning as numbered steps
            text = "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1))
    role = persona(system)
    if role and task != "unknown":
        lead = f"Como {role}, eu diria assim: " if pt else f"As {'an' if role[:1].lower() in 'aeiou' else 'a'} {role}, I'd put it this way: "
        first = lang.fold(text.split(" ", 1)[0])
        body = text[:1].lower() + text[1:] if first in lang.STOP_EN | lang.STOP_PT else text
        text = lead + body if not text.startswith(("-", "\"")) else lead + "\n" + text
        if limit:
            text = limit_words(text, limit)
    return text
