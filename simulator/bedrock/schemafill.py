"""Values that follow a JSON schema, drawn from a prompt: tool-call arguments, structured output
(Converse ``outputConfig.textFormat``) and "answer in JSON with fields a, b".

A real model reads the schema and fills each field from what the prompt says; so does this: ``$ref``/``$defs``,
``anyOf``/``oneOf``/``allOf``, objects (nested), arrays (of strings, numbers or objects), strings (by field name and
``format``: names, places, e-mails, phones, dates, URLs, the answer itself...), integers and numbers (the figure
next to the field's name, number words, within ``minimum``/``maximum``), booleans, ``enum`` (the value the text
means) and ``const``. Every required field is present and every value validates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import lang
from .textutil import sentences

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_PHONE = r"(?:\+?\d{1,3}[\s-]?)?\(?\d{2,3}\)?[\s-]?\d{4,5}[\s-]?\d{4}"
_URL = r"https?://[^\s\"'<>]+"
_DATE = r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
_NUMBER = r"(?<![\w.])-?\d+(?:[.,]\d+)?(?![\w])"
_CPF = r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b"

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "dozen": 12, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
    "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "quinze": 15, "vinte": 20,
    "trinta": 30, "quarenta": 40, "cinquenta": 50, "cem": 100, "duzia": 12,
}

# Field-name words (folded) and what kind of value they ask for.
_KINDS = [
    ("email", ("email", "mail", "correio")),
    ("phone", ("phone", "telefone", "celular", "tel", "mobile", "whatsapp")),
    ("url", ("url", "link", "website", "site", "homepage", "uri")),
    ("cpf", ("cpf",)),
    ("date", ("date", "data", "birthday", "nascimento", "deadline", "prazo", "when", "quando", "dia")),
    ("language", ("language", "idioma", "lang", "locale", "lingua")),
    ("sentiment", ("sentiment", "sentimento", "polarity", "polaridade", "tone", "tom")),
    ("confidence", ("confidence", "confianca", "probability", "probabilidade", "certainty", "score")),
    ("title", ("title", "titulo", "subject", "assunto", "headline", "manchete")),
    ("label", ("category", "categoria", "label", "rotulo", "class", "classe", "classification", "classificacao",
               "intent", "intencao", "department", "departamento", "queue", "fila")),
    ("country", ("country", "pais", "nation", "nacao")),
    ("place", ("city", "cidade", "location", "localizacao", "local", "place", "lugar", "country", "pais", "state",
               "estado", "destination", "destino", "origin", "origem", "address", "endereco", "region", "regiao")),
    ("name", ("name", "nome", "person", "pessoa", "customer", "cliente", "author", "autor", "user", "usuario",
              "contact", "contato", "employee", "funcionario", "company", "empresa", "product", "produto")),
    ("keywords", ("keywords", "keyword", "tags", "tag", "topics", "palavras", "chave", "entities", "entidades", "terms", "termos")),
    ("steps", ("steps", "passos", "etapas", "bullets", "points", "pontos", "items", "itens", "list", "lista", "tips", "dicas")),
    ("term", ("term", "termo", "concept", "conceito", "word", "palavra", "subject", "topic_name", "name_of_term")),
    ("answer", ("answer", "resposta", "response", "summary", "resumo", "definition", "definicao", "meaning", "significado", "text", "texto", "content", "conteudo", "message",
                "mensagem", "description", "descricao", "explanation", "explicacao", "reason", "motivo", "reasoning",
                "justification", "justificativa", "result", "resultado", "output", "saida", "translation", "traducao",
                "comment", "comentario", "details", "detalhes", "body", "query", "consulta", "question", "pergunta")),
]


@dataclass
class Source:
    """What a model fills a schema from."""

    text: str  # the prompt's material (the user's words)
    answer: str = ""  # the model's own answer in prose, for answer-like fields
    language: str = "en"
    subject: str = ""  # what the text is about (a term being defined), when known
    #: Picks one of several labels by what the text means (None: by shared words).
    choose: Callable[[str, list[str]], str] | None = None


def _kind(name: str) -> str | None:
    words = set(re.split(r"[_\W]+", lang.fold(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name))))
    for kind, keys in _KINDS:
        if words & set(keys):
            return kind
    return None


def _resolve(schema, root: dict, depth: int = 0):
    """Follow ``$ref`` and merge ``allOf``; ``anyOf``/``oneOf`` take the first option that is not null."""
    if not isinstance(schema, dict) or depth > 20:
        return schema if isinstance(schema, dict) else {}
    if "$ref" in schema:
        ref = schema["$ref"]
        target: object = root
        if ref.startswith("#/"):
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
        merged = {**_resolve(target, root, depth + 1), **{k: v for k, v in schema.items() if k != "$ref"}}
        return _resolve(merged, root, depth + 1)
    if "allOf" in schema:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part, root, depth + 1)
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            required = list(dict.fromkeys(merged.get("required", []) + part.get("required", [])))
            merged = {**part, **merged, "properties": props, "required": required}
        return merged
    return schema


def _options(schema: dict, root: dict) -> list[dict]:
    options = schema.get("anyOf") or schema.get("oneOf")
    return [_resolve(o, root) for o in options] if isinstance(options, list) else []


def fill(schema, source: Source, name: str = "", root: dict | None = None, depth: int = 0):
    """A value for ``schema`` (named ``name`` in its parent), drawn from ``source``."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if depth > 8:
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _enum(schema["enum"], source, name)
    options = _options(schema, root)
    if options:
        real = [o for o in options if o.get("type") != "null"] or options
        return fill(real[0], source, name, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        if kind == "string" and lang.fold(name) in _NUMERIC_NAMES and re.search(r"\d", source.text):
            kind = "integer"
        elif kind == "string" and _kind(name) == "confidence":
            kind = "number"
    if kind == "object":
        return _object(schema, source, root, depth)
    if kind == "array":
        return _array(schema, source, name, root, depth)
    if kind in ("integer", "number"):
        return _number(schema, source, name, kind == "integer")
    if kind == "boolean":
        return _boolean(source, name)
    if kind == "null":
        return None
    return _string(schema, source, name)


def _object(schema: dict, source: Source, root: dict, depth: int) -> dict:
    props = schema.get("properties") or {}
    out = {}
    for prop, spec in props.items():
        resolved = _resolve(spec, root)
        nested = resolved.get("type") == "object" or "properties" in resolved
        out[prop] = fill(spec, _about(source, prop) if nested else source, prop, root, depth + 1)
    for prop in schema.get("required") or []:
        if prop not in out:
            out[prop] = fill({}, source, prop, root, depth + 1)
    return out


def _about(source: Source, name: str) -> Source:
    """The part of the text about ``name`` (the sentences that mention it), for a nested object's fields."""
    key = lang.stem(re.split(r"[_\W]+", lang.fold(name))[-1]) if name else ""
    if len(key) < 3:
        return source
    parts = [s for s in re.split(r"(?<=[.!?;])\s+", source.text) if key in lang.stems(s) or key in lang.fold(s)]
    return Source(" ".join(parts), source.answer, source.language, source.choose) if parts else source


def _array(schema: dict, source: Source, name: str, root: dict, depth: int) -> list:
    items = _resolve(schema.get("items") or {}, root)
    low = int(schema.get("minItems", 1) or 0)
    high = int(schema.get("maxItems", 10) or 10)
    item_kind = items.get("type", "object" if "properties" in items else "string")
    if isinstance(item_kind, list):
        item_kind = next((k for k in item_kind if k != "null"), "string")
    if items.get("enum"):
        chosen = [v for v in items["enum"] if _mentions(source.text, str(v))] or [_enum(items["enum"], source, name)]
        values: list = chosen
    elif item_kind == "object":
        parts = _clauses(source.text) or [source.text]
        values = [fill(items, Source(part, source.answer, source.language, source.choose), name, root, depth + 1) for part in parts[:high]]
    elif item_kind in ("integer", "number"):
        numbers = [_as_number(n) for n in re.findall(_NUMBER, source.text)]
        values = [int(n) if item_kind == "integer" else n for n in numbers if n is not None] or [_number(items, source, name, item_kind == "integer")]
    elif item_kind == "boolean":
        values = [_boolean(source, name)]
    else:
        values = _strings(source, name)
        values = [_string(items, Source(v, v, source.language, source.choose), name) if items.get("format") or items.get("maxLength") else v
                  for v in values]
    values = values[:high]
    while len(values) < low:
        values.append(values[-1] if values else fill(items, source, name, root, depth + 1))
    if schema.get("uniqueItems"):
        unique: list = []
        for v in values:
            if v not in unique:
                unique.append(v)
        values = unique
    return values


def _strings(source: Source, name: str) -> list[str]:
    """Several short strings from the text: an enumeration ("a, b and c"), else key words or sentences."""
    kind = _kind(name)
    if kind == "steps":
        found = [s.strip(" -*•") for s in sentences(source.answer or source.text)]
        return found[:5] or [source.text.strip()[:200]]
    if kind == "email":
        return re.findall(_EMAIL, source.text) or ["user@example.com"]
    listed = _enumeration(source.text)
    if listed:
        return listed
    if kind in ("name", "place"):
        return _proper(source.text) or _keywords(source.text)[:3]
    return _keywords(source.text)[:5] or [source.text.strip()[:80]]


def _enumeration(text: str) -> list[str]:
    """Items of the longest list in the text: "apples, bread and milk" / "maçãs, pão e leite"."""
    best: list[str] = []
    for m in re.finditer(r"((?:[^,;:\n.]{1,40},\s*)+[^,;:\n.]{1,40}?\s+(?:and|e|or|ou)\s+[^,;:\n.?!]{1,40})", text):
        parts = re.split(r",\s*|\s+(?:and|e|or|ou)\s+", m.group(1))
        parts = [_trim_item(p) for p in parts]
        parts = [p for p in parts if p]
        if len(parts) > len(best):
            best = parts
    return best


# Words that introduce a list inside a sentence ("She likes hiking, ...", "Os itens são pão, ...").
_INTRO = re.compile(r"^.*\b(?:likes?|loves?|enjoys?|include[sd]?|including|such as|are|is|were|was|buy|bought|need|needs|wants?|"
                    r"contains?|has|have|gosta(?: de)?|adora|inclui|incluindo|como|s[aã]o|[eé]|foram|comprar|comprou|precisa(?: de)?|quer|tem|cont[eé]m)\s+",
                    re.I)


def _trim_item(part: str) -> str:
    part = _INTRO.sub("", part.strip()) or part
    words = part.strip().split()
    # A leading verb phrase ("I need to buy apples") keeps only its last words.
    while len(words) > 3:
        words = words[1:]
    drop = {"the", "a", "an", "some", "o", "a", "os", "as", "um", "uma", "uns", "umas", "de", "do", "da", "buy", "comprar"}
    while words and lang.fold(words[0]) in drop and len(words) > 1:
        words = words[1:]
    return " ".join(words).strip(" \"'")


def _keywords(text: str) -> list[str]:
    seen: list[str] = []
    for word in lang.words(text):
        folded = lang.fold(word)
        if folded in lang.STOP_EN or folded in lang.STOP_PT or len(folded) < 4 or folded.isdigit():
            continue
        if folded not in (lang.fold(s) for s in seen):
            seen.append(word)
    return seen


def _proper(text: str) -> list[str]:
    """Capitalised names (not sentence openers or question words)."""
    found = re.findall(r"\b[A-ZÀ-Ý][\wà-ÿ'-]+(?:\s(?:da|de|do|dos|das|von|van|del)?\s?[A-ZÀ-Ý][\wà-ÿ'-]+)*", text)
    skip = {"what", "qual", "how", "como", "please", "get", "tell", "who", "quem", "where", "onde", "when", "quando", "i", "the",
            "o", "a", "use", "call", "return", "retorne", "extract", "extraia", "find", "encontre", "is", "are", "my", "meu", "minha",
            "this", "esse", "essa", "este", "esta", "her", "his", "their", "she", "he", "its", "our", "your", "seu", "sua",
            "dele", "dela", "ele", "ela", "we", "they", "it", "nos", "eles", "elas", "hi", "hello", "ola", "oi", "dear", "caro", "cara", "give", "de", "in", "em", "para", "for", "and", "e", "create", "crie", "book",
            "reserve", "send", "envie", "set", "make", "add", "adicione", "list", "liste", "show", "mostre", "search", "busque"}
    out = []
    for name in found:
        words = name.split()
        while words and lang.fold(words[0]) in skip:
            words = words[1:]
        if words and lang.fold(" ".join(words)) not in lang.STOP_EN | lang.STOP_PT:
            out.append(" ".join(words))
    return out


def _place(text: str) -> str | None:
    m = re.search(r"\b(?:in|at|to|from|em|no|na|para|de|from)\s+([A-ZÀ-Ý][\wà-ÿ'-]+(?:\s(?:de|do|da)?\s?[A-ZÀ-Ý][\wà-ÿ'-]+)*)", text)
    if m:
        return m.group(1)
    names = _proper(text)
    return names[-1] if names else None


def _string(schema: dict, source: Source, name: str) -> str:
    fmt = schema.get("format")
    kind = {"email": "email", "date": "date", "date-time": "date", "uri": "url", "url": "url"}.get(fmt or "") or _kind(name)
    text = source.text
    value = _labelled(text, name)
    options = _described_options(schema.get("description"))
    if not value and options:
        value = str(_enum(options, source, name))
    if not value and kind == "answer" and _INPUT_NAMES & set(re.split(r"[_\W]+", lang.fold(name))):
        value = _quoted(text)
    if value:
        pass
    elif kind == "email":
        m = re.search(_EMAIL, text)
        value = m.group(0) if m else "user@example.com" if fmt == "email" else None
    elif kind == "phone":
        m = re.search(_PHONE, text)
        value = m.group(0).strip() if m else None
    elif kind == "cpf":
        m = re.search(_CPF, text)
        value = m.group(0) if m else None
    elif kind == "url":
        m = re.search(_URL, text)
        value = m.group(0) if m else "https://example.com" if fmt in ("uri", "url") else None
    elif kind == "date":
        m = re.search(_DATE, text)
        value = m.group(0) if m else None
        if fmt in ("date", "date-time"):
            value = _iso_date(value) or "2026-01-01"
            if fmt == "date-time":
                value += "T00:00:00Z"
    elif kind == "language":
        value = source.language
    elif kind == "sentiment":
        from .textutil import sentiment_score

        score, _ = sentiment_score(text)
        labels = ("positivo", "negativo", "neutro") if source.language == "pt-BR" else ("positive", "negative", "neutral")
        value = labels[0] if score > 0 else labels[1] if score < 0 else labels[2]
    elif kind == "place":
        value = _place(text)
    elif kind == "country":
        value = _country(text)
    elif kind == "label":
        words = _keywords(text)
        value = words[0] if words else None
    elif kind == "name":
        names = _proper(text)
        value = names[0] if names else None
    elif kind == "title":
        words = (source.answer or text).split()
        value = " ".join(words[:8]).rstrip(".,;:") if words else None
    elif kind == "answer":
        value = source.answer or text.strip()
    elif kind == "term":
        value = source.subject or _subject(text)
    elif kind == "keywords":
        value = ", ".join(_keywords(text)[:5])
    elif kind == "steps":
        value = "; ".join(_strings(source, name))
    if not value:
        default = schema.get("default")
        value = default if isinstance(default, str) else (source.answer or _fallback(text, name))
    return _fit(str(value), schema)


#: Fields that take the material itself (a tool's "text" to count, translate or classify), not the model's prose.
_INPUT_NAMES = frozenset("text texto input entrada sentence frase query consulta string document documento".split())
_OPTIONS = re.compile(r"(?:one of|either|any of|choose from|pick from|among|um de|uma de|uma das|um dos|entre)\s*:?\s*(.+)", re.I)


def _described_options(description) -> list[str]:
    """The values a field's description lists ("one of BILLING, TECHNICAL, OTHER", "either low or high")."""
    if not isinstance(description, str):
        return []
    m = _OPTIONS.search(description)
    if not m:
        return []
    listed = re.split(r"\s*(?:,|\||/|;|\bor\b|\bou\b)\s*", m.group(1).strip().rstrip("."))
    values = [v.strip(" '\"`()") for v in listed if v.strip(" '\"`()")]
    values = [v for v in values if len(v.split()) <= 3]
    return values if len(values) >= 2 else []


def _quoted(text: str) -> str | None:
    """The longest quoted span of a prompt ('...', "...", “...”) of two words or more."""
    spans = re.findall(r"'([^']{3,})'|\"([^\"]{3,})\"|“([^”]{3,})”", text)
    found = [next(g for g in groups if g) for groups in spans]
    found = [f for f in found if len(f.split()) >= 2]
    return max(found, key=len) if found else None


def _country(text: str) -> str | None:
    """The country a text names (as written), else the proper name after the last comma ("Campinas, Brazil")."""
    from .common import _countries

    known = _countries()
    for m in re.finditer(r"[A-ZÀ-Ý][\wà-ÿ'-]+(?:\s(?:of|do|da|dos|das)?\s?[A-ZÀ-Ý][\wà-ÿ'-]+)*", text):
        words = m.group(0).split()
        for n in range(len(words), 0, -1):
            for start in range(0, len(words) - n + 1):
                if lang.fold(" ".join(words[start:start + n])) in known:
                    return " ".join(words[start:start + n])
    m = re.search(r",\s*([A-ZÀ-Ý][\wà-ÿ'-]+(?:\s[A-ZÀ-Ý][\wà-ÿ'-]+)*)[^,]*$", text)
    return m.group(1) if m else None


def _labelled(text: str, name: str) -> str | None:
    """The value the text writes after the field's own name ("order_id: 12345", "Cidade = Lisboa")."""
    if not name or len(name) < 2:
        return None
    spoken = re.escape(name).replace("_", "[ _-]?")
    m = re.search(r"(?<!\w)" + spoken + r"\s*[:=]\s*[\"']?([^,;\n\"']{1,120})", text, re.I)
    return m.group(1).strip() if m else None


def _subject(text: str) -> str:
    """What a question asks about: "what is a context window?" -> "context window"."""
    m = re.search(r"(?:what is|what are|what's|define|o que e|o que sao|defina|explique)\s+(?:an?\s+|the\s+|o\s+|a\s+|um\s+|uma\s+)?([^?.!:]+)", lang.fold(text))
    if m:
        start = m.start(1)
        return text[start : start + len(m.group(1))].strip()
    return " ".join(_keywords(text)[:4])


_NUMERIC_NAMES = frozenset("age idade quantity quantidade count contagem total amount valor price preco cost custo year ano days dias "
                           "number numero score pontos rating nota salary salario height altura weight peso size tamanho".split())


def _fallback(text: str, name: str) -> str:
    """A field with no clue in its name: the text's main words (never the whole prompt for a short field)."""
    names = _proper(text)
    return names[0] if names else " ".join(_keywords(text)[:6]) or text.strip()[:100]


def _fit(value: str, schema: dict) -> str:
    high = schema.get("maxLength")
    if isinstance(high, int) and len(value) > high:
        value = value[:high]
    low = schema.get("minLength")
    if isinstance(low, int) and len(value) < low:
        value = value.ljust(low, ".")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            if not re.search(pattern, value):
                m = re.search(pattern.strip("^$"), value)
                value = m.group(0) if m else value
        except re.error:
            pass
    return value


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    if re.match(r"\d{4}-\d{2}-\d{2}$", value):
        return value
    m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{2,4})$", value)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    year += 2000 if year < 100 else 0
    if month > 12 and day <= 12:
        day, month = month, day
    return f"{year:04d}-{month:02d}-{day:02d}"


