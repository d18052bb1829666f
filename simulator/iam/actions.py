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

from ..core import awserrors
from ..core.home import ACCOUNT_ID


# S3 sub-resources (query keys) and the IAM action each method on them needs: bucket level, then object level.
_S3_BUCKET = {
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "encryption": ("GetEncryptionConfiguration", "PutEncryptionConfiguration", "PutEncryptionConfiguration"),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "acl": ("GetBucketAcl", "PutBucketAcl", None),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "PutBucketTagging"),
    "notification": ("GetBucketNotification", "PutBucketNotification", None),
    "publicAccessBlock": ("GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
    "lifecycle": ("GetLifecycleConfiguration", "PutLifecycleConfiguration", "PutLifecycleConfiguration"),
    "cors": ("GetBucketCORS", "PutBucketCORS", "PutBucketCORS"),
    "location": ("GetBucketLocation", None, None),
    "versions": ("ListBucketVersions", None, None),
    "uploads": ("ListBucketMultipartUploads", None, None),
    "website": ("GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
    "logging": ("GetBucketLogging", "PutBucketLogging", None),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls", "PutBucketOwnershipControls"),
    "object-lock": ("GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration", None),
    "policyStatus": ("GetBucketPolicyStatus", None, None),
    "replication": ("GetReplicationConfiguration", "PutReplicationConfiguration", "PutReplicationConfiguration"),
}
_S3_OBJECT = {
    "tagging": ("GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging"),
    "acl": ("GetObjectAcl", "PutObjectAcl", None),
    "retention": ("GetObjectRetention", "PutObjectRetention", None),
    "legal-hold": ("GetObjectLegalHold", "PutObjectLegalHold", None),
    "attributes": ("GetObjectAttributes", None, None),
}
_VERB = {"GET": 0, "HEAD": 0, "PUT": 1, "DELETE": 2}
# APIs that share a signing name with another (their operations live in other botocore models).
_ALSO_SIGNED_AS = {"sagemaker": ("sagemaker-runtime",)}
_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "states": "states"}
#: Allowed whatever the policies say (AWS needs no permission for them).
_ALWAYS = {"sts:GetCallerIdentity", "execute-api:Invoke"}  # execute-api: judged by API Gateway (AWS_IAM methods)


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
        from ..bedrock import operations  # the Bedrock routing table names every Bedrock API's operations

        found = operations.access(info)
        if not found:
            return None
        action, resource = found
        return Access(action, resource or _bedrock_resource(region, info))
    if service == "s3":
        return _s3(info, None)
    if service == "execute-api":
        return Access("execute-api:Invoke", None)
    operation = info.operation()
    for model in _ALSO_SIGNED_AS.get(service, ()) if not operation else ():
        operation = awserrors.operation_name(model, info.method, path, info.query, info.headers, info.form())
        if operation:
            break
    if not operation:
        return None
    prefix = _PREFIX.get(service, service)
    action = f"{prefix}:{operation}"
    return Access(action, _resource(service, region, info))


def always_allowed(action: str) -> bool:
    return action in _ALWAYS


