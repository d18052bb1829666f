"""`gailab grade`: the CI recipe (--fresh --setup), exit codes, JSON/JUnit against their schemas, near misses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema  # ships with moto[server]; used only to check our schema file against our output

from gailab.labs.catalog import BUILTIN, get_lab
from gailab.labs.report import validate_junit
from gailab.labs.validate import run_mistake
from gailab.tui.cli import main

S3_LAB = BUILTIN / "s3-genai-storage"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "labs" / "schemas" / "report-v1.json").read_text())
CLI = [sys.executable, "-m", "gailab.tui.cli"]


def _cli(args, tmp_path, **kw):
    env = kw.pop("env", None)
    return subprocess.run([*CLI, "--home", str(tmp_path / "home"), *args], capture_output=True, text=True,
                          timeout=300, env=env, **kw)


def test_fresh_setup_solution_passes_with_json_that_validates(tmp_path):
    out = tmp_path / "report.json"
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup",
                 f"{sys.executable} {S3_LAB / 'solution' / 'solve.py'}", "--format", "json", "--output", str(out),
                 "--learner", "ci-bot"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["passed"] is True and report["status"] == "passed"
    assert report["total"] == report["maximum"] == 100 and report["learner"] == "ci-bot"
    assert [c["status"] for c in report["checks"]] == ["pass"] * 8
    assert "Total: 100/100" in done.stdout  # the text table goes to the CI log too
    # the attempt landed in the home's store
    book = _cli(["gradebook"], tmp_path)
    assert "ci-bot,s3-genai-storage,100,100,True,1," in book.stdout


def test_junit_validates_and_carries_failures(cloud, aws, tmp_path, capsys):
    aws("s3").create_bucket(Bucket="genai-outputs")
    out = tmp_path / "junit.xml"
    code = main(["--home", str(tmp_path), "grade", "s3-genai-storage", "--endpoint", cloud.endpoint,
                 "--format", "junit", "--output", str(out)])
    assert code == 1
    xml = out.read_text()
    assert validate_junit(xml) == []
    assert 'tests="8" failures="5" errors="0" skipped="2"' in xml
    assert '<skipped message="not evaluated: first fix' in xml
    assert '<testcase classname="s3-genai-storage.bucket" name="bucket-exists"' in xml
    assert 'message="versioning must be enabled"' in xml and "expected: Enabled" in xml and "actual: Off" in xml
    # the validator really checks: a tampered document is rejected
    assert validate_junit(xml.replace('failures="5"', 'failures="2"', 1)) != []
    assert validate_junit("<testsuite/>") == ["root element is <testsuite>, expected <testsuites>"]


def test_each_mistake_exits_1_with_its_check_failing_and_hint_shown(cloud, aws_env, tmp_path, capsys):
    lab = get_lab("s3-genai-storage")
    hints = {c.id: c.hint("en") for _, c in lab.all_checks()}
    for mistake in lab.mistakes:
        cloud.reset()
        run_mistake(lab, mistake, cloud.endpoint, tmp_path / "ws")
        code = main(["--home", str(tmp_path), "grade", "s3-genai-storage", "--endpoint", cloud.endpoint,
                     "--lang", "en"])
        text = capsys.readouterr().out
        assert code == 1, (mistake.file.name, text)
        lines = text.splitlines()
        failing = [line.split()[2] for line in lines if line.startswith("✘ FAIL")]
        assert mistake.fails in failing, (mistake.file.name, text)
        at = next(i for i, line in enumerate(lines) if line.startswith("✘ FAIL") and line.split()[2] == mistake.fails)
        assert lines[at + 3].strip().startswith("hint: "), (mistake.file.name, text)  # after expected and actual
    assert f"hint: {hints['template-encrypted']}" in text  # the last one: the manifest's hint
    # pt-BR output of the last one
    code = main(["--home", str(tmp_path), "grade", "s3-genai-storage", "--endpoint", cloud.endpoint, "--lang", "pt-BR"])
    text = capsys.readouterr().out
    assert code == 1 and "✘ FALHOU template-encrypted" in text and "dica: Envie prompts/summary.txt de novo" in text
    assert "NÃO APROVADO" in text


def test_no_cloud_exits_3_with_every_check_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "r.json"
    done = _cli(["grade", "s3-genai-storage", "--endpoint", f"http://127.0.0.1:{port}", "--format", "json",
                 "--output", str(out)], tmp_path)
    assert done.returncode == 3, done.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["cloudReachable"] is False and report["status"] == "error"
    assert {c["status"] for c in report["checks"]} == {"error"} and len(report["checks"]) == 8
    assert report["counts"] == {"pass": 0, "fail": 0, "error": 8, "skipped": 0}
    assert "the cloud is unreachable" in done.stdout


LEARNER_SCRIPT = """set -e
aws() {{ "{python}" -m awscli "$@"; }}
KEY_ARN=$(aws kms create-key --query KeyMetadata.Arn --output text)
aws kms create-alias --alias-name alias/genai-lab --target-key-id "$KEY_ARN"
aws s3api create-bucket --bucket genai-outputs >/dev/null
aws s3api put-bucket-encryption --bucket genai-outputs --server-side-encryption-configuration \
  "{{\\"Rules\\":[{{\\"ApplyServerSideEncryptionByDefault\\":{{\\"SSEAlgorithm\\":\\"aws:kms\\",\\"KMSMasterKeyID\\":\\"$KEY_ARN\\"}}}}]}}"