def _as_number(token: str) -> float | None:
    try:
        return float(token.replace(",", ".")) if token.count(",") <= 1 and "." not in token else float(token.replace(",", ""))
    except ValueError:
        return None


def _number(schema: dict, source: Source, name: str, integer: bool):
    """The figure the text gives for this field: next to the field's name if it says so, else the first one."""
    text = source.text
    candidates: list[tuple[int, float]] = []
    for m in re.finditer(_NUMBER, text):
        value = _as_number(m.group(0))
        if value is not None:
            candidates.append((m.start(), value))
    folded = lang.fold(text)
    for m in re.finditer(r"[^\W\d_]+", folded):
        if m.group(0) in NUMBER_WORDS:
            candidates.append((m.start(), float(NUMBER_WORDS[m.group(0)])))
    value: float | None = None
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))

    def fits(v: float) -> bool:
        return (not isinstance(low, (int, float)) or v >= low) and (not isinstance(high, (int, float)) or v <= high)

    if candidates:
        key = lang.stem(re.split(r"[_\W]+", lang.fold(name))[-1]) if name else ""
        places = [m.start() for m in re.finditer(re.escape(key), folded)] if len(key) >= 3 else []
        if places:
            value = min(candidates, key=lambda c: min(abs(c[0] - p) for p in places))[1]
        else:
            # The field is not named in the text: the first figure that could be its value, if any.
            value = next((v for _, v in sorted(candidates) if fits(v)), None)
    if value is None and isinstance(low, (int, float)) and isinstance(high, (int, float)):
        value = (low + high) / 2
    if value is None:
        default = schema.get("default")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            value = float(default)
        elif _kind(name) == "confidence":
            value = 0.9
        else:
            value = 1.0
    if _kind(name) == "confidence" and high is None and value > 1:
        value = 0.9
    if isinstance(low, (int, float)) and value < low:
        value = float(low) + (1 if "exclusiveMinimum" in schema and integer else 0.01 if "exclusiveMinimum" in schema else 0)
    if isinstance(high, (int, float)) and value > high:
        value = float(high) - (1 if "exclusiveMaximum" in schema and integer else 0.01 if "exclusiveMaximum" in schema else 0)
    if integer:
        return int(round(value))
    return int(value) if value == int(value) and not _kind(name) == "confidence" else value


