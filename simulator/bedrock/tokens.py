"""Tokenizers per model family (usage, CountTokens, max_tokens cuts, streaming, cost all use them).

Roughly what subword tokenizers do: a run of ASCII letters or digits splits into pieces of at most ``n`` characters
(the first carries the leading space), each accented or other non-ASCII character is a token of its own (so pt-BR
costs more than en, as byte-level BPE vocabularies make it), each punctuation mark is a token. ``n`` stands for the
vocabulary: families with larger vocabularies (Llama 3's 128K, Nova) need fewer tokens for the same text than
Mistral's 32K; the same text therefore costs different token counts on different families, as on Bedrock.
"""

from __future__ import annotations

import functools
import re

#: Longest ASCII piece per family; families not named use DEFAULT.
PIECE = {
    "mistral": 3,
    "anthropic": 4,
    "titan-text": 5,
    "titan-embed": 5,
    "titan-embed-image": 5,
    "cohere-command": 5,
    "cohere-embed": 5,
    "jamba": 5,
    "nova": 6,
    "deepseek": 6,
    "llama": 7,
}
DEFAULT = 4


@functools.lru_cache(maxsize=None)
def _pattern(piece: int) -> re.Pattern[str]:
    return re.compile(r"\s*[A-Za-z0-9]{1,%d}|\s*[^\x00-\x7f\s]|\s*[^\w\s]|\s*_|\s+" % piece, re.UNICODE)


def pattern(family: str | None = None) -> re.Pattern[str]:
    return _pattern(PIECE.get(family or "", DEFAULT))


def split(text: str, family: str | None = None) -> list[str]:
    """The text as tokens; ``"".join(split(t)) == t``."""
    return pattern(family).findall(text)


def count(text: str, family: str | None = None) -> int:
    return len(pattern(family).findall(text)) if text else 0


def truncate(text: str, limit: int, family: str | None = None) -> tuple[str, int, bool]:
    """(text cut to ``limit`` tokens, tokens kept, whether it was cut)."""
    pieces = split(text, family)
    if len(pieces) <= limit:
        return text, len(pieces), False
    return "".join(pieces[:limit]), limit, True
