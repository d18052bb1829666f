"""S3 with SSE-KMS under a customer managed key: the caller also needs the key (as in AWS).

Writing an object encrypted with a customer managed KMS key needs ``kms:GenerateDataKey`` on the key; reading it
needs ``kms:Decrypt``. The key comes from the request's SSE headers or the bucket's default encryption (for a
write) or from the stored object (for a read). The AWS managed ``aws/s3`` key needs no grant. Key policies are
taken to be the default one, which defers to IAM policies.
"""

from __future__ import annotations

from urllib.parse import unquote

from ..core.home import ACCOUNT_ID
from .actions import Access


def _key_arn(key_id: str | None, region: str) -> str | None:
    if not key_id or key_id in ("aws/s3", "alias/aws/s3"):
        return None
    from ..core import motoseam

    resolved = motoseam.kms_key_id(key_id, region)
    if resolved is None:
        return None
    return resolved if resolved.startswith("arn:") else f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{resolved}"


def _bucket_default_key(bucket) -> str | None:
    rules = (getattr(bucket, "encryption", None) or {}).get("Rule") or []
    for rule in rules if isinstance(rules, list) else [rules]:
        default = (rule or {}).get("ApplyServerSideEncryptionByDefault") or {}
        if str(default.get("SSEAlgorithm", "")).startswith("aws:kms"):
            return default.get("KMSMasterKeyID") or "aws/s3"
    return None


def object_key(stored, region: str) -> str | None:
    """The customer managed key (ARN) a stored S3 object is encrypted with, or None (SSE-S3, aws/s3, none)."""
    if stored is None or not str(getattr(stored, "encryption", "") or "").startswith("aws:kms"):
        return None
    return _key_arn(getattr(stored, "kms_key_id", None) or "aws/s3", region)


def write_key(bucket, key_id: str | None, region: str) -> str | None:
    """The customer managed key (ARN) a write encrypts with: ``key_id`` when given, else the bucket's default."""
    return _key_arn(key_id or _bucket_default_key(bucket), region)


def key_access(info, access: Access) -> Access | None:
    """The KMS permission an S3 request also needs, or None."""
    if access.action not in ("s3:PutObject", "s3:GetObject") or not access.resource:
        return None
    if access.action == "s3:PutObject" and ("partNumber" in info.request.args or "uploadId" in info.request.args):
        return None  # the data key was made when the multipart upload was created
    if access.action == "s3:GetObject" and info.method == "HEAD":
        return None
    from moto.s3.models import s3_backends

    parts = info.path.lstrip("/").split("/", 1)
    if len(parts) < 2:
        return None
    bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(unquote(parts[0]))
    if bucket is None:
        return None
    region = info.region or "us-east-1"
    if access.action == "s3:PutObject":
        if info.headers.get("x-amz-server-side-encryption", "").startswith("aws:kms"):
            key_id = info.headers.get("x-amz-server-side-encryption-aws-kms-key-id") or "aws/s3"
        elif info.headers.get("x-amz-server-side-encryption"):
            return None  # SSE-S3 asked for explicitly
        else:
            key_id = _bucket_default_key(bucket)
        arn = _key_arn(key_id, region)
        return Access("kms:GenerateDataKey", arn) if arn else None
    arn = object_key(bucket.keys.get(unquote(parts[1])), region)
    return Access("kms:Decrypt", arn) if arn else None
