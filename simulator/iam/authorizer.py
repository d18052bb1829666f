"""Least privilege that bites: requests signed with a role session (or an IAM user's key) are judged against
that identity's policies.

Registered as a cloud authorizer (called before any dispatch, so it covers moto's services and ours alike).
The learner's default credentials (the account root) are never restricted.
"""

from __future__ import annotations

import json
import logging

from werkzeug.wrappers import Response

from ..core import awserrors
from ..core.extensions import Extension
from . import actions, policy, principals, sse_kms

log = logging.getLogger("gailab.simulator.iam")


def denial_message(principal_arn: str, access: actions.Access, decision: policy.Decision | None,
                   limit_kind: str | None = None, *, quote_resource: bool = False) -> str:
    """AWS's AccessDenied sentence: who, which action on which resource, and which policy kind decided."""
    resource = access.resource or "*"
    kind = limit_kind or "identity-based policy"
    if decision is not None and decision.explicit_deny:
        article = "an" if kind[0] in "aeiou" else "a"
        reason = f"with an explicit deny in {article} {kind} ({decision.policy})"
    else:
        reason = f"because no {kind} allows the {access.action} action"
    shown = f'"{resource}"' if quote_resource else resource  # S3 quotes the ARN, other services do not
    message = f"User: {principal_arn} is not authorized to perform: {access.action} on resource: {shown} {reason}"
    if decision is not None and decision.unevaluated:
        message += f". The local cloud does not evaluate these policy conditions: {'; '.join(decision.unevaluated)}"
    return message


def _denied(info, principal, access: actions.Access, decision: policy.Decision | None, why: str = "",
            limit_kind: str | None = None) -> Response:
    service = info.service or "s3"
    message = denial_message(principal.arn, access, decision, limit_kind, quote_resource=service == "s3")
    headers = {}
    if decision is not None and decision.unevaluated:
        headers["x-gailab-unevaluated-conditions"] = "; ".join(decision.unevaluated)[:1000]
    if why:
        message += f". {why}"
    shape = awserrors.service_shape(service)
    code = "AccessDeniedException" if shape.protocol in ("json", "rest-json") else "AccessDenied"
    return awserrors.error_response(service, code, message, 403, extra_headers=headers)


def service_role_denial(role_arn: str, session_name: str, access: actions.Access) -> str | None:
    """Why a service acting with ``role_arn`` (a knowledge base reading S3, ...) may not do ``access``, or None.

    The role's identity policies and permissions boundary decide, as for any session of the role."""
    role_name = role_arn.rsplit("/", 1)[-1]
    arn = f"{role_arn.split(':role/')[0].replace(':iam:', ':sts:')}:assumed-role/{role_name}/{session_name}"
    principal = principals.Principal(arn=arn, kind="assumed-role", role_arn=role_arn, session_name=session_name)
    found = principals.identity_policies(principal)
    if found is None:
        return f"The role {role_arn} does not exist"
    context = {"aws:PrincipalArn": role_arn, "aws:PrincipalType": "AssumedRole", "aws:SecureTransport": "true"}
    decision = policy.evaluate(found, access.action, access.resource, context)
    if not decision.allowed:
        return denial_message(arn, access, decision, quote_resource=access.action.startswith("s3:"))
    for kind, documents in principals.session_limits(principal):
        limit = policy.evaluate(documents, access.action, access.resource, context)
        if not limit.allowed:
            return denial_message(arn, access, limit, kind, quote_resource=access.action.startswith("s3:"))
    return None


def _passed_role(info, access: actions.Access) -> actions.Access | None:
    """Giving a function a role is passing it: the caller also needs iam:PassRole on that role."""
    if access.action not in ("lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"):
        return None
    try:
        role = json.loads(info.body or b"{}").get("Role")
    except (ValueError, AttributeError):
        return None
    return actions.Access("iam:PassRole", role) if isinstance(role, str) and role else None


def authorize(info) -> Response | None:
    """The cloud authorizer: None lets the request through, a Response (403) denies it."""
    if info.replaying or not info.access_key:
        return None
    principal = principals.resolve(info.access_key)
    if principal.kind not in ("assumed-role", "user"):
        return None
    access = actions.describe(info)
    if access is None:
        unknown = actions.Access(f"{info.service or 's3'}:{info.method} {info.path}", None)
        return _denied(info, principal, unknown, None,
                       "The local cloud could not tell which IAM action this request performs, so it denies it")
    if actions.always_allowed(access.action):
        return None
    found = principals.identity_policies(principal)
    if found is None:
        return _denied(info, principal, access, None, f"The identity {principal.arn} no longer exists")
    context = {
        "aws:RequestedRegion": info.region,
        "aws:PrincipalArn": principal.role_arn or principal.arn,
        "aws:PrincipalAccount": principal.arn.split(":")[4],
        "aws:PrincipalType": "AssumedRole" if principal.kind == "assumed-role" else "User",
        "aws:SecureTransport": "false",
        "aws:userid": f"{principal.session_name}",
    }
    decision = policy.evaluate(found, access.action, access.resource, context)
    if not decision.allowed:
        log.info("denied %s on %s for %s", access.action, access.resource, principal.arn)
        return _denied(info, principal, access, decision)
    for kind, documents in principals.session_limits(principal):
        limit = policy.evaluate(documents, access.action, access.resource, context)
        if not limit.allowed:
            return _denied(info, principal, access, limit, limit_kind=kind)
    passed = _passed_role(info, access)
    for needed in ([passed] if passed is not None else []) + actions.also_needed(info, access):
        decision = policy.evaluate(found, needed.action, needed.resource, context)
        if not decision.allowed:
            return _denied(info, principal, needed, decision)
    if info.service in (None, "s3"):
        key = sse_kms.key_access(info, access)
        if key is not None:
            decision = policy.evaluate(found, key.action, key.resource, context)
            if not decision.allowed:
                return _denied(info, principal, key, decision)
    return None


class IamExtension(Extension):
    """Installs the authorizer; takes no request itself."""

    name = "iam-enforcement"

    def attach(self, cloud) -> None:
        super().attach(cloud)
        if authorize not in cloud.authorizers:
            cloud.authorizers.append(authorize)


def factory() -> IamExtension:
    return IamExtension()