_NO = re.compile(r"\b(no|not|never|without|nao|nunca|sem|nenhum|nenhuma|false|falso)\b")


def _boolean(source: Source, name: str) -> bool:
    folded = lang.fold(source.text)
    words = [w for w in re.split(r"[_\W]+", lang.fold(name)) if w and w not in ("is", "has", "e", "tem", "eh")]
    stems = {lang.stem(w) for w in words if len(w) > 2}
    for sentence in re.split(r"[.!?;\n]", folded):
        if stems & lang.stems(sentence):
            return not _NO.search(sentence)
    return bool(stems) and not _NO.search(folded)


def _mentions(text: str, value: str) -> bool:
    return bool(re.search(r"(?<!\w)" + re.escape(lang.fold(value).replace("_", " ")) + r"(?!\w)", lang.fold(text).replace("_", " ")))


_ORIGIN = frozenset({"source", "from", "origin", "origem", "de", "sender", "remetente", "input", "entrada", "base"})
_DESTINATION = frozenset({"target", "to", "destination", "destino", "para", "into", "recipient", "destinatario", "output", "saida", "quote"})


def _mentioned_in_order(values: list[str], text: str) -> list[str]:
    """The enum values the text mentions, by word or by meaning ("euros" names EUR), in the order it mentions them."""
    from . import embeddings

    wanted = {}
    for value in values:
        wanted[value] = (lang.fold(value), embeddings.concepts(value.replace("_", " ")))
    found: list[tuple[int, str]] = []
    for m in re.finditer(r"[^\W_]+(?:\s[^\W_]+)?", text):
        word = m.group(0).split()[0]
        folded = lang.fold(word)
        concepts = embeddings.concepts(word)
        for value, (plain, needed) in wanted.items():
            if folded == plain or (needed and concepts and needed <= concepts):
                if value not in (v for _, v in found):
                    found.append((m.start(), value))
    return [v for _, v in sorted(found)]


