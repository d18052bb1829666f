"""What a pt-BR text must not hold: English-only words in its prose, or a decimal point."""

from __future__ import annotations

import re

# Words that only English has (Portuguese shares "a", "no", "as", "com"…): one in a pt-BR sentence means an
# untranslated text slipped through.
ENGLISH = {"the", "is", "are", "must", "should", "does", "doesn't", "not", "with", "was", "were", "has", "have",
           "which", "this", "that", "there", "found", "missing", "expected", "fix", "first", "made", "above",
           "below", "only", "from", "your", "you", "it", "its", "of", "and", "or", "to", "in", "on", "at", "by",
           "be", "an", "than", "when", "would", "could", "cannot", "none", "check", "checks", "call",
           "calls", "failed", "error", "unreachable", "answer", "answered", "question", "option", "options"}
SPANS = r"`[^`]*`|\"[^\"]*\"|'[^']*'|\{[^}]*\}|https?://\S+"
CODE = re.compile(SPANS + r"|\S*[-_./:\[\]=<>#@\\]\S*")
DECIMAL_POINT = re.compile(r"(?<![\w.:/-])(\d+)\.(\d+)(?![\w.:/-])")
# A version in a product's name keeps its point in pt-BR too ("Claude Haiku 4.5", "Llama 3.1", "Python 3.12").
VERSIONED_NAME = re.compile(r"\b(?:Claude|Haiku|Sonnet|Opus|Llama|Nova|Titan|Mistral|Mixtral|Command|Jamba|DeepSeek|"
                            r"Pixtral|Python|Embed|Canvas|Reel)(?:\s+R?\d+(?:\.\d+)+)")


def english_words(text: str) -> list[str]:
    """English-only words in the prose of ``text`` (code, quotes, paths, identifiers and CamelCase left out)."""
    prose = CODE.sub(" ", text)
    words = re.findall(r"[A-Za-zÀ-ÿ']+", prose)
    return [w for w in words if not re.search(r"[A-Z].*[A-Z]|\d", w) and w.lower() in ENGLISH]


def pt_problems(where: str, text: str) -> list[str]:
    problems = [f"{where}: English {w!r} in {text!r}" for w in english_words(text)]
    problems += [f"{where}: decimal point in {text!r}" for whole, fraction in DECIMAL_POINT.findall(
        VERSIONED_NAME.sub(" ", re.sub(SPANS, " ", text)))
                 if whole == "0" or len(fraction) != 3]  # 1.000 is a thousand, written as pt-BR writes it
    return problems
