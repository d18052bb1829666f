"""Small language helpers shared by the engines: accent folding, words, stems, pt-BR/en detection."""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)

STOP_EN = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those there here what which who whom whose when where why how do does did can could should would will "
    "shall may might must i you he she we they me him her us them my your our their not no yes so than then too "
    "very just about into over under again also any all some such only own same other more most each few both "
    "please tell give me explain describe".split()
)
STOP_PT = frozenset(
    "a o os as um uma uns umas e ou mas se de do da dos das em no na nos nas por pelo pela pelos pelas para com "
    "sem sob sobre entre ao aos que qual quais quem quando onde porque por que como é são foi eram ser estar está "
    "estão isso isto esse essa este esta aquele aquela eu você voce ele ela nós nos eles elas me te lhe seu sua "
    "seus suas meu minha não nao sim mais menos muito muita já ja também tambem só so há ha ter tem têm pode "
    "podem deve favor por favor explique descreva diga".split()
)
_PT_MARKERS = frozenset(
    "não nao você voce é são está estão que para com uma um os as do da dos das em no na como qual quais "
    "quando onde por porque isso este esta ser olá ola obrigado obrigada resuma traduza explique escreva "
    "crie qual quanto também tambem então entao quem quais onde quando foi sobre mas muito isso seu sua pelo pela "
    "dos das nas nos fundou empresa política politica quantos quantas tem têm sistema qual capital descreva mostre liste "
    "diga faça faca imagem foto nesta neste nessa nesse isto aqui meu minha meus minhas preciso posso pode quero gostaria".split()
)
_EN_MARKERS = frozenset(
    "the and is are what which how why when where who this that with for to of you your please summarize "
    "translate explain write create does do can could hello thanks who was were founded about from my our".split()
)


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents: "Ação" -> "acao"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer for en and pt-BR (folded words): plurals and common suffixes."""
    w = fold(word)
    for suffix in ("mente", "acoes", "coes", "ation", "ations", "ing", "edly", "ed", "ly", "oes", "aes", "res", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    for _ in range(2):
        for suffix in ("cao", "sao", "ao", "ar", "er", "ir", "a", "o", "e"):
            if len(w) > len(suffix) + 3 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        else:
            break
    return w


def content_words(text: str) -> list[str]:
    """Folded words that carry meaning (stop words of both languages removed)."""
    out = []
    for w in words(text):
        f = fold(w)
        if f in STOP_EN or f in STOP_PT or len(f) < 2:
            continue
        out.append(f)
    return out


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def detect(text: str) -> str:
    """"pt-BR" or "en" from marker words and Portuguese letters; English when unsure."""
    tokens = [w.lower() for w in words(text[:4000])]
    pt = sum(1 for w in tokens if w in _PT_MARKERS)
    en = sum(1 for w in tokens if w in _EN_MARKERS)
    pt += 2 * len(re.findall(r"[ãõçáéíóúâêô]", text[:4000].lower())) // 3
    return "pt-BR" if pt > en else "en"
