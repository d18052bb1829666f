"""Reference solution of the fixture lab pack-first-call."""

import json
import os
from pathlib import Path

import boto3

runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
runtime.converse(modelId="amazon.nova-micro-v1:0",
                 messages=[{"role": "user", "content": [{"text": "O que é um modelo de base?"}]}])
workspace = Path(os.environ.get("GAILAB_WORKSPACE", "."))
(workspace / "answers.json").write_text(json.dumps({"text-model": [2], "token-cost": [1]}) + "\n")
