"""Verification of the ledger: every Bedrock invocation a submission's journal records is run again.

The simulated Bedrock is deterministic, so re-running a recorded request must give the recorded tokens, output and
cost. A ``ledger`` record whose re-run differs — or that has no request to re-run — is *forged*: the regrade leaves
it out of the rebuilt cloud (it is not counted) and the result names its journal line.
"""

from __future__ import annotations


def check(records: list[dict], lines: list[int]) -> list[dict]:
    """One verdict per ledger record: ``{"seq", "line", "requestId", "modelId", "verdict", "why"}``; the verdict is
    ``unchecked`` while this gailab's simulated Bedrock cannot re-run a recorded call."""
    verdicts = []
    for record, line in zip(records, lines):
        if record.get("kind") != "ledger":
            continue
        entry = record.get("record") if isinstance(record.get("record"), dict) else {}
        verdicts.append({"seq": record["seq"], "line": line, "requestId": entry.get("requestId"),
                         "modelId": entry.get("modelId"), "verdict": "unchecked",
                         "why": "this gailab cannot re-run recorded Bedrock calls"})
    return verdicts
