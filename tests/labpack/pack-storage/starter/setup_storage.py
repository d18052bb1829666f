"""Your script for the lab pack-storage. Fill in each TODO, then run:
   Seu script para o lab pack-storage. Complete cada TODO e rode:

    eval "$(gailab env)"
    python setup_storage.py
"""

import boto3

BUCKET = "pack-prompts"
s3 = boto3.client("s3", region_name="us-east-1")

# TODO 1: create the bucket BUCKET (s3.create_bucket).
#         crie o bucket BUCKET (s3.create_bucket).

# TODO 2: enable versioning (s3.put_bucket_versioning).
#         ative o versionamento (s3.put_bucket_versioning).

# TODO 3: turn on the four Block Public Access settings (s3.put_public_access_block).
#         ative as quatro configurações de Bloqueio de Acesso Público (s3.put_public_access_block).

# TODO 4: upload prompts/summary.txt (s3.put_object).
#         envie prompts/summary.txt (s3.put_object).
