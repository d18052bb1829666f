"""S3: bucket existence, default encryption, versioning, Block Public Access, objects."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from . import Context, Fail, T, error_code

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _cached(ctx: Context, key: tuple, read):
    """One read per grading run: the run's checks share ctx.cache (they may run side by side)."""
    if key not in ctx.cache:
        ctx.cache[key] = read()
    return ctx.cache[key]


def bucket_exists(ctx: Context, bucket: str) -> bool:
    def read():
        try:
            ctx.client("s3").head_bucket(Bucket=bucket)
            return True
        except ClientError as exc:
            if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise

    return _cached(ctx, ("s3.exists", bucket), read)


def default_encryption(ctx: Context, bucket: str) -> dict | None:
    """The first default-encryption rule: {"SSEAlgorithm", "KMSMasterKeyID"?, "BucketKeyEnabled"}; None if unset."""
    return _cached(ctx, ("s3.encryption", bucket), lambda: _read_encryption(ctx, bucket))


def _read_encryption(ctx: Context, bucket: str) -> dict | None:
    try:
        conf = ctx.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    except ClientError as exc:
        if error_code(exc) == "ServerSideEncryptionConfigurationNotFoundError":
            return None
        raise
    rules = conf.get("Rules") or []
    if not rules:
        return None
    rule = dict(rules[0].get("ApplyServerSideEncryptionByDefault", {}))
    rule["BucketKeyEnabled"] = bool(rules[0].get("BucketKeyEnabled", False))
    return rule


def versioning(ctx: Context, bucket: str) -> str:
    """'Enabled', 'Suspended' or 'Off' (never configured)."""
    return ctx.client("s3").get_bucket_versioning(Bucket=bucket).get("Status") or "Off"


def public_access_block(ctx: Context, bucket: str) -> dict[str, bool]:
    """The bucket's four Block Public Access flags (all False when none was configured)."""
    try:
        conf = ctx.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            conf = {}
        else:
            raise
    return {flag: bool(conf.get(flag, False)) for flag in PUBLIC_ACCESS_FLAGS}


def get_object(ctx: Context, bucket: str, key: str, limit: int = 1_000_000) -> bytes | None:
    """An object's bytes (at most ``limit``), or None when the bucket or key does not exist."""
    try:
        body = ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as exc:
        if error_code(exc) in ("NoSuchKey", "NoSuchBucket", "404"):
            return None
        raise
    with body:
        return body.read(limit)


def json_document(ctx: Context, bucket: str, key: str) -> tuple[object, Fail | None]:
    """A learner's JSON report: (its parsed content, None), or (None, a Fail saying it is missing or not JSON,
    with the line and column of the first error)."""
    raw = get_object(ctx, bucket, key)
    if raw is None:
        return None, Fail(T(f"s3://{bucket}/{key} not found", f"s3://{bucket}/{key} não foi encontrado"),
                          expected=f"s3://{bucket}/{key}", actual=None)
    try:
        return json.loads(raw), None
    except ValueError as exc:
        where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "?"
        return None, Fail(T(f"{key} is not valid JSON (line:column {where})",
                            f"{key} não é um JSON válido (linha:coluna {where})"),
                          expected="JSON", actual=raw[:80].decode("utf-8", "replace"))


def object_info(ctx: Context, bucket: str, key: str) -> dict | None:
    """HeadObject (size, ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled, ...), or None when it is missing."""
    try:
        return ctx.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if error_code(exc) in ("NoSuchKey", "NoSuchBucket", "404", "NotFound"):
            return None
        raise


def list_keys(ctx: Context, bucket: str, prefix: str = "") -> list[dict]:
    """The objects under ``prefix`` ({Key, Size, LastModified, ...}); [] when the bucket does not exist."""
    found: list[dict] = []
    try:
        for page in ctx.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(page.get("Contents", []))
    except ClientError as exc:
        if error_code(exc) in ("NoSuchBucket", "404"):
            return []
        raise
    return found