def _enum(values: list, source: Source, name: str):
    """The enum value the text names, else the one it means (by the chooser), else the first."""
    strings = [str(v) for v in values]
    role = set(re.split(r"[_\W]+", lang.fold(name)))
    if len(strings) > 1 and role & (_ORIGIN | _DESTINATION):
        ordered = _mentioned_in_order(strings, source.text)
        if ordered:
            pick = ordered[0] if role & _ORIGIN or len(ordered) == 1 else ordered[-1]
            return values[strings.index(pick)]
    for v, s in zip(values, strings):
        if _mentions(source.text, s):
            return v
    ordered = _mentioned_in_order(strings, source.text)
    if ordered:
        return values[strings.index(ordered[0])]
    if _kind(name) == "sentiment" or set(map(lang.fold, strings)) & {"positive", "positivo", "negative", "negativo"}:
        from .textutil import _LABEL_WORDS, sentiment_score

        score, _ = sentiment_score(source.text)
        polarity = "positive" if score > 0 else "negative" if score < 0 else "neutral"
        for v, s in zip(values, strings):
            if lang.fold(s) in _LABEL_WORDS[polarity]:
                return v
    if source.choose is not None and all(isinstance(v, str) for v in values):
        return source.choose(source.text, strings)
    q = lang.stems(source.text)
    best = max(range(len(values)), key=lambda i: (len(q & lang.stems(strings[i].replace("_", " "))), -i))
    return values[best]


