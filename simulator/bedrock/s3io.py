"""How Bedrock's jobs reach S3 with the service role the learner passed: parse s3:// URIs, check what the role
may do (its policies and its trust in bedrock.amazonaws.com), read JSONL inputs and write outputs."""

from __future__ import annotations

from ..core import determinism
from ..core.home import ACCOUNT_ID


def split(uri: str) -> tuple[str, str]:
    """("bucket", "key/prefix") of an s3:// URI."""
    rest = uri[len("s3://"):] if uri.startswith("s3://") else uri
    bucket, _, key = rest.partition("/")
    return bucket, key


def _backend():
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID]["aws"]


def bucket_exists(bucket: str) -> bool:
    try:
        _backend().get_bucket(bucket)
        return True
    except Exception:
        return False


def objects(uri: str, suffix: str = "") -> list[tuple[str, str]]:
    """(bucket, key) of the object the URI names, or of every object under it as a prefix (ending in suffix)."""
    bucket, key = split(uri)
    try:
        found = _backend().get_bucket(bucket)
    except Exception:
        return []
    keys = sorted(k for k in found.keys.keys() if k == key or (k.startswith(key.rstrip("/") + "/") if key else True))
    if key in keys:
        return [(bucket, key)]
    return [(bucket, k) for k in keys if k.endswith(suffix) and not k.endswith("/")]


def read(bucket: str, key: str) -> bytes:
    return _backend().get_object(bucket, key).value


def write(bucket: str, key: str, data: bytes, content_type: str = "application/json") -> None:
    """Put an object as the service would (bucket default encryption applies as moto applies it)."""
    with determinism.unseeded():
        _backend().put_object(bucket, key, data)


def object_key(bucket: str, key: str, region: str) -> str | None:
    """The customer managed KMS key (ARN) an object is encrypted with (SSE-KMS), or None."""
    from ..iam.sse_kms import object_key as stored_key

    try:
        return stored_key(_backend().get_bucket(bucket).keys.get(key), region)
    except Exception:
        return None


def write_key(bucket: str, key_id: str | None, region: str) -> str | None:
    """The customer managed KMS key (ARN) that writing to ``bucket`` encrypts with: ``key_id`` if given, else the
    bucket's default encryption's; None for SSE-S3 or the AWS managed key (no grant needed)."""
    from ..iam.sse_kms import write_key as default_key

    try:
        return default_key(_backend().get_bucket(bucket), key_id, region)
    except Exception:
        return None


def read_key_problem(role_arn: str, bucket: str, key: str, region: str) -> str | None:
    """Why the role cannot read an SSE-KMS object (no kms:Decrypt on its customer managed key), or None."""
    key_arn = object_key(bucket, key, region)
    if key_arn and not role_may(role_arn, "kms:Decrypt", key_arn):
        return f"The role {role_arn} is not authorized to perform kms:Decrypt on {key_arn}, the KMS key of s3://{bucket}/{key}."
    return None


def write_key_problem(role_arn: str, bucket: str, key_id: str | None, region: str) -> str | None:
    """Why the role cannot write encrypted output to ``bucket`` (no kms:GenerateDataKey on the key), or None."""
    key_arn = write_key(bucket, key_id, region)
    if key_arn and not role_may(role_arn, "kms:GenerateDataKey", key_arn):
        return (f"The role {role_arn} is not authorized to perform kms:GenerateDataKey on {key_arn}, the KMS key that "
                f"encrypts the output in s3://{bucket}.")
    return None


def role_problem(role_arn: str, service: str = "bedrock.amazonaws.com") -> str | None:
    """Why the service could not use this role (missing, or not trusting the service), or None."""
    from moto.iam.models import iam_backends

    from ..iam.trust import service_can_assume

    try:
        role = iam_backends[ACCOUNT_ID]["aws"].get_role_by_arn(role_arn)
    except Exception:
        return f"The role {role_arn} does not exist."
    if not service_can_assume(role.assume_role_policy_document, service):
        return f"The trust policy of {role_arn} does not allow {service} to assume the role."
    return None


def role_may(role_arn: str, action: str, resource: str) -> bool:
    """Whether the role's identity policies allow ``action`` on ``resource``."""
    from ..iam import policy, principals

    session = principals.Principal(arn=role_arn, kind="assumed-role", role_arn=role_arn, session_name="bedrock")
    found = principals.identity_policies(session)
    if found is None:
        return False
    return policy.evaluate(found, action, resource).allowed


def object_arn(bucket: str, key: str = "*") -> str:
    return f"arn:aws:s3:::{bucket}/{key}"
