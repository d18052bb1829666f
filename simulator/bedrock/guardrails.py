"""Guardrails: the control-plane store (Create/Get/List/Update/Delete/CreateGuardrailVersion) and the one
engine that ApplyGuardrail, Converse's ``guardrailConfig`` and InvokeModel's guardrail headers all use.
"""

from __future__ import annotations

import copy
import math
import re
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..core import determinism
from ..core.home import ACCOUNT_ID
from . import guardlex, knowledge, lang
from .errors import BedrockError, conflict, not_found, validation

_CONFIG_KEYS = ("topicPolicyConfig", "contentPolicyConfig", "wordPolicyConfig", "sensitiveInformationPolicyConfig", "contextualGroundingPolicyConfig")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _new_id() -> str:
    rng = determinism.current_random()
    alphabet = string.ascii_lowercase + string.digits
    pick = rng.choice if rng is not None else __import__("random").SystemRandom().choice
    return "".join(pick(alphabet) for _ in range(12))


# -- the store -----------------------------------------------------------------------------------------------
@dataclass
class Guardrail:
    id: str
    arn: str
    created: str
    updated: str
    draft: dict
    versions: dict[str, dict] = field(default_factory=dict)


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: dict[str, Guardrail] = {}

    def reset(self) -> None:
        with self.lock:
            self.items.clear()

    def _find(self, identifier: str) -> Guardrail:
        gid = identifier.rsplit("/", 1)[-1] if identifier.startswith("arn:") else identifier
        item = self.items.get(gid)
        if item is None:
            raise not_found(f"The guardrail with identifier {identifier} was not found.")
        return item

    def config(self, identifier: str, version: str | None) -> tuple[Guardrail, dict, str]:
        item = self._find(identifier)
        version = str(version or "DRAFT")
        if version == "DRAFT":
            return item, item.draft, version
        if version not in item.versions:
            raise not_found(f"The guardrail {identifier} has no version {version}.")
        return item, item.versions[version], version

    @staticmethod
    def _validate(body: dict) -> dict:
        def fail(where: str, what: str) -> BedrockError:
            return validation(f"1 validation error detected: Value at '{where}' failed to satisfy constraint: {what}")

        def items(policy: str, key: str) -> list:
            section = body.get(policy)
            if section is None:
                return []
            if not isinstance(section, dict) or not isinstance(section.get(key, []), list):
                raise fail(f"{policy}.{key}", "Member must be a list")
            for i, item in enumerate(section.get(key, [])):
                if not isinstance(item, dict):
                    raise fail(f"{policy}.{key}.{i + 1}", "Member must be a structure")
            return section.get(key, [])

        for key in ("name", "blockedInputMessaging", "blockedOutputsMessaging"):
            if not body.get(key) or not isinstance(body.get(key), str):
                raise fail(key, "Member must not be null")
        for i, topic in enumerate(items("topicPolicyConfig", "topicsConfig")):
            if not isinstance(topic.get("name"), str) or not isinstance(topic.get("definition", ""), str):
                raise fail(f"topicPolicyConfig.topicsConfig.{i + 1}.name", "Member must be a string")
            if not isinstance(topic.get("examples", []), list) or not all(isinstance(e, str) for e in topic.get("examples", [])):
                raise fail(f"topicPolicyConfig.topicsConfig.{i + 1}.examples", "Member must be a list of strings")
        strengths = set(_STRENGTH)
        for i, f in enumerate(items("contentPolicyConfig", "filtersConfig")):
            if f.get("type") not in guardlex.CONTENT:
                raise fail(f"contentPolicyConfig.filtersConfig.{i + 1}.type", f"Member must satisfy enum value set: [{', '.join(guardlex.CONTENT)}]")
            for side in ("inputStrength", "outputStrength"):
                if f.get(side, "NONE") not in strengths:
                    raise fail(f"contentPolicyConfig.filtersConfig.{i + 1}.{side}", "Member must satisfy enum value set: [NONE, LOW, MEDIUM, HIGH]")
            if f.get("type") == "PROMPT_ATTACK" and f.get("outputStrength", "NONE") != "NONE":
                raise validation("PromptAttack filter output strength must be NONE.")
        for i, word in enumerate(items("wordPolicyConfig", "wordsConfig")):
            if not isinstance(word.get("text"), str) or not word["text"].strip():
                raise fail(f"wordPolicyConfig.wordsConfig.{i + 1}.text", "Member must be a non-empty string")
        for i, lst in enumerate(items("wordPolicyConfig", "managedWordListsConfig")):
            if lst.get("type") != "PROFANITY":
                raise fail(f"wordPolicyConfig.managedWordListsConfig.{i + 1}.type", "Member must satisfy enum value set: [PROFANITY]")
        actions = {"BLOCK", "ANONYMIZE", "NONE"}
        for i, entity in enumerate(items("sensitiveInformationPolicyConfig", "piiEntitiesConfig")):
            if not isinstance(entity.get("type"), str) or entity.get("action") not in actions:
                raise fail(f"sensitiveInformationPolicyConfig.piiEntitiesConfig.{i + 1}", "Member must have a type and an action in [BLOCK, ANONYMIZE, NONE]")
        for i, rx in enumerate(items("sensitiveInformationPolicyConfig", "regexesConfig")):
            if not isinstance(rx.get("name"), str) or not isinstance(rx.get("pattern"), str) or rx.get("action") not in actions:
                raise fail(f"sensitiveInformationPolicyConfig.regexesConfig.{i + 1}", "Member must have a name, a pattern and an action in [BLOCK, ANONYMIZE, NONE]")
            try:
                re.compile(rx["pattern"])
            except re.error as exc:
                raise validation(f"The regex pattern for {rx['name']} is not valid: {exc}") from None
        for i, f in enumerate(items("contextualGroundingPolicyConfig", "filtersConfig")):
            if f.get("type") not in ("GROUNDING", "RELEVANCE"):
                raise fail(f"contextualGroundingPolicyConfig.filtersConfig.{i + 1}.type", "Member must satisfy enum value set: [GROUNDING, RELEVANCE]")
            threshold = f.get("threshold")
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold < 1:
                raise validation("The contextual grounding threshold must be a number at least 0 and less than 1.")
        return {k: copy.deepcopy(v) for k, v in body.items() if k not in ("clientRequestToken", "guardrailIdentifier", "tags")}

    def create(self, body: dict, region: str) -> dict:
        config = self._validate(body)
        with self.lock:
            if any(g.draft.get("name") == config["name"] for g in self.items.values()):
                raise conflict(f"A guardrail with the name {config['name']} already exists.")
            gid = _new_id()
            now = _now()
            arn = f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:guardrail/{gid}"
            self.items[gid] = Guardrail(gid, arn, now, now, config)
        return {"guardrailId": gid, "guardrailArn": arn, "version": "DRAFT", "createdAt": now}

    def update(self, identifier: str, body: dict) -> dict:
        config = self._validate(body)
        with self.lock:
            item = self._find(identifier)
            item.draft = config
            item.updated = _now()
        return {"guardrailId": item.id, "guardrailArn": item.arn, "version": "DRAFT", "updatedAt": item.updated}

    def create_version(self, identifier: str, description: str | None) -> dict:
        with self.lock:
            item = self._find(identifier)
            number = str(len(item.versions) + 1)
            snapshot = copy.deepcopy(item.draft)
            if description is not None:
                snapshot["description"] = description
            item.versions[number] = snapshot
        return {"guardrailId": item.id, "version": number}

    def delete(self, identifier: str, version: str | None) -> None:
        with self.lock:
            item = self._find(identifier)
            if version and version != "DRAFT":
                if item.versions.pop(str(version), None) is None:
                    raise not_found(f"The guardrail {identifier} has no version {version}.")
            else:
                del self.items[item.id]

    def describe(self, identifier: str, version: str | None) -> dict:
        item, config, version = self.config(identifier, version)
        out = {
            "name": config["name"], "guardrailId": item.id, "guardrailArn": item.arn, "version": version,
            "status": "READY", "createdAt": item.created, "updatedAt": item.updated,
            "blockedInputMessaging": config["blockedInputMessaging"], "blockedOutputsMessaging": config["blockedOutputsMessaging"],
        }
        if config.get("description"):
            out["description"] = config["description"]
        topics = (config.get("topicPolicyConfig") or {}).get("topicsConfig")
        if topics:
            out["topicPolicy"] = {"topics": [dict({"examples": [], "type": "DENY"}, **t) for t in topics]}
        filters = (config.get("contentPolicyConfig") or {}).get("filtersConfig")
        if filters:
            out["contentPolicy"] = {"filters": filters}
        words = config.get("wordPolicyConfig") or {}
        if words:
            out["wordPolicy"] = {"words": words.get("wordsConfig", []), "managedWordLists": words.get("managedWordListsConfig", [])}
        sens = config.get("sensitiveInformationPolicyConfig") or {}
        if sens:
            out["sensitiveInformationPolicy"] = {"piiEntities": sens.get("piiEntitiesConfig", []), "regexes": sens.get("regexesConfig", [])}
        grounding = (config.get("contextualGroundingPolicyConfig") or {}).get("filtersConfig")
        if grounding:
            out["contextualGroundingPolicy"] = {"filters": grounding}
        return out

    def summaries(self, identifier: str | None) -> list[dict]:
        out = []
        for item in sorted(self.items.values(), key=lambda g: g.created):
            if identifier:
                if item.id != identifier.rsplit("/", 1)[-1]:
                    continue
                versions = ["DRAFT", *item.versions]
            else:
                versions = ["DRAFT"]
            for version in versions:
                cfg = item.draft if version == "DRAFT" else item.versions[version]
                entry = {"id": item.id, "arn": item.arn, "status": "READY", "name": cfg["name"], "version": version,
                         "createdAt": item.created, "updatedAt": item.updated}
                if cfg.get("description"):
                    entry["description"] = cfg["description"]
                out.append(entry)
        return out


