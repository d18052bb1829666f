"""Few-shot and zero-shot classification: finding labelled examples in a prompt (in the formats people write them),
the item to classify, the labels an instruction lists — and choosing a label by meaning.

Few-shot answers with the label of the examples nearest in meaning (the embedding engine), so examples teach custom
labels ("FIN-01", "BILLING") a model could not guess from their names; zero-shot can only go by what the label names
mean, which is why few-shot beats zero-shot on custom labels, as on real models.
"""

from __future__ import annotations

import hashlib
import json
import re

from . import embeddings, lang

# Field names that introduce the label of an example (folded).
LABEL_KEYS = frozenset(
    "sentiment sentimento label rotulo classe class classification classificacao categoria category resposta answer saida "
    "output tipo type intent intencao prioridade priority departamento department fila queue setor area tag etiqueta "
    "polaridade polarity topico topic assunto result resultado a r".split()
)
_INPUT_KEY = r"[\w çãâáàéêíóôõúüñ\-]{1,24}"
_LABEL = r"[\w çãâáàéêíóôõú\-/.]{1,40}?"


def _folded_key(key: str) -> str:
    return lang.fold(key.strip()).replace(" ", "")


def _is_label_key(key: str) -> bool:
    return lang.fold(key.strip()) in LABEL_KEYS or _folded_key(key) in LABEL_KEYS


def _clean(text: str) -> str:
    return text.strip().strip("\"'“”«»").strip()


_INLINE = re.compile(r"^\s*(?:[-*•\d.)]+\s*)?(?P<k1>" + _INPUT_KEY + r"):\s*(?P<text>.+?)\s+(?P<k2>" + _INPUT_KEY + r"):\s*(?P<label>[^\n]*?)\s*$")


def inline(prompt: str) -> list[tuple[str, str]]:
    """'Frase: "Adorei" Sentimento: positivo' — an input and its label on one line."""
    out = []
    for line in prompt.splitlines():
        m = _INLINE.match(line)
        if m and _is_label_key(m.group("k2")) and not _is_label_key(m.group("k1")) and _clean(m.group("label")):
            out.append((_clean(m.group("text")), _clean(m.group("label")).rstrip(".")))
    return out


_ARROW = re.compile(r"^\s*(?:[-*•\d.)]+\s*)?(?:" + _INPUT_KEY + r":\s*)?(?P<text>.{3,}?)\s*(?:->|=>|→|⇒)\s*(?P<label>[^\n]*?)\s*$")


def arrows(prompt: str) -> list[tuple[str, str]]:
    """'Ticket: "…" -> BILLING' lines."""
    out = []
    for line in prompt.splitlines():
        m = _ARROW.match(line)
        if m and _clean(m.group("label")):
            out.append((_clean(m.group("text")), _clean(m.group("label")).rstrip(".")))
    return out


_KEY_LINE = re.compile(r"^\s*(?:[-*•\d.)]+\s*)?(?P<key>" + _INPUT_KEY + r"):\s*(?P<value>.*)$")


def pairs(prompt: str) -> list[tuple[str, str]]:
    """'Input: …' then 'Output: …' on the next line (any key names: Texto/Categoria, Q/A, Pergunta/Resposta...)."""
    out: list[tuple[str, str]] = []
    pending: str | None = None
    for line in prompt.splitlines():
        if not line.strip():
            continue
        m = _KEY_LINE.match(line)
        if not m:
            continue
        key, value = m.group("key"), _clean(m.group("value"))
        if _is_label_key(key):
            if pending is not None and value:
                out.append((pending, value.rstrip(".")))
            pending = None
        else:
            pending = value or None
    return out


def json_examples(prompt: str) -> list[tuple[str, str]]:
    """A JSON list of examples: [{"text": "…", "label": "…"}, …] (any text-like and label-like field names)."""
    out: list[tuple[str, str]] = []
    for m in re.finditer(r"\[\s*\{.*?\}\s*\]", prompt, re.S):
        try:
            items = json.loads(m.group(0))
        except ValueError:
            continue
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            label_key = next((k for k in item if _is_label_key(k)), None)
            text_key = next((k for k in item if k != label_key and isinstance(item[k], str)), None)
            if label_key and text_key and isinstance(item[label_key], str):
                out.append((item[text_key].strip(), item[label_key].strip()))
    return out


_XML_EXAMPLE = re.compile(r"<(example|exemplo)>(.*?)</\1>", re.S | re.I)
_XML_FIELD = re.compile(r"<([\w-]+)>(.*?)</\1>", re.S)