aws s3api put-bucket-versioning --bucket genai-outputs --versioning-configuration Status=Enabled
aws s3api put-public-access-block --bucket genai-outputs --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
printf 'Summarize in one sentence: {{text}}\\n' > summary.txt
aws s3 cp summary.txt s3://genai-outputs/prompts/summary.txt >/dev/null
"""


def test_a_learners_own_solution_with_the_aws_cli_and_key_arn_passes(tmp_path):
    script = tmp_path / "deploy.sh"
    script.write_text(LEARNER_SCRIPT.format(python=sys.executable))
    work = tmp_path / "repo"
    work.mkdir()
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", f"bash {script}", "--workspace", str(work),
                 "--no-record"], tmp_path, cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Total: 100/100" in done.stdout
    assert (work / "summary.txt").is_file()  # the setup ran in the current directory


def test_failing_setup_is_reported_and_graded(tmp_path):
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", "echo broken >&2; exit 4", "--no-record"], tmp_path)
    assert done.returncode == 1
    assert "the setup command exited with code 4: broken" in done.stderr
    assert "Total: 0/100" in done.stdout


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "grade", "no-such-lab"]) == 2
    assert "no lab 'no-such-lab'; known labs: " in capsys.readouterr().err
    assert main(["--home", str(tmp_path), "grade", "s3-genai-storage", "--fresh", "--endpoint", "http://x"]) == 2
    assert main(["--home", str(tmp_path), "grade", "s3-genai-storage", "--endpoint", "ftp://x"]) == 2
    assert "--endpoint must be an http(s) URL" in capsys.readouterr().err


def test_fresh_from_a_process_that_already_runs_a_cloud_uses_a_child_cloud(cloud, aws, tmp_path, capsys):
    """moto keeps one state per process: --fresh must not touch the session cloud, so it starts `gailab serve`."""
    aws("s3").create_bucket(Bucket="keep-me")
    solution = S3_LAB / "solution" / "solve.py"
    code = main(["--home", str(tmp_path), "grade", "bedrock-first-call", "--fresh", "--no-record",
                 "--setup", f"{sys.executable} {BUILTIN / 'bedrock-first-call' / 'solution' / 'solve.py'}",
                 "--workspace", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Total: 100/100" in out and solution.is_file()
    # the throwaway cloud got the prerequisite's solution; the session cloud was left alone
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["keep-me"]
