"""Trust policies: whether a service may assume a role (CreateFunction is refused when Lambda may not)."""

from __future__ import annotations

import json
from urllib.parse import unquote

from .policy import matches


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def service_can_assume(document, service: str) -> bool:
    """True when an Allow statement lets ``service`` (e.g. lambda.amazonaws.com) call sts:AssumeRole."""
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document) if document.lstrip().startswith("%") else document)
        except ValueError:
            return False
    allowed = False
    for statement in _as_list((document or {}).get("Statement")):
        if not isinstance(statement, dict):
            continue
        actions = _as_list(statement.get("Action"))
        if not any(matches(a, "sts:AssumeRole") for a in actions if isinstance(a, str)):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            named = True
        elif isinstance(principal, dict):
            named = service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))
        else:
            named = False
        if not named:
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def lambda_cannot_assume(role_arn: str) -> str | None:
    """Why Lambda could not assume this role, or None (also None when the role is unknown: moto says so)."""
    from ..core import motoseam

    role = motoseam.iam_role_by_arn(role_arn)
    if role is None:
        return None
    if service_can_assume(role.assume_role_policy_document, "lambda.amazonaws.com"):
        return None
    return f"the trust policy of {role_arn} does not let lambda.amazonaws.com call sts:AssumeRole"
