"""Read an S3 data source as the knowledge base's service role: list, read, decrypt, parse, pair sidecars.

Each step is judged against the role's policies as S3 and KMS would judge the role's own calls:
``s3:ListBucket`` on the bucket, ``s3:GetObject`` on each object, ``kms:Decrypt`` on the key of an SSE-KMS object.
A denied listing fails the whole job; a denied object fails that file, with AWS's AccessDenied sentence as reason.
``<file>.metadata.json`` sidecars give the file's metadata attributes (for filtering and in results).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..core.home import ACCOUNT_ID
from ..iam.actions import Access
from . import documents

SESSION_NAME = "BedrockKnowledgeBaseIngestion"
METADATA_SUFFIX = ".metadata.json"
MAX_METADATA_BYTES = 10 * 1024


@dataclass
class SourceDocument:
    uri: str
    key: str
    size: int
    digest: str  # content hash (with the sidecar's): a change means "modified"
    text: str
    metadata: dict = field(default_factory=dict)


@dataclass
class Scan:
    documents: list[SourceDocument] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (uri, reason)
    metadata_scanned: int = 0
    metadata_digests: dict[str, str] = field(default_factory=dict)
    fatal: str | None = None
    bytes_read: int = 0


def _denial(role_arn: str, access: Access) -> str | None:
    from ..iam.authorizer import service_role_denial

    return service_role_denial(role_arn, SESSION_NAME, access)


def _key_arn(key_id: str | None, region: str) -> str | None:
    from ..iam.sse_kms import _key_arn as resolve

    return resolve(key_id or "aws/s3", region)


def parse_metadata(raw: bytes) -> dict:
    """The attributes of a ``.metadata.json`` sidecar: plain values, or AWS's typed ``{"value": {...}}`` form."""
    if len(raw) > MAX_METADATA_BYTES:
        raise documents.Unreadable("the metadata file is larger than 10 KB")
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise documents.Unreadable(f"the metadata file is not valid JSON ({exc})") from None
    attributes = body.get("metadataAttributes") if isinstance(body, dict) else None
    if not isinstance(attributes, dict):
        raise documents.Unreadable('the metadata file has no "metadataAttributes" object')
    out = {}
    for key, value in attributes.items():
        if isinstance(value, dict) and isinstance(value.get("value"), dict):
            typed = value["value"]
            kind = typed.get("type")
            value = {"STRING": typed.get("stringValue"), "NUMBER": typed.get("numberValue"),
                     "BOOLEAN": typed.get("booleanValue"), "STRING_LIST": typed.get("stringListValue")}.get(kind)
        if isinstance(value, bool) or isinstance(value, (int, float, str)):
            out[key] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = list(value)
        else:
            raise documents.Unreadable(f"the metadata attribute {key!r} is not a string, number, boolean or list of strings")
    return out


def scan(role_arn: str, bucket_arn: str, prefixes: list[str], region: str) -> Scan:
    """Everything the role can read under the data source's bucket and prefixes."""
    from moto.s3.models import FakeDeleteMarker, s3_backends

    result = Scan()
    bucket_name = bucket_arn.split(":::", 1)[-1]
    bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(bucket_name)
    if bucket is None:
        result.fatal = f"The specified bucket does not exist: {bucket_name} (NoSuchBucket)"
        return result
    denied = _denial(role_arn, Access("s3:ListBucket", f"arn:aws:s3:::{bucket_name}"))
    if denied:
        result.fatal = f"Failed to list objects in s3://{bucket_name}/{prefixes[0] if prefixes else ''}: {denied}"
        return result
    objects = {}
    for name, key in list(bucket.keys.items()):
        if isinstance(key, FakeDeleteMarker) or key is None:
            continue
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        if name.endswith("/") and not key.size:
            continue  # a "folder" placeholder
        objects[name] = key
    sidecars = {n[: -len(METADATA_SUFFIX)]: k for n, k in objects.items() if n.endswith(METADATA_SUFFIX)}
    for name in sorted(objects):
        if name.endswith(METADATA_SUFFIX):
            continue
        key = objects[name]
        uri = f"s3://{bucket_name}/{name}"
        data, reason = _read(role_arn, bucket_name, name, key, region)
        if reason:
            result.failed.append((uri, reason))
            continue
        result.bytes_read += len(data)
        try:
            text = documents.text_of(name, data)
        except documents.Unreadable as exc:
            result.failed.append((uri, f"{exc}"))
            continue
        metadata: dict = {}
        meta_digest = ""
        sidecar = sidecars.get(name)
        if sidecar is not None:
            result.metadata_scanned += 1
            raw, reason = _read(role_arn, bucket_name, name + METADATA_SUFFIX, sidecar, region)
            if reason:
                result.failed.append((uri + METADATA_SUFFIX, reason))
                continue
            try:
                metadata = parse_metadata(raw)
            except documents.Unreadable as exc:
                result.failed.append((uri + METADATA_SUFFIX, str(exc)))
                continue
            meta_digest = hashlib.sha256(raw).hexdigest()
            result.metadata_digests[uri] = meta_digest
        digest = hashlib.sha256(data).hexdigest()
        result.documents.append(SourceDocument(uri, name, len(data), digest, text, metadata))
    return result


def _read(role_arn: str, bucket: str, name: str, key, region: str) -> tuple[bytes, str | None]:
    """The object's bytes as the role reads them, or the reason it cannot."""
    denied = _denial(role_arn, Access("s3:GetObject", f"arn:aws:s3:::{bucket}/{name}"))
    if denied:
        return b"", f"{denied} (Service: S3, Status Code: 403, Error Code: AccessDenied)"
    if str(getattr(key, "encryption", "") or "").startswith("aws:kms"):
        arn = _key_arn(getattr(key, "kms_key_id", None), region)
        if arn:
            denied = _denial(role_arn, Access("kms:Decrypt", arn))
            if denied:
                return b"", f"{denied} (Service: KMS, Status Code: 400, Error Code: AccessDeniedException)"
            state = _key_state(arn, region)
            if state and state != "Enabled":
                return b"", (f"{arn} is {'disabled' if state == 'Disabled' else 'pending deletion'}. (Service: KMS, "
                             "Status Code: 400, Error Code: " + ("DisabledException)" if state == "Disabled" else "KMSInvalidStateException)"))
    return bytes(key.value), None


def _key_state(arn: str, region: str) -> str | None:
    from moto.kms.models import kms_backends

    try:
        return kms_backends[ACCOUNT_ID][region].describe_key(arn).key_state
    except Exception:
        return None
