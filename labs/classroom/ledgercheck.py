"""Verification of the ledger: every Bedrock invocation a submission's journal records is run again.

The simulated Bedrock is deterministic given a call's recorded request and seed
(``gailab.simulator.bedrock.verify``), so re-running it must give the recorded operation, model, tokens, output
(its hash), cost, stop reason, guardrail action and grounding. A ``ledger`` record that differs, that has no request
to re-run, or that is not a ledger record at all is *forged*: the regrade leaves it out of the rebuilt cloud (it is
not counted) and names its journal line. A call whose body was too large to keep (over 1 MB) cannot be re-run: it is
*unverifiable* — counted, and reported.

Calls that used a guardrail need the guardrail: they are judged against the rebuilt cloud's Bedrock state
(``deferred`` until then), and one that does not match that state is judged again against the cloud as it was just
before the call (a guardrail's draft may have changed after it), so a real call is never called forged.
"""

from __future__ import annotations

FORGED, VERIFIED, UNVERIFIABLE, DEFERRED = "forged", "verified", "unverifiable", "deferred"


def _entry(record: dict) -> dict | None:
    entry = record.get("record")
    return entry if isinstance(entry, dict) else None


def needs_state(entry: dict) -> bool:
    """Whether re-running this call needs the cloud's Bedrock state (it named a guardrail, or went through a
    provisioned model, which may serve a custom model)."""
    request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
    body = request.get("body")
    headers = {str(k).lower() for k in (request.get("headers") or {})}
    return (entry.get("operation") == "ApplyGuardrail" or "x-amzn-bedrock-guardrailidentifier" in headers
            or (isinstance(body, dict) and "guardrailConfig" in body) or entry.get("mode") == "provisioned")


def judge(entry: dict, state=None) -> tuple[str, str]:
    """(verdict, why) for one ledger entry re-run against ``state`` (None: a fresh, empty Bedrock)."""
    from gailab.simulator.bedrock.verify import differences

    request = entry.get("request")
    if not isinstance(request, dict):
        return FORGED, "it has no request to re-run: gailab records the request of every call it answers"
    try:
        found = differences(entry, state)
    except Exception as exc:  # a record hand-made badly enough to break the re-run is not a real one
        return FORGED, f"its request cannot be re-run ({type(exc).__name__}: {exc})"
    if not found:
        return VERIFIED, "the re-run gives the same call"
    if found[0].startswith("not re-runnable") and "too large to keep" in found[0]:
        return UNVERIFIABLE, found[0].removeprefix("not re-runnable: ")
    return FORGED, "; ".join(found)


def check(records: list[dict], lines: list[int]) -> list[dict]:
    """One verdict per ledger record: ``{"seq", "line", "requestId", "modelId", "operation", "verdict", "why"}``.
    Calls that used a guardrail are ``deferred`` (see :func:`settle`)."""
    verdicts = []
    for record, line in zip(records, lines):
        if record.get("kind") != "ledger":
            continue
        entry = _entry(record)
        verdict = {"seq": record["seq"], "line": line, "requestId": (entry or {}).get("requestId"),
                   "modelId": (entry or {}).get("modelId"), "operation": (entry or {}).get("operation")}
        if entry is None:
            verdict.update(verdict=FORGED, why="it is not a ledger record (no 'record' object)")
        elif needs_state(entry):
            verdict.update(verdict=DEFERRED, why="it used a guardrail: judged against the rebuilt cloud")
        else:
            verdict["verdict"], verdict["why"] = judge(entry)
        verdicts.append(verdict)
    return verdicts


def settle(verdicts: list[dict], records: list[dict], state) -> list[dict]:
    """Judge the deferred verdicts against ``state`` (the rebuilt cloud's Bedrock). Returns those that did not
    match it: they stay ``deferred`` for :func:`settle_before` (the cloud as it was just before the call)."""
    by_seq = {r["seq"]: r for r in records}
    suspects = []
    for verdict in verdicts:
        if verdict["verdict"] != DEFERRED:
            continue
        outcome, why = judge(_entry(by_seq[verdict["seq"]]), state)
        if outcome == FORGED:
            suspects.append(verdict)
        else:
            verdict["verdict"], verdict["why"] = outcome, why
    return suspects


def settle_before(verdict: dict, record: dict, state) -> None:
    """Final judgement of a suspect against ``state``: the cloud rebuilt from the records before it."""
    verdict["verdict"], verdict["why"] = judge(_entry(record), state)
