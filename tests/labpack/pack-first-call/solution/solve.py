"""Reference solution of the fixture lab pack-first-call."""

import boto3

from gailab.labs.quiz import answer_from_env

runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
runtime.converse(modelId="amazon.nova-micro-v1:0",
                 messages=[{"role": "user", "content": [{"text": "O que é um modelo de base?"}]}])
answer_from_env()  # the quiz, answered from the manifest's hashes
