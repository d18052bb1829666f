"""Which language a learner-facing text is in: English words left in pt-BR prose (or a decimal point), and
Portuguese words left in English prose. ``gailab lab validate`` lints starters with it; the tests use it too."""

from __future__ import annotations

import re

# Words that only English has (Portuguese shares "a", "no", "as", "com"…): one in a pt-BR sentence means an
# untranslated text slipped through.
ENGLISH = {"the", "is", "are", "must", "should", "does", "doesn't", "not", "with", "was", "were", "has", "have",
           "which", "this", "that", "there", "found", "missing", "expected", "fix", "first", "made", "above",
           "below", "only", "from", "your", "you", "it", "its", "of", "and", "or", "to", "in", "on", "at", "by",
           "be", "an", "than", "when", "would", "could", "cannot", "none", "check", "checks", "call",
           "calls", "failed", "error", "unreachable", "answer", "answered", "question", "option", "options"}
# Words that only Portuguese has (common ones), for the other direction: an English text with Portuguese left in.
PORTUGUESE = {"não", "é", "são", "você", "seu", "sua", "seus", "suas", "uma", "um", "para", "cada", "rode", "depois",
              "dos", "das", "pelo", "pela", "também", "então", "quando", "como", "este", "esta", "isso", "nele",
              "nela", "o", "os", "ao", "aos", "da", "em", "na", "nas", "nos", "com", "sem", "ou", "que", "mas",
              "até", "mais", "já", "só", "aqui", "seja"}
ACCENTED = re.compile(r"[ãõçáéíóúâêôàÃÕÇÁÉÍÓÚÂÊÔÀ]")
SPANS = r"`[^`]*`|\"[^\"]*\"|'[^']*'|\{[^}]*\}|https?://\S+"
CODE = re.compile(SPANS + r"|\S*[-_./:\[\]=<>#@\\]\S*")
DECIMAL_POINT = re.compile(r"(?<![\w.:/-])(\d+)\.(\d+)(?![\w.:/-])")
# A version in a product's name keeps its point in pt-BR too ("Claude Haiku 4.5", "Llama 3.1", "Python 3.12").
VERSIONED_NAME = re.compile(r"\b(?:Claude|Haiku|Sonnet|Opus|Llama|Nova|Titan|Mistral|Mixtral|Command|Jamba|DeepSeek|"
                            r"Pixtral|Python|Embed|Canvas|Reel)(?:\s+R?\d+(?:\.\d+)+)")


def _prose_words(text: str) -> list[str]:
    """The words of ``text``'s prose: code, quotes, paths, identifiers, acronyms and CamelCase left out."""
    prose = CODE.sub(" ", text)
    words = re.findall(r"[A-Za-zÀ-ÿ']+", prose)
    return [w for w in words if not re.search(r"[A-Z].*[A-Z]|\d", w)]


def english_words(text: str) -> list[str]:
    """English-only words in the prose of ``text``."""
    return [w for w in _prose_words(text) if w.lower() in ENGLISH]


def portuguese_words(text: str) -> list[str]:
    """Portuguese-only words (or words with Portuguese accents) in the prose of ``text``."""
    return [w for w in _prose_words(text) if w.lower() in PORTUGUESE or ACCENTED.search(w)]


def pt_problems(where: str, text: str) -> list[str]:
    problems = [f"{where}: English {w!r} in {text!r}" for w in english_words(text)]
    problems += [f"{where}: decimal point in {text!r}" for whole, fraction in DECIMAL_POINT.findall(
        VERSIONED_NAME.sub(" ", re.sub(SPANS, " ", text)))
                 if whole == "0" or len(fraction) != 3]  # 1.000 is a thousand, written as pt-BR writes it
    return problems


def en_problems(where: str, text: str) -> list[str]:
    return [f"{where}: Portuguese {w!r} in {text!r}" for w in portuguese_words(text)]
