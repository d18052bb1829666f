"""Reference solution of the fixture lab pack-storage."""

import boto3

BUCKET = "pack-prompts"
s3 = boto3.client("s3", region_name="us-east-1")
if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=BUCKET)
s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_object(Bucket=BUCKET, Key="prompts/summary.txt", Body="Resuma o texto:\n{texto}\n".encode())
