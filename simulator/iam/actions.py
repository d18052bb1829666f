"""Which IAM action a request performs, and on which resource ARN.

The operation comes from the request (X-Amz-Target, Action, or botocore's REST routes, as the router names it);
S3 and the Bedrock runtime have their own action names and resource ARNs. Services we cannot name a resource
for get ``None``: their policies are then judged on the action alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ..core.home import ACCOUNT_ID

_BEDROCK_RUNTIME = re.compile(r"^/model/(?P<model>.+?)/(?P<op>invoke|converse|invoke-with-response-stream|"
                              r"converse-stream|count-tokens)/?$")
_BEDROCK_RUNTIME_ACTIONS = {
    "invoke": "InvokeModel", "converse": "InvokeModel", "count-tokens": "CountTokens",
    "invoke-with-response-stream": "InvokeModelWithResponseStream",
    "converse-stream": "InvokeModelWithResponseStream",
}
_BEDROCK_RUNTIME_OTHER = re.compile(r"^/guardrail/(?P<id>[^/]+)/version/(?P<v>[^/]+)/apply/?$")

# S3 operations whose IAM action has another name.
_S3_ACTIONS = {
    "ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions", "HeadObject": "GetObject", "ListBuckets": "ListAllMyBuckets",
    "CopyObject": "PutObject", "UploadPart": "PutObject", "CreateMultipartUpload": "PutObject",
    "CompleteMultipartUpload": "PutObject", "UploadPartCopy": "PutObject",
    "AbortMultipartUpload": "AbortMultipartUpload", "ListParts": "ListMultipartUploadParts",
    "ListMultipartUploads": "ListBucketMultipartUploads", "DeleteObjects": "DeleteObject",
    "GetBucketEncryption": "GetEncryptionConfiguration", "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock", "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "GetObjectAttributes": "GetObjectAttributes", "SelectObjectContent": "GetObject",
    "PutBucketCors": "PutBucketCORS", "GetBucketCors": "GetBucketCORS", "DeleteBucketCors": "PutBucketCORS",
    "DeleteBucketPolicy": "DeleteBucketPolicy", "DeleteBucketTagging": "PutBucketTagging",
    "GetObjectVersion": "GetObjectVersion",
}
_S3_OBJECT_OPS = {"GetObject", "PutObject", "DeleteObject", "HeadObject", "CopyObject", "UploadPart",
                  "CreateMultipartUpload", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
                  "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "GetObjectAcl", "PutObjectAcl",
                  "RestoreObject", "SelectObjectContent", "GetObjectAttributes", "UploadPartCopy",
                  "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold"}
_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "states": "states"}
#: Allowed whatever the policies say (AWS needs no permission for them).
_ALWAYS = {"sts:GetCallerIdentity"}


@dataclass(frozen=True)
class Access:
    action: str
    resource: str | None


def describe(info) -> Access | None:
    """The action and resource of a request, or None when the local cloud cannot tell the operation."""
    service = info.service or "s3"
    region = info.region or "us-east-1"
    path = info.path
    if service == "bedrock":
        found = _BEDROCK_RUNTIME.match(path)
        if found:
            model = unquote(found["model"])
            arn = model if model.startswith("arn:") else f"arn:aws:bedrock:{region}::foundation-model/{model}"
            return Access(f"bedrock:{_BEDROCK_RUNTIME_ACTIONS[found['op']]}", arn)
        found = _BEDROCK_RUNTIME_OTHER.match(path)
        if found:
            return Access("bedrock:ApplyGuardrail", f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:guardrail/{found['id']}")
    operation = info.operation()
    if service == "s3":
        return _s3(info, operation)
    if not operation:
        return None
    prefix = _PREFIX.get(service, service)
    action = f"{prefix}:{operation}"
    return Access(action, _resource(service, region, info))


def always_allowed(action: str) -> bool:
    return action in _ALWAYS


def _s3(info, operation: str | None) -> Access | None:
    parts = info.path.lstrip("/").split("/", 1)
    bucket = unquote(parts[0]) if parts and parts[0] else ""
    key = unquote(parts[1]) if len(parts) > 1 else ""
    if not operation:
        if not bucket:
            operation = "ListBuckets"
        elif not key:
            operation = {"GET": "ListObjectsV2", "PUT": "CreateBucket", "DELETE": "DeleteBucket",
                         "HEAD": "HeadBucket"}.get(info.method)
        else:
            operation = {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject",
                         "HEAD": "HeadObject"}.get(info.method)
        if not operation:
            return None
    if operation == "PutObject" and info.headers.get("x-amz-copy-source"):
        operation = "CopyObject"
    action = "s3:" + _S3_ACTIONS.get(operation, operation)
    if not bucket:
        return Access(action, "*")
    if operation in _S3_OBJECT_OPS and key:
        return Access(action, f"arn:aws:s3:::{bucket}/{key}")
    return Access(action, f"arn:aws:s3:::{bucket}")


def _json_body(info) -> dict:
    try:
        body = json.loads(info.body or b"{}")
        return body if isinstance(body, dict) else {}
    except ValueError:
        return {}


def _resource(service: str, region: str, info) -> str | None:
    if service == "lambda":
        found = re.search(r"/functions/([^/]+)", info.path)
        if found:
            name = unquote(found[1])
            return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
        return None
    if service == "logs":
        body = _json_body(info)
        group = body.get("logGroupName")
        if not group:
            return None
        arn = f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{group}"
        stream = body.get("logStreamName")
        return f"{arn}:log-stream:{stream}" if stream else arn
    if service == "dynamodb":
        table = _json_body(info).get("TableName")
        return f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{table}" if table else None
    if service == "sqs":
        url = _json_body(info).get("QueueUrl") or info.form().get("QueueUrl")
        return f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{url.rstrip('/').rsplit('/', 1)[-1]}" if url else None
    if service == "sns":
        return info.form().get("TopicArn") or None
    if service == "kms":
        key = _json_body(info).get("KeyId")
        if key and key.startswith("arn:"):
            return key
        if key and not key.startswith("alias/"):
            return f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key}"
        return None
    if service == "secretsmanager":
        secret = _json_body(info).get("SecretId")
        return secret if secret and secret.startswith("arn:") else None
    return None
