"""Identity-policy evaluation as IAM does it: an explicit Deny wins, else an Allow, else the implicit deny.

Action/NotAction (case-insensitive) and Resource/NotResource (case-sensitive) take ``*`` and ``?`` wildcards.
Conditions are evaluated for the string, ARN and Bool operators on the context keys we know; any other
condition is *unevaluated*, and the decision says so: a Deny with an unevaluated condition still denies, an
Allow with one grants nothing, and the reason names the condition — never a silent allow or deny.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = True) -> bool:
    return bool(_pattern(pattern, ignore_case).match(value))


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class Decision:
    allowed: bool
    explicit_deny: bool = False
    #: "policy-name: operator key" for each condition that decided nothing because we cannot evaluate it.
    unevaluated: list[str] = field(default_factory=list)
    #: The policy whose statement decided (Deny or Allow), if any.
    policy: str | None = None


_STRING_OPS = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringNotEqualsIgnoreCase": lambda want, got: want.lower() != got.lower(),
    "StringLike": lambda want, got: matches(want, got, ignore_case=False),
    "StringNotLike": lambda want, got: not matches(want, got, ignore_case=False),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": lambda want, got: matches(want, got, ignore_case=False),
    "ArnNotEquals": lambda want, got: want != got,
    "ArnNotLike": lambda want, got: not matches(want, got, ignore_case=False),
    "Bool": lambda want, got: str(want).lower() == str(got).lower(),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _conditions(block, context: dict) -> tuple[bool, list[str]]:
    """(all evaluable conditions hold, the ones we could not evaluate)."""
    unevaluated: list[str] = []
    holds = True
    for operator, pairs in (block or {}).items():
        base = operator[:-8] if operator.endswith("IfExists") else operator
        if base not in _STRING_OPS or ":" in base or not isinstance(pairs, dict):
            unevaluated += [f"{operator} {key}" for key in (pairs or {})] if isinstance(pairs, dict) else [operator]
            continue
        for key, wanted in pairs.items():
            got = context.get(key.lower())
            if got is None:
                if operator.endswith("IfExists"):
                    continue
                unevaluated.append(f"{operator} {key}")
                continue
            test = _STRING_OPS[base]
            values = [str(w) for w in _as_list(wanted)]
            ok = all(test(w, got) for w in values) if base in _NEGATED else any(test(w, got) for w in values)
            holds = holds and ok
    return holds, unevaluated


def _statement_applies(statement: dict, action: str, resource: str | None) -> bool:
    if "NotAction" in statement:
        if any(matches(p, action) for p in _as_list(statement["NotAction"])):
            return False
    elif not any(matches(p, action) for p in _as_list(statement.get("Action"))):
        return False
    if resource is None:  # the local cloud cannot name this request's resource: judge on the action only
        return True
    if "NotResource" in statement:
        return not any(matches(p, resource, ignore_case=False) for p in _as_list(statement["NotResource"]))
    return any(matches(p, resource, ignore_case=False) for p in _as_list(statement.get("Resource")))


def load(document) -> dict:
    if isinstance(document, dict):
        return document
    text = str(document)
    if text.lstrip().startswith("%"):
        text = unquote(text)
    return json.loads(text)


def evaluate(policies: list[tuple[str, object]], action: str, resource: str | None,
             context: dict | None = None) -> Decision:
    """Decide ``action`` on ``resource`` under the named policy documents (an identity's policies)."""
    ctx = {k.lower(): v for k, v in (context or {}).items()}
    allow_by: str | None = None
    pending_allow: list[str] = []
    deny_unevaluated: tuple[str, list[str]] | None = None
    for name, document in policies:
        try:
            statements = _as_list(load(document).get("Statement"))
        except (ValueError, AttributeError):
            continue
        for statement in statements:
            if not isinstance(statement, dict) or not _statement_applies(statement, action, resource):
                continue
            holds, unevaluated = _conditions(statement.get("Condition"), ctx)
            if not holds:
                continue
            labelled = [f"{name}: {u}" for u in unevaluated]
            if statement.get("Effect") == "Deny":
                if not unevaluated:
                    return Decision(False, explicit_deny=True, policy=name)
                deny_unevaluated = deny_unevaluated or (name, labelled)
            elif statement.get("Effect") == "Allow":
                if unevaluated:
                    pending_allow += labelled
                elif allow_by is None:
                    allow_by = name
    if deny_unevaluated is not None:
        return Decision(False, explicit_deny=True, unevaluated=deny_unevaluated[1], policy=deny_unevaluated[0])
    if allow_by is not None:
        return Decision(True, policy=allow_by)
    return Decision(False, unevaluated=pending_allow)
