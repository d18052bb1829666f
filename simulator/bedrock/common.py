"""Common knowledge the simulated models answer right (data in ``common.json``): countries and their capitals, basic
science. A real foundation model knows these; answering them wrong would teach falsehoods."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from . import lang

_DATA = Path(__file__).with_name("common.json")


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    """{folded name or alias: country entry}."""
    out = {}
    for entry in _data()["capitals"]:
        for name in [entry["en"], entry["pt"], *entry.get("aliases", [])]:
            folded = lang.fold(name)
            out[folded] = entry
            out[re.sub(r"^the ", "", folded)] = entry
    return out


_CAPITAL = re.compile(r"\bcapital\s+(?:city\s+)?(?:of|da|do|de|dos|das)\s+(?:the\s+)?([^?.!,;]+)|\b([\w .'-]+?)'s capital\b")


def capital_question(question: str) -> str | None:
    """The country a "what is the capital of X?" question names (as written), or None."""
    m = _CAPITAL.search(lang.fold(question))
    if not m:
        return None
    return (m.group(1) or m.group(2) or "").strip()


def capital(question: str, language: str) -> str | None:
    """The answer to a capital question about a real country; None when the question is not one, or the country is
    not a real one the table knows."""
    named = capital_question(question)
    if named is None:
        return None
    words = named.split()
    entry = None
    for n in range(len(words), 0, -1):  # "brasil hoje" -> "brasil"
        entry = _countries().get(" ".join(words[:n]))
        if entry:
            break
    if entry is None:
        return None
    if language == "pt-BR":
        return f"A capital {entry['of']} {entry['pt']} é {entry['capital']}."
    country = entry["en"]
    return f"The capital of {country} is {entry.get('capital_en', entry['capital']).rstrip('.')}."


@functools.lru_cache(maxsize=1)
def _science() -> list[tuple[list[tuple[str, re.Pattern[str]]], dict]]:
    return [([(key, re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)")) for key in fact["keys"]], fact) for fact in _data()["science"]]


def science(question: str, language: str) -> str | None:
    folded = lang.fold(question)
    for keys, fact in _science():
        if any(key in folded and pattern.search(folded) for key, pattern in keys):
            return fact["pt"] if language == "pt-BR" else fact["en"]
    return None


def answer(question: str, language: str) -> str | None:
    """Common knowledge for this question, or None."""
    return capital(question, language) or science(question, language)
