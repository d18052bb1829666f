"""Your script for the lab s3-genai-storage. Fill in each TODO, then run:

    eval "$(gailab env)"        # points boto3 at the local cloud
    python setup_storage.py
    gailab grade s3-genai-storage

Or do the same steps with the aws CLI; the grader checks the result, not the tool.
"""

import boto3

BUCKET = "genai-outputs"
ALIAS = "alias/genai-lab"

kms = boto3.client("kms", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# TODO 1: create a customer managed KMS key (kms.create_key) and the alias ALIAS for it (kms.create_alias).

# TODO 2: create the bucket BUCKET (s3.create_bucket).

# TODO 3: set its default encryption to SSE-KMS with your key (s3.put_bucket_encryption).

# TODO 4: enable versioning (s3.put_bucket_versioning).

# TODO 5: turn on all four Block Public Access settings (s3.put_public_access_block).

# TODO 6: upload prompts/summary.txt with a {texto} placeholder (s3.put_object).