# -- the engine ----------------------------------------------------------------------------------------------
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
    "PASSWORD": r"(?i)(?:password|senha)\s*[:=]\s*\S+",
}


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
    for entity in sens.get("piiEntitiesConfig") or []:
        kind = entity.get("type")
        enabled, action = _enabled(entity, source)
        pattern = _PII.get(kind)
        if not enabled or pattern is None:
            continue
        for m in re.finditer(pattern, joined):
            value = m.group(0).strip()
            if kind == "CREDIT_DEBIT_CARD_NUMBER" and not _luhn(value):
                continue
            if kind == "PHONE" and (_luhn(value) and len(re.sub(r"\D", "", value)) >= 13):
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
        answer = lang.stems(joined)
        source_stems = lang.stems(sources)
        query_stems = lang.stems(queries)
        grounding = round(len(answer & source_stems) / len(answer), 2) if answer else 1.0
        relevance = round(min(1.0, 0.3 + len(answer & query_stems) / max(1, len(query_stems))), 2) if query_stems else 1.0
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
        "sensitiveInformationPolicyUnits": units if sens.get("regexesConfig") else 0,
        "sensitiveInformationPolicyFreeUnits": units if sens.get("piiEntitiesConfig") else 0,
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


def check_identifier(identifier: str | None, version: str | None) -> None:
    if identifier and not version:
        raise validation("A guardrail version is required when a guardrail identifier is given.")
    if version and not identifier:
        raise validation("A guardrail identifier is required when a guardrail version is given.")


__all__ = ["Store", "evaluate", "Outcome", "BedrockError", "check_identifier"]