def xml_examples(prompt: str) -> list[tuple[str, str]]:
    """<example><input>…</input><output>…</output></example> (any inner tag names; the label tag is label-like)."""
    out = []
    for m in _XML_EXAMPLE.finditer(prompt):
        fields = _XML_FIELD.findall(m.group(2))
        label = next((v for k, v in fields if _is_label_key(k)), None)
        text = next((v for k, v in fields if not _is_label_key(k)), None)
        if label and text:
            out.append((_clean(text), _clean(label)))
    return out


def query(prompt: str) -> str | None:
    """The item the prompt wants labelled: a last input with an empty label (on its line, after an arrow or as a
    key line followed by an empty label key), an unlabelled <input>, or the text after a final "Classify:" line."""
    lines = [ln for ln in prompt.splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        m = _INLINE.match(line + " ") if re.search(r":\s*$", line) else None
        if m and _is_label_key(m.group("k2")) and not _is_label_key(m.group("k1")):
            return _clean(m.group("text"))
        m = re.match(r"^\s*(?:" + _INPUT_KEY + r":\s*)?(?P<text>.{3,}?)\s*(?:->|=>|→|⇒)\s*$", line)
        if m:
            return _clean(m.group("text"))
        m = _KEY_LINE.match(line)
        if m and _is_label_key(m.group("key")) and not _clean(m.group("value")):
            prev = _KEY_LINE.match(lines[i - 1]) if i else None
            if prev and not _is_label_key(prev.group("key")):
                return _clean(prev.group("value"))
        if m and not _is_label_key(m.group("key")) and _clean(m.group("value")) and i == len(lines) - 1:
            return _clean(m.group("value"))
        break
    inputs = re.findall(r"<(input|text|texto|entrada|ticket)>(.*?)</\1>", prompt, re.S | re.I)
    if inputs:
        return _clean(inputs[-1][1])
    return None


# -- zero-shot labels -------------------------------------------------------------------------------------------------
_LIST_INTRO = re.compile(
    r"(?:one of|one of these|one of the following|uma das|um dos|uma destas|um destes|entre|among|between|categories|categorias|"
    r"labels|rotulos|classes|options|opcoes|tipos|types|as|como|into|em)\s*(?:categories|categorias|labels|rotulos|classes|opcoes|options)?"
    r"\s*[:\-]?\s*(?P<list>(?:[\"'`]?[\w\-/]+(?: [\w\-/]+){0,2}[\"'`]?\s*(?:,|/|\bor\b|\bou\b|\band\b|\be\b)\s*){1,12}[\"'`]?[\w\-/]+(?: [\w\-/]+){0,2}[\"'`]?)",
    re.I)


def listed_labels(instruction: str) -> list[str]:
    """The labels an instruction offers ("Classify as BILLING, SHIPPING or TECHNICAL", "uma destas categorias:
    FIN-01, LOG-02..."), as written; [] when it lists none."""
    best: list[str] = []
    for line in instruction.splitlines():
        folded_line = lang.fold(line)
        if not re.search(r"\b(classif|categor|label|rotul|class|tipo|type|one of|uma das|um dos|options|opcoes|intent|intenc|sentiment)", folded_line):
            continue
        for m in _LIST_INTRO.finditer(line):
            parts = re.split(r"\s*(?:,|/|\bor\b|\bou\b|\band\b|\be\b)\s*", m.group("list"))
            labels = [p.strip(" \"'`.") for p in parts if p.strip(" \"'`.")]
            if len(labels) >= 2 and len(labels) > len(best) and all(len(label.split()) <= 3 for label in labels):
                best = labels
    return best


def zero_shot(item: str, labels: list[str]) -> str:
    """A label for ``item`` from its name alone: the label whose words mean the most like the item. Labels whose
    names mean nothing (codes) leave a guess, as a real model would have to make."""
    vec = embeddings.embed(item, 512)
    scored = [(embeddings.cosine(vec, embeddings.embed(label.replace("_", " ").replace("-", " "), 512)), i) for i, label in enumerate(labels)]
    best, index = max(scored, key=lambda s: (s[0], -s[1]))
    if best < 0.08:
        digest = hashlib.sha256(lang.fold(item).encode("utf-8")).digest()
        return labels[digest[0] % len(labels)]
    return labels[index]


def nearest(item: str, examples: list[tuple[str, str]]) -> str:
    """The label of the examples nearest ``item`` in meaning (best match, then the label's second-best example)."""
    vec = embeddings.embed(item, 512)
    by_label: dict[str, list[float]] = {}
    order: list[str] = []
    for text, label in examples:
        if label not in by_label:
            order.append(label)
        by_label.setdefault(label, []).append(embeddings.cosine(vec, embeddings.embed(text, 512)))
    def score(label: str) -> tuple[float, int]:
        sims = sorted(by_label[label], reverse=True)
        return (sims[0] + 0.5 * (sims[1] if len(sims) > 1 else 0.0), -order.index(label))
    return max(order, key=score)
