"""
[en] Your script for the lab s3-genai-storage. Fill in each TODO, then run:
[pt-BR] Seu script para o lab s3-genai-storage. Complete cada TODO e depois rode:

[en]     eval "$(gailab env)"        # points boto3 at the local cloud
[pt-BR]     eval "$(gailab env)"        # aponta o boto3 para a nuvem local
    python setup_storage.py
    gailab grade s3-genai-storage

[en] Or do the same steps with the AWS CLI; the grader checks the result, not the tool.
[pt-BR] Ou faça os mesmos passos com a AWS CLI; o avaliador confere o resultado, não a ferramenta.
"""

import boto3

BUCKET = "genai-outputs"
ALIAS = "alias/genai-lab"

kms = boto3.client("kms", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")

# [en] TODO 1: create a customer managed KMS key (kms.create_key) and the alias ALIAS for it (kms.create_alias).
# [pt-BR] TODO 1: crie uma chave do KMS gerenciada pelo cliente (kms.create_key) e o alias ALIAS para ela
# [pt-BR]         (kms.create_alias).

# [en] TODO 2: create the bucket BUCKET (s3.create_bucket).
# [pt-BR] TODO 2: crie o bucket BUCKET (s3.create_bucket).

# [en] TODO 3: set its default encryption to SSE-KMS with your key (s3.put_bucket_encryption).
# [pt-BR] TODO 3: defina a criptografia padrão dele como SSE-KMS com a sua chave (s3.put_bucket_encryption).

# [en] TODO 4: enable versioning (s3.put_bucket_versioning).
# [pt-BR] TODO 4: ative o versionamento (s3.put_bucket_versioning).

# [en] TODO 5: turn on all four Block Public Access settings (s3.put_public_access_block).
# [pt-BR] TODO 5: ative as quatro configurações do Bloqueio de acesso público (s3.put_public_access_block).

# [en] TODO 6: upload prompts/summary.txt with a {texto} placeholder (s3.put_object).
# [pt-BR] TODO 6: envie prompts/summary.txt com o espaço reservado {texto} (s3.put_object).
