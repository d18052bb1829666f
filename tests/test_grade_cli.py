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


def test_failing_setup_is_its_own_outcome_in_text_json_and_junit(tmp_path):
    command = "echo preparing; echo broken >&2; exit 5"
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", command, "--no-record"], tmp_path)
    assert done.returncode == 4  # not 1: the configuration was not found wrong, the setup failed
    assert "the setup command exited with code 5: preparing | broken; grading what it left (exit 4)" in done.stderr
    assert "! Setup: " + command + " — FAILED (exit 4)" in done.stdout and "Total: 0/100" in done.stdout
    out = tmp_path / "r.json"
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", command, "--no-record", "--format", "json",
                 "--output", str(out)], tmp_path)
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert done.returncode == 4 and report["status"] == "error" and report["passed"] is False
    assert report["setup"]["status"] == "failed" and report["setup"]["exitCode"] == 5
    assert report["setup"]["command"] == command and report["setup"]["output"] == "preparing\nbroken\n"
    assert report["setupError"].startswith("the setup command exited with code 5")
    xml_path = tmp_path / "r.xml"
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", command, "--no-record", "--format", "junit",
                 "--output", str(xml_path)], tmp_path)
    xml = xml_path.read_text()
    assert done.returncode == 4 and validate_junit(xml) == []
    counts = report["counts"]  # every check, plus the setup as one more testcase: an error, not a failure
    assert (f'tests="{len(report["checks"]) + 1}" failures="{counts["fail"]}" errors="{counts["error"] + 1}" '
            f'skipped="{counts["skipped"]}"') in xml
    assert '<testcase classname="s3-genai-storage.setup" name="setup"' in xml
    import xml.etree.ElementTree as ET

    case = ET.fromstring(xml).find("testsuite/testcase[@name='setup']")
    assert case.find("error").get("type") == "SetupFailed.failed"
    assert case.find("error").text == f"$ {command}\npreparing\nbroken\n"
    assert case.find("system-out").text == "preparing\nbroken\n"


def test_setup_finds_this_pythons_tools_and_never_the_learners_profile(tmp_path):
    """The README's recipe works where gailab is installed: python, aws and gailab are the environment's own,
    even with a PATH that has none of them and an AWS profile that does not exist."""
    out = tmp_path / "r.json"
    aws_dir = tmp_path / "dot-aws"
    aws_dir.mkdir()
    (aws_dir / "config").write_text("[profile work]\nregion = eu-west-1\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_PROFILE": "missing-profile",
           "AWS_CONFIG_FILE": str(aws_dir / "config"), "AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com",
           "GAILAB_LEARNER": "ci"}
    setup = ("command -v python aws gailab; python -c 'import boto3, sys; print(sys.executable)'; "
             f"python {S3_LAB / 'solution' / 'solve.py'}; aws s3 ls")
    done = _cli(["grade", "s3-genai-storage", "--fresh", "--setup", setup, "--no-record", "--format", "json",
                 "--output", str(out)], tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    bindir = str(Path(sys.executable).parent)
    lines = report["setup"]["output"].splitlines()
    assert lines[:3] == [f"{bindir}/python", f"{bindir}/aws", f"{bindir}/gailab"]
    assert Path(lines[3]).parent == Path(bindir) and "genai-outputs" in report["setup"]["output"]
    assert report["setup"]["status"] == "ok" and report["passed"] is True


def test_a_setup_that_hangs_or_leaves_a_server_running_does_not_hang_the_grade(tmp_path):
    from gailab.labs.solutions import run_setup

    started = __import__("time").monotonic()
    outcome = run_setup("sleep 300 & echo started", None, tmp_path)
    assert outcome.ok and outcome.output == "started\n"
    outcome = run_setup("echo slow; sleep 30", None, tmp_path, timeout=1)
    assert outcome.status == "timeout" and outcome.output.startswith("slow\n") and "stopped after 1 s" in outcome.output
    assert __import__("time").monotonic() - started < 20


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