def _clauses(text: str) -> list[str]:
    """Parts of a text that each describe one item ("Ana, 30, from Lisbon; Bruno, 25, from Porto")."""
    parts = [p.strip() for p in re.split(r";|\n|\s+(?:and|e)\s+(?=[A-ZÀ-Ý])", text) if p.strip()]
    return parts if len(parts) > 1 else []


def properties_from(text: str) -> dict | None:
    """A schema for "answer in JSON with the fields a, b" / a JSON template in the prompt, or None."""
    m = re.search(r"\{[^{}]*\}", text)
    if m:
        keys = re.findall(r"[\"']([\w-]+)[\"']\s*:", m.group(0))
        if keys:
            return {"type": "object", "properties": {k: {} for k in keys}, "required": keys}
    folded = lang.fold(text)
    m = re.search(r"\b(?:fields?|keys?|campos?|chaves?|properties|propriedades|atributos?)\b\s*(?:named|called|chamad[oa]s?)?\s*:?\s*"
                  r"((?:[\"'`]?[\w-]+[\"'`]?(?:\s*,\s*|\s+(?:and|e)\s+)?){1,12})", folded)
    if not m:
        return None
    keys = [k.strip("\"'`") for k in re.split(r"\s*,\s*|\s+(?:and|e)\s+", m.group(1).strip()) if k.strip("\"'` ")]
    keys = [k for k in keys if k not in ("the", "os", "as", "o", "a", "with", "com")][:12]
    if not keys:
        return None
    original = {lang.fold(w): w for w in re.findall(r"[\w-]+", text)}
    keys = [original.get(k, k) for k in keys]
    return {"type": "object", "properties": {k: {} for k in keys}, "required": keys}
