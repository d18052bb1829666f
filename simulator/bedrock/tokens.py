"""One tokenizer approximation used everywhere (usage, CountTokens, max_tokens cuts, streaming, cost).

Roughly what subword tokenizers do: a word of up to four characters (with its leading space) is one token,
longer words take one token per four characters, each punctuation mark is one token.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"\s*\w+|\s*[^\w\s]|\s+", re.UNICODE)
_CHUNK = 4


def split(text: str) -> list[str]:
    """The text as tokens; ``"".join(split(t)) == t``."""
    out: list[str] = []
    for piece in _PIECE.findall(text):
        stripped = piece.lstrip()
        lead = piece[: len(piece) - len(stripped)]
        if len(stripped) <= _CHUNK:
            out.append(piece)
            continue
        out.append(lead + stripped[:_CHUNK])
        out.extend(stripped[i : i + _CHUNK] for i in range(_CHUNK, len(stripped), _CHUNK))
    return out


def count(text: str) -> int:
    if not text:
        return 0
    total = 0
    for piece in _PIECE.findall(text):
        n = len(piece.strip())
        total += 1 if n <= _CHUNK else -(-n // _CHUNK)
    return total


def truncate(text: str, limit: int) -> tuple[str, int, bool]:
    """(text cut to ``limit`` tokens, tokens kept, whether it was cut)."""
    pieces = split(text)
    if len(pieces) <= limit:
        return text, len(pieces), False
    return "".join(pieces[:limit]), limit, True
