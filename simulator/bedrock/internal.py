"""Model calls Bedrock makes on its own behalf (a batch job's records): the runtime's InvokeModel and Converse,
fed a request built here instead of an HTTP one, priced and marked by pricing mode in the ledger."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from werkzeug.datastructures import Headers


@dataclass
class InternalRequest:
    """The parts of a RequestInfo the runtime reads."""

    body: bytes
    region: str
    #: "batch" (half the on-demand price, not counted in on-demand quotas) or "on-demand".
    inference_mode: str = "batch"
    #: Who the ledger names as caller (a job's service role).
    caller_arn: str | None = None
    #: Extra ledger fields (e.g. the job ARN).
    ledger_extra: dict = field(default_factory=dict)
    access_key: str | None = None
    headers: Headers = field(default_factory=Headers)
    extra: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    replaying: bool = False
    method: str = "POST"
    path: str = ""


def invoke(state, model_id: str, body: dict, *, region: str, caller: str | None, ledger_extra: dict,
           converse: bool = False) -> dict:
    """The model's native response body (or Converse's response) for one record; BedrockError when refused."""
    from .runtime import Runtime

    request = InternalRequest(json.dumps(body).encode("utf-8"), region, caller_arn=caller, ledger_extra=ledger_extra)
    runtime = Runtime(state)
    response = runtime.converse(request, model_id, stream=False) if converse else runtime.invoke(request, model_id, stream=False)
    return json.loads(response.get_data())
