"""One tokenizer approximation used everywhere (usage, CountTokens, max_tokens cuts, streaming, cost).

Roughly what subword tokenizers do: a word of up to four characters (with its leading space) is one token,
longer words take one token per four characters, each punctuation mark is one token.
"""

from __future__ import annotations

import re

# A word's first token carries its leading space; longer words continue in four-character pieces.
_TOKEN = re.compile(r"\s*\w{1,4}|\s*[^\w\s]|\s+", re.UNICODE)


def split(text: str) -> list[str]:
    """The text as tokens; ``"".join(split(t)) == t``."""
    return _TOKEN.findall(text)


def count(text: str) -> int:
    return len(_TOKEN.findall(text)) if text else 0


def truncate(text: str, limit: int) -> tuple[str, int, bool]:
    """(text cut to ``limit`` tokens, tokens kept, whether it was cut)."""
    pieces = split(text)
    if len(pieces) <= limit:
        return text, len(pieces), False
    return "".join(pieces[:limit]), limit, True
