"""Who is calling: the principal behind a request's access key, as AWS would name it."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.home import ACCOUNT_ID


@dataclass(frozen=True)
class Principal:
    arn: str
    #: "root" (the learner's default credentials), "assumed-role" or "user".
    kind: str
    role_arn: str | None = None
    session_name: str | None = None
    user_name: str | None = None


ROOT = Principal(arn=f"arn:aws:iam::{ACCOUNT_ID}:root", kind="root")


def resolve(access_key: str | None) -> Principal:
    """The principal for an access key: an STS role session, an IAM user's key, else the account root."""
    if not access_key or not access_key.startswith(("ASIA", "AKIA")):
        # The learner's default credentials (test/test) or any dummy key: only moto's STS sessions (ASIA...) and
        # IAM users' keys (AKIA...) name another principal. Skipping moto here keeps every request cheap.
        return ROOT
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    sts = sts_backends[ACCOUNT_ID]["aws"]
    role = sts.get_assumed_role_from_access_key(access_key)
    if role is not None:
        role_name = role.role_arn.split("/")[-1]
        arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/{role.session_name}"
        return Principal(arn=arn, kind="assumed-role", role_arn=role.role_arn, session_name=role.session_name)
    iam = iam_backends[ACCOUNT_ID]["aws"]
    key = iam.access_keys.get(access_key)
    if key is not None:
        user_name = getattr(key, "user_name", None)
        if user_name:
            return Principal(arn=f"arn:aws:iam::{ACCOUNT_ID}:user/{user_name}", kind="user", user_name=user_name)
    return ROOT


def caller_arn(access_key: str | None) -> str:
    return resolve(access_key).arn


def identity_policies(principal: Principal) -> list[tuple[str, object]] | None:
    """The identity policies of a role session or an IAM user (inline, attached, and the user's groups'), as
    ``(name, document)``; None when the identity no longer exists. The root gets None: it is never restricted."""
    from ..core import motoseam

    holders: list = []
    if principal.kind == "assumed-role" and principal.role_arn:
        role = motoseam.iam_role_by_arn(principal.role_arn)
        holders = [role] if role is not None else []
    elif principal.kind == "user" and principal.user_name:
        holders = motoseam.iam_user_and_groups(principal.user_name)
    if not holders:
        return None
    found: list[tuple[str, object]] = []
    for holder in holders:
        found += [(f"inline policy {name}", doc) for name, doc in holder.policies.items()]
        for arn, managed in holder.managed_policies.items():
            version = next((v for v in managed.versions if v.is_default), None)
            if version is not None:
                found.append((f"managed policy {arn}", version.document))
    return found


def session_limits(principal: Principal) -> list[tuple[str, list[tuple[str, object]]]]:
    """Policies that can only narrow a role session: its role's permissions boundary and the session policy
    passed to AssumeRole, as ``(kind, [(name, document)])``; an action must be allowed by each of them too."""
    if principal.kind != "assumed-role" or not principal.role_arn:
        return []
    from moto.sts.models import sts_backends

    limits: list[tuple[str, list[tuple[str, object]]]] = []
    from ..core import motoseam

    role = motoseam.iam_role_by_arn(principal.role_arn)
    if role is None:
        return []
    boundary = getattr(role, "permissions_boundary_arn", None)
    if boundary:
        managed = motoseam.iam_managed_policy(boundary)
        version = next((v for v in managed.versions if v.is_default), None) if managed is not None else None
        if version is not None:
            limits.append(("permissions boundary", [(f"permissions boundary {boundary}", version.document)]))
        else:  # a boundary that names no policy allows nothing
            limits.append(("permissions boundary", []))
    sts = sts_backends[ACCOUNT_ID]["aws"]
    for assumed in getattr(sts, "assumed_roles", []):
        if assumed.role_arn == principal.role_arn and assumed.session_name == principal.session_name and \
                getattr(assumed, "policy", None):
            limits.append(("session policy", [("session policy", assumed.policy)]))
            break
    return limits
