"""A lab reset forgets that lab's ledger records (its roles' calls and the calls made from its workspace's
terminal), keeps every other lab's, and a restart replaying the journal does not bring them back."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import boto3
from bedrock_calls import ledger

from gailab.simulator import CloudProcess
from gailab.simulator.client import lab_app_id, local_env

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
LAB_A, LAB_B = "lambda-prompt-function", "cost-latency"
CALL = ("import boto3; boto3.client('bedrock-runtime', region_name='us-east-1').converse(modelId=%r, "
        "messages=[{'role': 'user', 'content': [{'text': 'What is a token?'}]}])" % HAIKU)


def call_from_terminal(endpoint: str, lab: str | None, workspace) -> None:
    """A learner's script run in the app's Terminal tab for ``lab`` (the same environment the tab builds)."""
    subprocess.run([sys.executable, "-c", CALL], env=local_env(endpoint, workspace=workspace, lab=lab), check=True,
                   timeout=60)


def call_from_own_shell(endpoint: str, lab: str) -> None:
    """A learner's own terminal, outside the app: eval "$(gailab env --lab LAB)", then a script."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GAILAB_"))}
    gailab = f"{shlex.quote(sys.executable)} -m gailab.tui.cli"
    script = (f'eval "$({gailab} env --lab {lab} --endpoint {endpoint})" && '
              f"{shlex.quote(sys.executable)} -c {shlex.quote(CALL)}")
    subprocess.run(["bash", "-c", script], env=env, check=True, timeout=60)


def call_as_role(endpoint: str, role: str) -> None:
    """A call made by the lab's role (as its Lambda function makes it)."""
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    iam = boto3.client("iam", **kw)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="bedrock", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}))
    creds = boto3.client("sts", **kw).assume_role(RoleArn=arn, RoleSessionName="genai-summarize")["Credentials"]
    kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
              aws_session_token=creds["SessionToken"])
    boto3.client("bedrock-runtime", **kw).converse(
        modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "Summarize: tokens cost money."}]}])


def test_reset_forgets_only_that_labs_records_also_after_a_restart(tmp_path):
    home = tmp_path / "home"
    first = CloudProcess(home).start()
    try:
        call_from_terminal(first.endpoint, LAB_A, tmp_path)
        call_as_role(first.endpoint, "genai-lambda-role")
        call_from_own_shell(first.endpoint, LAB_A)
        call_from_terminal(first.endpoint, LAB_B, tmp_path)
        call_from_terminal(first.endpoint, None, tmp_path)  # a terminal outside the app: no lab
        before = ledger(first)
        assert len(before) == 5
        assert sum(r["client"] == lab_app_id(LAB_A) for r in before) == 2
        assert sum("assumed-role/genai-lambda-role/" in r["caller"] for r in before) == 1
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GAILAB_"))}
        done = subprocess.run([sys.executable, "-m", "gailab.tui.cli", "lab", "reset", LAB_A, "--home", str(home),
                               "--endpoint", first.endpoint, "--learner", "ana"], env={**env, "LANG": "C.UTF-8"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "ledger:3 record(s)" in done.stdout
        after = ledger(first)
        kept = [r["requestId"] for r in before if r["client"] != lab_app_id(LAB_A)
                and "genai-lambda-role" not in r["caller"]]
        assert [r["requestId"] for r in after] == kept and len(kept) == 2
        assert {r["client"] for r in after} == {lab_app_id(LAB_B), None}
    finally:
        first.kill()
    second = CloudProcess(home).start()  # the journal replays the calls, then the delete
    try:
        assert [r["requestId"] for r in ledger(second)] == kept
    finally:
        second.stop()


def test_the_delete_route_refuses_a_bad_body(cloud):
    from gailab.simulator.client import AdminError, admin

    for body in ({"callerPrefixes": "arn"}, {"clients": [""]}, [1]):
        try:
            admin(cloud.endpoint, "/_gailab/bedrock/invocations/delete", body)
        except AdminError as exc:
            assert exc.status == 400 and "callerPrefixes" in str(exc)
        else:
            raise AssertionError(f"{body!r} was accepted")


def test_reset_forgets_the_reference_solutions_calls_of_that_lab_only(cloud, tmp_path, capsys):
    """Solve then reset: the solution's calls (app id gailab-solve-<lab>, which still starts with the regrade's
    gailab-solve mark) go with the lab; another lab's solution calls stay."""
    from gailab.labs.solutions import SOLVE_APP_ID, solve_app_id
    from gailab.tui.cli import main

    base = ["--home", str(tmp_path / "home"), "--endpoint", cloud.endpoint, "--learner", "ana"]
    assert main(["lab", "solve", "bedrock-first-call", *base]) == 0
    assert main(["lab", "solve", "genai-concepts", *base]) == 0
    clients = [r["client"] for r in ledger(cloud)]
    assert clients.count(solve_app_id("bedrock-first-call")) >= 2 and solve_app_id("genai-concepts") in clients
    assert all(c.startswith(SOLVE_APP_ID) for c in clients)
    capsys.readouterr()
    assert main(["lab", "reset", "bedrock-first-call", *base]) == 0
    assert f"ledger:{clients.count(solve_app_id('bedrock-first-call'))} record(s)" in capsys.readouterr().out
    left = {r["client"] for r in ledger(cloud)}
    assert left == {solve_app_id("genai-concepts")}
