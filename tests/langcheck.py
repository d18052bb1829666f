"""What a pt-BR text must not hold: English-only words in its prose, or a decimal point (the detector lives in
gailab.labs.langlint, which ``gailab lab validate`` also uses on starters)."""

from __future__ import annotations

from gailab.labs.langlint import (  # noqa: F401
    CODE,
    DECIMAL_POINT,
    ENGLISH,
    SPANS,
    VERSIONED_NAME,
    en_problems,
    english_words,
    portuguese_words,
    pt_problems,
)
