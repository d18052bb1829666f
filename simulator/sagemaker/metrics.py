"""SageMaker endpoint metrics in CloudWatch, as AWS publishes them: namespace ``AWS/SageMaker``, dimensions
``EndpointName`` and ``VariantName``.

Each answered InvokeEndpoint puts Invocations, InvocationsPerInstance (1 / the variant's instances), ModelLatency
and OverheadLatency (microseconds), and 0 for Invocation4XXErrors and Invocation5XXErrors (AWS sends 1 for each
such response, otherwise 0). A request the container refused puts Invocations, 1 for Invocation4XXErrors or
Invocation5XXErrors (0 for the other), and InvocationModelErrors. An answer's metrics come from its journaled Invoke event (live and
on replay, never journaled twice, as Bedrock's come from the ledger); a refusal's are journaled by CloudWatch.
"""

from __future__ import annotations

from . import engines
from .containers import Serving

NAMESPACE = "AWS/SageMaker"


def model_latency_us(serving: Serving, out_tokens: int) -> int:
    """The container's time to answer, from the speed of the engine it answers with (a GPU instance's)."""
    model = engines.text_model(serving.catalog.engine if serving.catalog else None)
    if serving.task == "feature-extraction":
        return model.ttft_ms * 1000 // 10  # an embedding is one forward pass, no generation
    generation = out_tokens * 1000 // model.tokens_per_second if model.tokens_per_second else 0
    return (model.ttft_ms + generation) * 1000


def _dims(endpoint: str, variant: str) -> list[list[str]]:
    return [["EndpointName", endpoint], ["VariantName", variant]]


def invoked(event: dict) -> None:
    """The metrics of one answered InvokeEndpoint (an ``Invoke`` event of the store)."""
    from ..cloudwatch.service import publish

    dims = _dims(event["name"], event["variant"])
    values = [("Invocations", 1, "None"), ("InvocationsPerInstance", 1 / max(1, int(event.get("instances") or 1)), "None"),
              ("Invocation4XXErrors", 0, "None"), ("Invocation5XXErrors", 0, "None")]
    if "modelLatencyUs" in event:
        values += [("ModelLatency", event["modelLatencyUs"], "Microseconds"),
                   ("OverheadLatency", event.get("overheadUs", 0), "Microseconds")]
    publish(NAMESPACE, [{"name": n, "value": v, "unit": u, "dims": dims} for n, v, u in values],
            region=event.get("region") or "us-east-1", at=event["at"], journal=False)


def refused(endpoint: str, variant: str, status: int, region: str | None) -> None:
    """The metrics of a request the model container answered with an error (no event holds it: journaled)."""
    from ..cloudwatch.service import publish

    dims = _dims(endpoint, variant)
    server = status >= 500
    values = [("Invocations", 1), ("Invocation4XXErrors", 0 if server else 1), ("Invocation5XXErrors", 1 if server else 0),
              ("InvocationModelErrors", 1)]
    publish(NAMESPACE, [{"name": n, "value": v, "unit": "None", "dims": dims} for n, v in values],
            region=region or "us-east-1")
