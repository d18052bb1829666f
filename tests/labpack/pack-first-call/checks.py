"""Checks of the fixture lab pack-first-call."""

from gailab.labs.checks import T, check, expect
from gailab.labs.checks import bedrock


@check("converse-call")
def converse_call(ctx):
    calls = [r for r in bedrock.invocations(ctx, operation="Converse") if not r.get("error")]
    return expect(bool(calls), T("no Converse call was made", "nenhuma chamada Converse foi feita"),
                  expected="Converse", actual=calls[-1]["modelId"] if calls else None)
