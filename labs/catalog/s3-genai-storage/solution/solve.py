"""Reference solution of s3-genai-storage (boto3). Idempotent: run it twice and nothing breaks.

boto3 reads AWS_ENDPOINT_URL, so `eval "$(gailab env)"` points it at the local cloud.
"""

import boto3

BUCKET, ALIAS = "genai-outputs", "alias/genai-lab"
kms = boto3.client("kms", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# 1. A customer managed key, and an alias that names it.
aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
key_id = aliases.get(ALIAS)
if key_id is None:
    key_id = kms.create_key(Description="gailab: prompts and outputs of the GenAI app")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=key_id)

# 2. The bucket, encrypted by default with that key (an S3 Bucket Key cuts the KMS requests).
if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=BUCKET)
s3.put_bucket_encryption(
    Bucket=BUCKET,
    ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ALIAS},
        "BucketKeyEnabled": True,
    }]},
)

# 3. Versioning, and every Block Public Access setting on.
s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(
    Bucket=BUCKET,
    PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                    "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
)

# 4. The prompt template the Lambda labs fill in.
s3.put_object(Bucket=BUCKET, Key="prompts/summary.txt", ContentType="text/plain; charset=utf-8",
              Body="Resuma o texto abaixo em três frases, em português.\n\nTexto:\n{texto}\n".encode())
print(f"s3-genai-storage solved: s3://{BUCKET} encrypted with {ALIAS} ({key_id})")
