"""KMS: resolve a key given as id, key ARN, alias or alias ARN; aliases; who manages a key."""

from __future__ import annotations

from botocore.exceptions import ClientError

from . import Context, error_code


def describe(ctx: Context, key_ref: str) -> dict | None:
    """KeyMetadata for a key id, key ARN, alias name or alias ARN; None when nothing matches."""
    cache = ctx.cache.setdefault("kms.describe", {})
    if key_ref not in cache:
        try:
            cache[key_ref] = ctx.client("kms").describe_key(KeyId=key_ref)["KeyMetadata"]
        except ClientError as exc:
            if error_code(exc) in ("NotFoundException", "InvalidArnException", "ValidationException"):
                cache[key_ref] = None
            else:
                raise
    return cache[key_ref]


def aliases(ctx: Context) -> list[dict]:
    if "kms.aliases" not in ctx.cache:
        found, kwargs = [], {}
        while True:
            page = ctx.client("kms").list_aliases(**kwargs)
            found.extend(page.get("Aliases", []))
            if not page.get("Truncated"):
                break
            kwargs["Marker"] = page["NextMarker"]
        ctx.cache["kms.aliases"] = found
    return ctx.cache["kms.aliases"]


def alias_target(ctx: Context, alias: str) -> str | None:
    """The key id an alias points to (None when the alias does not exist)."""
    name = alias if alias.startswith("alias/") else "alias/" + alias
    return next((a.get("TargetKeyId") for a in aliases(ctx) if a["AliasName"] == name), None)


def aliases_of(ctx: Context, key_id: str) -> list[str]:
    found = [a["AliasName"] for a in aliases(ctx) if a.get("TargetKeyId") == key_id]
    if not found:  # AWS managed keys appear on first use: the cached list may predate this one
        ctx.cache.pop("kms.aliases", None)
        found = [a["AliasName"] for a in aliases(ctx) if a.get("TargetKeyId") == key_id]
    return found


def key_manager(ctx: Context, key_id: str) -> str:
    """'AWS' or 'CUSTOMER'. Keys behind an ``alias/aws/...`` alias are AWS managed whatever the backend says."""
    if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
        return "AWS"
    meta = describe(ctx, key_id)
    if meta is None:
        return "UNKNOWN"
    if meta.get("KeyManager") == "AWS" or any(a.startswith("alias/aws/") for a in aliases_of(ctx, meta["KeyId"])):
        return "AWS"
    return "CUSTOMER"


def same_key(ctx: Context, ref_a: str, ref_b: str) -> bool:
    a, b = describe(ctx, ref_a), describe(ctx, ref_b)
    return a is not None and b is not None and a["KeyId"] == b["KeyId"]


def is_symmetric_encryption_key(meta: dict) -> bool:
    """What SSE-KMS needs: a symmetric key for encrypt/decrypt (an RSA, ECC or HMAC key cannot encrypt S3 data)."""
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    return spec == "SYMMETRIC_DEFAULT" and (meta.get("KeyUsage") or "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
