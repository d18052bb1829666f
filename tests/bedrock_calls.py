"""Small helpers the simulated-Bedrock tests share: the ledger as the admin route serves it, and one Converse turn."""

from __future__ import annotations

import json
import urllib.request


def ledger(cloud) -> list[dict]:
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations") as r:
        return json.loads(r.read())["invocations"]


def ask(rt, text: str, model: str = "anthropic.claude-3-haiku-20240307-v1:0", system: str | None = None, **config) -> str:
    """The text of one Converse turn (temperature 0 unless ``config`` says otherwise)."""
    kwargs = {"system": [{"text": system}]} if system else {}
    r = rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}],
                    inferenceConfig={"temperature": 0, **config}, **kwargs)
    return r["output"]["message"]["content"][0]["text"]
