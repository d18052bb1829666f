"""The guardrail engine: one evaluation that ApplyGuardrail, Converse's ``guardrailConfig`` and InvokeModel's
guardrail headers all use — topics, content filters, words, sensitive information, contextual grounding."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from . import embeddings, guardlex, knowledge, lang


_PII = {
    "EMAIL": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "PHONE": r"(?<!\d)(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,3}\)|\d{2,3})[\s.-]?(?:9\d{4}|\d{3,4})[\s.-]?\d{4}(?!\d)",
    "CREDIT_DEBIT_CARD_NUMBER": r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)",
    "AWS_ACCESS_KEY": r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
    "AWS_SECRET_KEY": r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
    "IP_ADDRESS": r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
    "URL": r"https?://[^\s]+",
    "US_SOCIAL_SECURITY_NUMBER": r"\b\d{3}-\d{2}-\d{4}\b",
    "NAME": r"\b(?:Mr\.|Mrs\.|Ms\.|Sr\.|Sra\.|Dr\.|Dra\.)\s[A-ZÀ-Ý][a-zà-ÿ]+(?:\s[A-ZÀ-Ý][a-zà-ÿ]+)*",
    "PASSWORD": r"(?i)(?:password|senha)\s*[:=]\s*(?P<v>\S+)",
    "USERNAME": r"(?i)(?:username|user name|usu[aá]rio|login)\s*[:=]\s*(?P<v>\S+)",
    "PIN": r"(?i)\bpin\s*[:=]?\s*(?P<v>\d{4,6})\b",
    "AGE": r"(?i)\b\d{1,3}\s*(?:years old|anos de idade|anos)\b",
    "MAC_ADDRESS": r"\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER": r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,4})?\b",
    "CREDIT_DEBIT_CARD_CVV": r"(?i)\b(?:cvv|cvc|c[oó]digo de seguran[cç]a)\s*[:=]?\s*(?P<v>\d{3,4})\b",
    "CREDIT_DEBIT_CARD_EXPIRY": r"(?i)\b(?:exp(?:iry|ires|ira)?|validade|v[aá]lido at[eé])\s*[:=]?\s*(?P<v>(?:0[1-9]|1[0-2])/(?:\d{2}|\d{4}))\b",
    "LICENSE_PLATE": r"\b[A-Z]{3}-?\d[A-Z0-9]\d{2}\b",
}
# The PII types above are detected; the others AWS offers are accepted in a configuration but never detected here.


def _luhn(digits: str) -> bool:
    nums = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(nums) <= 19:
        return False
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return total % 10 == 0


_STRENGTH = {"NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
_CONFIDENCE = ["NONE", "LOW", "MEDIUM", "HIGH"]


def _expanded_stems(text: str) -> set[str]:
    """Stems of a text plus those of the English glossary translations of its words (pt-BR <-> en topics)."""
    out = lang.stems(text)
    _, pt_en = knowledge.glossary()
    for word in lang.content_words(text):
        english = pt_en.get(word)
        if english:
            out |= lang.stems(english)
    return out


# A denied topic is matched by meaning as well as by words: the text is close in meaning to the topic's definition or
# to one of its examples. A topic about advice ("recommendations on where to invest") also needs the text to ask for
# advice — "what is the Selic rate?" is about investing but asks for no recommendation, and must pass.
_TOPIC_MEANING = 0.4
_ADVICE_MEANING = 0.36  # with the request for advice already established, a looser closeness in meaning suffices
_ADVICE_TOPIC = re.compile(r"(recomend|aconselh|conselho|orienta|suger|indica|advice|advis|recommend|suggest)")
_ASKS_ADVICE = re.compile(
    r"\b(devo|deveria|devemos|vale a pena|compensa|recomenda\w*|sugere|sugira|indica|onde (coloco|aplico|invisto|ponho"
    r"|guardo)|em que (invisto|aplico)|qual \w+ (comprar|escolher|investir)|o que (compro|fazer com)|should i|should we|"
    r"would you recommend|do you recommend|recommend|what should|where should|is it worth|which \w+ (to buy|should))\b")


def _topic_by_meaning(topic: dict, text: str) -> bool:
    threshold = _TOPIC_MEANING
    if _ADVICE_TOPIC.search(lang.fold(topic.get("definition", ""))):
        if not _ASKS_ADVICE.search(lang.fold(text)):
            return False
        threshold = _ADVICE_MEANING
    vec = embeddings.embed(text, 512)
    references = [topic.get("definition", "")] + list(topic.get("examples") or [])
    return any(ref and embeddings.cosine(vec, embeddings.embed(ref, 512)) >= threshold for ref in references)


def _enabled(entry: dict, source: str) -> tuple[bool, str]:
    side = "input" if source == "INPUT" else "output"
    enabled = entry.get(f"{side}Enabled", True)
    action = entry.get(f"{side}Action") or entry.get("action") or "BLOCK"
    return bool(enabled), action


@dataclass
class Outcome:
    action: str  # NONE | GUARDRAIL_INTERVENED
    blocked: bool
    texts: list[str]  # the content after masking (or unchanged)
    assessment: dict
    usage: dict
    message: str | None  # the blocked message when blocked
    reason: str | None = None


def evaluate(config: dict, source: str, items: list[dict]) -> Outcome:
    """Apply one guardrail configuration to content items ``[{"text", "qualifiers"}]`` from INPUT or OUTPUT."""
    started = time.perf_counter()
    guarded = [i for i in items if "grounding_source" not in i.get("qualifiers", []) and "query" not in i.get("qualifiers", [])]
    sources = " ".join(i["text"] for i in items if "grounding_source" in i.get("qualifiers", []))
    queries = " ".join(i["text"] for i in items if "query" in i.get("qualifiers", []))
    texts = [i["text"] for i in guarded]
    joined = "\n".join(texts)
    folded = lang.fold(joined)
    folded_words = set(lang.fold(w) for w in lang.words(joined))
    assessment: dict = {}
    blocked = False
    intervened = False

    topics_cfg = (config.get("topicPolicyConfig") or {}).get("topicsConfig") or []
    found_topics = []
    text_stems = _expanded_stems(joined)
    for topic in topics_cfg:
        enabled, action = _enabled(topic, source)
        if not enabled:
            continue
        name_stems = _expanded_stems(topic.get("name", "").replace("-", " ").replace("_", " "))
        def_stems = _expanded_stems(topic.get("definition", ""))
        hit = bool(name_stems) and name_stems <= text_stems
        hit = hit or len(def_stems & text_stems) >= max(2, math.ceil(len(def_stems) * 0.3))
        for example in topic.get("examples") or []:
            ex = _expanded_stems(example)
            if ex and len(ex & text_stems) / len(ex) >= 0.5:
                hit = True
        hit = hit or _topic_by_meaning(topic, joined)
        if hit:
            found_topics.append({"name": topic.get("name"), "type": "DENY", "action": "BLOCKED" if action == "BLOCK" else "NONE", "detected": True})
            blocked |= action == "BLOCK"
            intervened |= action == "BLOCK"
    if found_topics:
        assessment["topicPolicy"] = {"topics": found_topics}

    filters = []
    for f in (config.get("contentPolicyConfig") or {}).get("filtersConfig") or []:
        kind = f.get("type")
        strength = _STRENGTH.get(f.get("inputStrength" if source == "INPUT" else "outputStrength", "NONE"), 0)
        enabled, action = _enabled(f, source)
        if not enabled or strength == 0:
            continue
        if kind == "PROMPT_ATTACK":
            if source != "INPUT":
                continue
            hits = sum(1 for phrase in guardlex.PROMPT_ATTACKS if phrase in folded)
        else:
            lexicon = set(guardlex.CONTENT.get(kind, "").split())
            hits = sum(1 for w in folded_words if w in lexicon)
        if not hits:
            continue
        confidence = 3 if hits >= 2 or kind == "PROMPT_ATTACK" else 2
        # HIGH strength blocks LOW confidence and up; MEDIUM blocks MEDIUM+; LOW blocks HIGH only.
        detected = confidence >= 4 - strength
        if detected:
            filters.append({"type": kind, "confidence": _CONFIDENCE[confidence], "filterStrength": f.get("inputStrength" if source == "INPUT" else "outputStrength"),
                            "action": "BLOCKED" if action == "BLOCK" else "NONE", "detected": True})
            blocked |= action == "BLOCK"
            intervened |= action == "BLOCK"
    if filters:
        assessment["contentPolicy"] = {"filters": filters}

    words_cfg = config.get("wordPolicyConfig") or {}
    custom, managed = [], []
    for word in words_cfg.get("wordsConfig") or []:
        enabled, action = _enabled(word, source)
        phrase = lang.fold(word.get("text", ""))
        if enabled and phrase and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", folded):
            custom.append({"match": word.get("text"), "action": "BLOCKED" if action == "BLOCK" else "NONE", "detected": True})
            blocked |= action == "BLOCK"
            intervened |= action == "BLOCK"
    for lst in words_cfg.get("managedWordListsConfig") or []:
        enabled, action = _enabled(lst, source)
        if enabled and lst.get("type") == "PROFANITY":
            for w in sorted(folded_words & set(guardlex.PROFANITY)):
                managed.append({"match": w, "type": "PROFANITY", "action": "BLOCKED" if action == "BLOCK" else "NONE", "detected": True})
                blocked |= action == "BLOCK"
                intervened |= action == "BLOCK"
    if custom or managed:
        assessment["wordPolicy"] = {"customWords": custom, "managedWordLists": managed}

    sens = config.get("sensitiveInformationPolicyConfig") or {}
    pii_found, regex_found = [], []
    masked = list(texts)
    replacements: list[tuple[str, str]] = []
    # A custom regex is the guardrail owner's own definition of an entity (a CPF, an employee id): where it matches,
    # a built-in type that matches the same characters (an 11-digit CPF read as a PHONE) gives way to it.
    claimed = [m.span() for rx in sens.get("regexesConfig") or [] if _enabled(rx, source)[0]
               for m in re.finditer(rx.get("pattern", "(?!)"), joined)]
    for entity in sens.get("piiEntitiesConfig") or []:
        kind = entity.get("type")
        enabled, action = _enabled(entity, source)
        pattern = _PII.get(kind)
        if not enabled or pattern is None:
            continue
        for m in re.finditer(pattern, joined):
            value = (m.group("v") if "v" in m.groupdict() else m.group(0)).strip()
            if kind == "CREDIT_DEBIT_CARD_NUMBER" and not _luhn(value):
                continue
            if kind == "PHONE" and (_luhn(value) and len(re.sub(r"\D", "", value)) >= 13):
                continue
            if any(m.start() < end and start < m.end() for start, end in claimed):
                continue
            label = {"BLOCK": "BLOCKED", "ANONYMIZE": "ANONYMIZED"}.get(action, "NONE")
            pii_found.append({"match": value, "type": kind, "action": label, "detected": True})
            if action == "BLOCK":
                blocked = intervened = True
            elif action == "ANONYMIZE":
                intervened = True
                replacements.append((value, "{" + kind + "}"))
    for rx in sens.get("regexesConfig") or []:
        enabled, action = _enabled(rx, source)
        if not enabled:
            continue
        for m in re.finditer(rx.get("pattern", "(?!)"), joined):
            label = {"BLOCK": "BLOCKED", "ANONYMIZE": "ANONYMIZED"}.get(action, "NONE")
            regex_found.append({"name": rx.get("name"), "match": m.group(0), "regex": rx.get("pattern"), "action": label, "detected": True})
            if action == "BLOCK":
                blocked = intervened = True
            elif action == "ANONYMIZE":
                intervened = True
                replacements.append((m.group(0), "{" + str(rx.get("name")) + "}"))
    if pii_found or regex_found:
        assessment["sensitiveInformationPolicy"] = {"piiEntities": pii_found, "regexes": regex_found}
    for value, tag in sorted(replacements, key=lambda r: -len(r[0])):
        masked = [t.replace(value, tag) for t in masked]

    grounding_filters = []
    grounding_cfg = (config.get("contextualGroundingPolicyConfig") or {}).get("filtersConfig") or []
    if grounding_cfg and source == "OUTPUT" and sources.strip() and joined.strip():
        from .grounding import scores

        grounding, relevance = scores(joined, sources, queries)
        for f in grounding_cfg:
            if f.get("enabled", True) is False:
                continue
            score = grounding if f.get("type") == "GROUNDING" else relevance
            threshold = float(f.get("threshold", 0))
            detected = score < threshold
            action = f.get("action", "BLOCK")
            grounding_filters.append({"type": f.get("type"), "threshold": threshold, "score": score,
                                      "action": "BLOCKED" if detected and action == "BLOCK" else "NONE", "detected": detected})
            if detected and action == "BLOCK":
                blocked = intervened = True
    if grounding_filters:
        assessment["contextualGroundingPolicy"] = {"filters": grounding_filters}

    chars = len(joined)
    units = max(1, math.ceil(chars / 1000)) if chars else 0
    usage = {
        "topicPolicyUnits": units if topics_cfg else 0,
        "contentPolicyUnits": units if (config.get("contentPolicyConfig") or {}).get("filtersConfig") else 0,
        "wordPolicyUnits": units if words_cfg else 0,
        # Bedrock's pricing charges the managed PII types per 1,000 text units; custom regexes are free.
        "sensitiveInformationPolicyUnits": units if sens.get("piiEntitiesConfig") else 0,
        "sensitiveInformationPolicyFreeUnits": units if sens.get("regexesConfig") else 0,
        "contextualGroundingPolicyUnits": units if grounding_filters else 0,
    }
    assessment["invocationMetrics"] = {
        "guardrailProcessingLatency": max(1, int((time.perf_counter() - started) * 1000)),
        "usage": usage,
        "guardrailCoverage": {"textCharacters": {"guarded": chars, "total": chars}},
    }
    message = None
    if blocked:
        message = config["blockedInputMessaging"] if source == "INPUT" else config["blockedOutputsMessaging"]
    return Outcome(
        action="GUARDRAIL_INTERVENED" if intervened else "NONE",
        blocked=blocked,
        texts=masked,
        assessment=assessment,
        usage=usage,
        message=message,
    )
