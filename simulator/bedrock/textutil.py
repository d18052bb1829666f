"""Text helpers the engine's skills share: sentiment lexicons, sentence splitting, source labels."""

from __future__ import annotations

import re

from . import lang


# -- lexicons ---------------------------------------------------------------------------------------------
_POS = set(
    "good great excellent amazing awesome love loved loves like liked happy fast perfect wonderful fantastic "
    "recommend recommended best nice satisfied helpful easy friendly beautiful pleased glad quick efficient "
    "bom boa otimo otima excelente adorei adoro amei gostei gosto feliz rapido rapida perfeito perfeita "
    "maravilhoso maravilhosa recomendo melhor legal satisfeito satisfeita util facil lindo linda eficiente "
    "incrivel parabens top sensacional agradavel".split()
)
_NEG = set(
    "bad terrible awful horrible hate hated worst slow broken late poor disappointed disappointing angry "
    "useless expensive problem problems wrong never refund delay delayed rude dirty difficult buggy crash "
    "ruim pessimo pessima horrivel odiei odeio pior lento lenta quebrado quebrada atrasado atrasada atraso "
    "decepcionado decepcionada decepcao irritado irritada inutil caro cara problema problemas errado errada "
    "nunca reembolso demora demorou grosseiro sujo dificil defeito travou lixo insatisfeito insatisfeita".split()
)
_NEGATORS = {"not", "no", "never", "nao", "nem", "nunca", "isn't", "wasn't", "don't", "didn't"}
_LABELS = {
    "positive": ("Positive", "Positivo"),
    "negative": ("Negative", "Negativo"),
    "neutral": ("Neutral", "Neutro"),
}
_LABEL_WORDS = {
    "positive": {"positive", "positivo", "positiva", "pos", "bom", "good", "happy", "feliz", "satisfied", "satisfeito"},
    "negative": {"negative", "negativo", "negativa", "neg", "ruim", "bad", "unhappy", "insatisfeito", "sad"},
    "neutral": {"neutral", "neutro", "neutra", "mixed", "misto"},
}


def sentiment_score(text: str) -> tuple[int, list[str]]:
    score, hits = 0, []
    originals = lang.words(text)
    words = [lang.fold(w) for w in originals]
    for i, w in enumerate(words):
        polarity = 1 if w in _POS else -1 if w in _NEG else 0
        if polarity and any(p in _NEGATORS for p in words[max(0, i - 3) : i]):
            polarity = -polarity
        if polarity:
            score += polarity
            hits.append(originals[i].lower())
    return score, hits


# -- helpers ----------------------------------------------------------------------------------------------
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý\"'(0-9])")


def sentences(text: str) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n|\n(?=[-*•\d])", text):
        para = " ".join(para.split())
        if para:
            out.extend(s.strip() for s in _SENT.split(para) if s.strip())
    return out


_LABEL = re.compile(r"^\s*(?:\[(?:(?:source|fonte|doc(?:umento)?|arquivo|file)\s*:\s*)?([^\]\n]{1,80})\]|(?:source|fonte|documento|document|arquivo|file)\s*(?:\d+\s*)?[:=-]\s*(\S[^\n]{0,79}?)\s*$)\s*", re.I | re.M)


def _labelled_sentences(context: str) -> list[tuple[str | None, str]]:
    """Sentences of a context with the source label ("[docs/a.txt] ...", "Fonte: a.txt") they sit under."""
    out: list[tuple[str | None, str]] = []
    label = None
    for block in re.split(r"\n(?=\s*(?:\[|source|fonte|documento|document|arquivo|file)\b)|\n\s*\n", context, flags=re.I):
        m = _LABEL.match(block)
        if m:
            label = (m.group(1) or m.group(2) or "").strip() or label
            block = block[m.end():]
        for s in sentences(block):
            out.append((label, s))
    return out


def _after_colon_or_quotes(text: str) -> str | None:
    """The material an instruction applies to: quoted text, or what follows the first ':' / newline."""
    quoted = re.findall(r"[\"“«']([^\"”»']{12,})[\"”»']", text)
    # A quote is the material when it is most of the prompt, not a quotation inside a longer text.
    if quoted and len(max(quoted, key=len)) >= 0.5 * len(text.strip()):
        return max(quoted, key=len)
    m = re.search(r":\s*(.+)$", text, re.S)
    if m and len(m.group(1).strip()) > 3:
        return m.group(1).strip()
    parts = text.split("\n", 1)
    if len(parts) == 2 and parts[1].strip():
        return parts[1].strip()
    return None


def _has(folded: str, *patterns: str) -> bool:
    return any(re.search(p, folded) for p in patterns)
