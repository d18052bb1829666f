"""Near miss: one Block Public Access setting (BlockPublicPolicy) left off."""

import boto3

BUCKET, ALIAS = "genai-outputs", "alias/genai-lab"
kms = boto3.client("kms", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

key_id = kms.create_key()["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName=ALIAS, TargetKeyId=key_id)
s3.create_bucket(Bucket=BUCKET)
s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ALIAS}}]})
s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
s3.put_object(Bucket=BUCKET, Key="prompts/summary.txt", Body=b"Resuma: {texto}")
