"""IAM: roles, their policy documents (inline and attached), trust, and a least-privilege analysis."""

from __future__ import annotations

import fnmatch
import json
import urllib.parse

from botocore.exceptions import ClientError

from . import Context, error_code
from ..text import T


def role(ctx: Context, name: str) -> dict | None:
    try:
        return ctx.client("iam").get_role(RoleName=name)["Role"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise


def _doc(value) -> dict:
    if isinstance(value, str):
        value = json.loads(urllib.parse.unquote(value))
    return value or {}


def role_policies(ctx: Context, name: str) -> list[tuple[str, dict]]:
    """[(where, document)] for every inline and attached managed policy of the role."""
    iam = ctx.client("iam")
    found = []
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        found.append((f"inline:{policy_name}", _doc(doc)))
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        found.append((arn, _doc(doc)))
    return found


def statements(doc: dict) -> list[dict]:
    """Statements with Action/NotAction/Resource/NotResource always as lists."""
    raw = doc.get("Statement", [])
    raw = raw if isinstance(raw, list) else [raw]
    out = []
    for st in raw:
        st = dict(st)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and not isinstance(st[key], list):
                st[key] = [st[key]]
        out.append(st)
    return out


def trusted_services(role_info: dict) -> set[str]:
    services = set()
    for st in statements(_doc(role_info.get("AssumeRolePolicyDocument"))):
        if st.get("Effect") == "Allow":
            principal = st.get("Principal", {})
            value = principal.get("Service", []) if isinstance(principal, dict) else []
            services.update([value] if isinstance(value, str) else value)
    return services


def allows(docs: list[dict], action: str, resource: str = "*") -> bool:
    """Whether an Allow (not overridden by an explicit Deny) matches the action on the resource."""
    def match(patterns, value):
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)

    allowed = denied = False
    for doc in docs:
        for st in statements(doc):
            hit_action = match(st["Action"], action) if "Action" in st else not match(st.get("NotAction", []), action)
            hit_res = match(st["Resource"], resource) if "Resource" in st else not match(st.get("NotResource", []), resource)
            if hit_action and hit_res:
                if st.get("Effect") == "Deny":
                    denied = True
                elif st.get("Effect") == "Allow":
                    allowed = True
    return allowed and not denied


def missing(docs: list[dict], grants: list[tuple[str, str]]) -> list[str]:
    """The ``(action, resource)`` pairs the policies do not allow, as "action resource" lines."""
    return [f"{action} {resource}" for action, resource in grants if not allows(docs, action, resource)]


LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")


def least_privilege_problems(docs: list[dict]) -> list[T]:
    """Broad grants, one readable line each in en and pt-BR: wildcard actions, service:* actions, NotAction, '*'
    resources (CloudWatch Logs actions on '*' are tolerated: AWS's own basic execution policy does that)."""
    found: list[T] = []
    for doc in docs:
        for st in statements(doc):
            if st.get("Effect") != "Allow":
                continue
            if "NotAction" in st:
                found.append(T(f"Allow with NotAction {st['NotAction']} grants everything else",
                               f"Allow com NotAction {st['NotAction']} concede todo o resto"))
            for action in st.get("Action", []):
                if action == "*":
                    found.append(T("Action '*' allows every action of every service",
                                   "Action '*' permite toda ação de todo serviço"))
                elif action.endswith(":*"):
                    service = action.split(":")[0]
                    found.append(T(f"Action '{action}' allows every action of {service}",
                                   f"Action '{action}' permite toda ação do {service}"))
            actions = st.get("Action", [])
            if "*" in st.get("Resource", []) and not all(a.lower().startswith("logs:") for a in actions):
                broad = ", ".join(a for a in actions if not a.lower().startswith("logs:"))
                found.append(T(f"Resource '*' for {broad or 'the statement'}",
                               f"Resource '*' para {broad or 'a instrução'}"))
    return found


def least_privilege_findings(docs: list[dict]) -> list[str]:
    """:func:`least_privilege_problems` in English."""
    return [problem.en for problem in least_privilege_problems(docs)]
