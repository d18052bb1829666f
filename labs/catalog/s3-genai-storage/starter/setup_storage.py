"""Your script for the lab s3-genai-storage. Fill in each TODO, then run:
   Seu script para o lab s3-genai-storage. Complete cada TODO e rode:

    eval "$(gailab env)"        # points boto3 at the local cloud / aponta o boto3 para a nuvem local
    python setup_storage.py
    gailab grade s3-genai-storage

Or do the same steps with the aws CLI; the grader checks the result, not the tool.
Ou faça os mesmos passos com o aws CLI; o avaliador confere o resultado, não a ferramenta.
"""

import boto3

BUCKET = "genai-outputs"
ALIAS = "alias/genai-lab"

kms = boto3.client("kms", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# TODO 1: create a customer managed KMS key (kms.create_key) and the alias ALIAS for it (kms.create_alias).
#         crie uma chave KMS gerenciada pelo cliente (kms.create_key) e o alias ALIAS para ela (kms.create_alias).

# TODO 2: create the bucket BUCKET (s3.create_bucket).
#         crie o bucket BUCKET (s3.create_bucket).

# TODO 3: set its default encryption to SSE-KMS with your key (s3.put_bucket_encryption).
#         defina a criptografia padrão como SSE-KMS com a sua chave (s3.put_bucket_encryption).

# TODO 4: enable versioning (s3.put_bucket_versioning).
#         habilite o versionamento (s3.put_bucket_versioning).

# TODO 5: turn on all four Block Public Access settings (s3.put_public_access_block).
#         ligue as quatro configurações de Bloqueio de Acesso Público (s3.put_public_access_block).

# TODO 6: upload prompts/summary.txt with a {texto} placeholder (s3.put_object).
#         envie prompts/summary.txt com o marcador {texto} (s3.put_object).