def _s3(info, operation: str | None) -> Access | None:
    """S3's action names differ from its operation names; judged from method, path and sub-resource."""
    parts = info.path.lstrip("/").split("/", 1)
    bucket = unquote(parts[0]) if parts and parts[0] else ""
    key = unquote(parts[1]) if len(parts) > 1 else ""
    query = set(info.request.args.keys())
    method = info.method
    if not bucket:
        return Access("s3:ListAllMyBuckets", "*")
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if not key:
        for sub, names in _S3_BUCKET.items():
            if sub in query and method in _VERB and names[_VERB[method]]:
                return Access("s3:" + names[_VERB[method]], bucket_arn)
        if method == "POST" and "delete" in query:
            return Access("s3:DeleteObject", bucket_arn + "/*")
        action = {"GET": "ListBucket", "HEAD": "ListBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method)
        return Access("s3:" + action, bucket_arn) if action else None
    object_arn = f"{bucket_arn}/{key}"
    for sub, names in _S3_OBJECT.items():
        if sub in query and method in _VERB and names[_VERB[method]]:
            return Access("s3:" + names[_VERB[method]], object_arn)
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return Access("s3:ListMultipartUploadParts", object_arn)
        return Access("s3:GetObjectVersion" if "versionId" in query else "s3:GetObject", object_arn)
    if method == "PUT":
        return Access("s3:PutObject", object_arn)
    if method == "DELETE":
        if "uploadId" in query:
            return Access("s3:AbortMultipartUpload", object_arn)
        return Access("s3:DeleteObjectVersion" if "versionId" in query else "s3:DeleteObject", object_arn)
    if method == "POST":
        if "select" in query:
            return Access("s3:GetObject", object_arn)
        if "restore" in query:
            return Access("s3:RestoreObject", object_arn)
        return Access("s3:PutObject", object_arn)
    return None


def _json_body(info) -> dict:
    try:
        body = json.loads(info.body or b"{}")
        return body if isinstance(body, dict) else {}
    except ValueError:
        return {}


_KB_PATH = re.compile(r"^/knowledgebases/([0-9a-zA-Z]{10})(?:/|$)")


def _bedrock_resource(region: str, info) -> str | None:
    """Knowledge-base operations act on the knowledge base (its ARN); tags on the ARN in the path."""
    found = _KB_PATH.match(info.path)
    if found:
        return f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:knowledge-base/{found[1]}"
    if info.path.startswith("/tags/"):
        return unquote(info.path[len("/tags/"):].rstrip("/")) or None
    if info.path.rstrip("/") in ("/retrieveAndGenerate", "/retrieveAndGenerateStream"):
        kb = ((_json_body(info).get("retrieveAndGenerateConfiguration") or {}).get("knowledgeBaseConfiguration") or {})
        kb_id = str(kb.get("knowledgeBaseId") or "")
        if kb_id:
            return kb_id if kb_id.startswith("arn:") else f"arn:aws:bedrock:{region}:{ACCOUNT_ID}:knowledge-base/{kb_id}"
    return None


def also_needed(info, access: Access) -> list[Access]:
    """Permissions an operation needs besides its own action: passing a service role, and what
    RetrieveAndGenerate does on the caller's behalf (Retrieve on the knowledge base, InvokeModel on the model)."""
    body = _json_body(info)
    if access.action == "bedrock:CreateKnowledgeBase" or access.action == "bedrock:UpdateKnowledgeBase":
        role = body.get("roleArn")
        return [Access("iam:PassRole", role)] if isinstance(role, str) and role else []
    if access.action == "sagemaker:CreateModel":
        role = body.get("ExecutionRoleArn")
        return [Access("iam:PassRole", role)] if isinstance(role, str) and role else []
    if access.action == "bedrock:RetrieveAndGenerate":
        config = body.get("retrieveAndGenerateConfiguration") or {}
        kb = config.get("knowledgeBaseConfiguration") or config.get("externalSourcesConfiguration") or {}
        needed = [Access("bedrock:Retrieve", access.resource)] if access.resource else []
        for source in kb.get("sources") or [] if isinstance(kb.get("sources"), list) else []:
            uri = ((source or {}).get("s3Location") or {}).get("uri") if isinstance(source, dict) else None
            if isinstance(uri, str) and uri.startswith("s3://"):
                needed.append(Access("s3:GetObject", "arn:aws:s3:::" + uri[5:]))
        model = kb.get("modelArn")
        if isinstance(model, str) and model:
            region = info.region or "us-east-1"
            needed.append(Access("bedrock:InvokeModel", model if model.startswith("arn:")
                                 else f"arn:aws:bedrock:{region}::foundation-model/{model}"))
        return needed
    return []


_SAGEMAKER_INVOKE = re.compile(r"^/endpoints/([^/]+)/(?:invocations|async-invocations|invocations-response-stream)/?$")
_SAGEMAKER_NAMES = (("EndpointName", "endpoint"), ("EndpointConfigName", "endpoint-config"), ("ModelName", "model"))


def _sagemaker_resource(region: str, info) -> str | None:
    """SageMaker ARNs name the resource in lower case (endpoint/<name>, model/<name>, endpoint-config/<name>)."""
    found = _SAGEMAKER_INVOKE.match(info.path)
    if found:
        return f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:endpoint/{unquote(found[1]).lower()}"
    body = _json_body(info)
    if isinstance(body.get("ResourceArn"), str):
        return body["ResourceArn"]
    for key, kind in _SAGEMAKER_NAMES:
        if isinstance(body.get(key), str) and body[key]:
            return f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:{kind}/{body[key].lower()}"
    return None


def _resource(service: str, region: str, info) -> str | None:
    if service == "sagemaker":
        return _sagemaker_resource(region, info)
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
