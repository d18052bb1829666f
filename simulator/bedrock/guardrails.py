"""Guardrails: the control-plane store (Create/Get/List/Update/Delete/CreateGuardrailVersion). The engine that
evaluates content is in ``guardcheck.py`` and re-exported here.
"""

from __future__ import annotations

import copy
import re
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..core import determinism
from ..core.home import ACCOUNT_ID
from . import guardlex
from .guardcheck import _STRENGTH, Outcome, evaluate
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



def check_identifier(identifier: str | None, version: str | None) -> None:
    if identifier and not version:
        raise validation("A guardrail version is required when a guardrail identifier is given.")
    if version and not identifier:
        raise validation("A guardrail identifier is required when a guardrail version is given.")


__all__ = ["Store", "evaluate", "Outcome", "BedrockError", "check_identifier"]
