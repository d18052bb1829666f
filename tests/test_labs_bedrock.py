"""bedrock-first-call against the simulated Bedrock and its ledger: solution, near misses, quiz, missing ledger."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gailab.labs.catalog import get_lab
from gailab.labs.grader import grade
from gailab.labs.solutions import solve
from gailab.labs.validate import run_mistake
from gailab.tui.cli import main


def _status(report) -> dict[str, str]:
    return {r.check_id: r.status for r in report.results}


def test_solution_passes_and_each_mistake_fails_its_check(cloud, aws_env, tmp_path, capsys):
    lab = get_lab("bedrock-first-call")
    workspace = tmp_path / "ws"
    assert solve(lab, cloud.endpoint, workspace, with_prerequisites=True) == ["s3-genai-storage", "bedrock-first-call"]
    report = grade(lab, endpoint=cloud.endpoint, workspace=workspace)
    assert report.passed and report.total == 100, report.to_text()
    # answered from the hashes: the same answers a learner picks, none written in the lab's files
    assert json.loads((workspace / "answers.json").read_text()) == {"text-model": [2], "token-cost": [1],
                                                                    "converse-scope": [0, 2]}

    hints = {c.id: c.hint("en") for _, c in lab.all_checks()}
    for mistake in lab.mistakes:
        cloud.reset()  # the ledger is emptied too, so no earlier call can satisfy a check
        solve(get_lab("s3-genai-storage"), cloud.endpoint, tmp_path / "s3")
        run_mistake(lab, mistake, cloud.endpoint, workspace)
        code = main(["--home", str(tmp_path), "grade", "bedrock-first-call", "--endpoint", cloud.endpoint,
                     "--workspace", str(workspace), "--lang", "en", "--no-record"])
        text = capsys.readouterr().out
        assert code == 1, text
        failing = [line.split()[2] for line in text.splitlines() if line.startswith("✘ FAIL")]
        assert mistake.fails in failing and "quiz-text-model" not in failing, (mistake.file.name, text)
        assert "hint: " in text.split(f"✘ FAIL   {mistake.fails}", 1)[1].split("\n✘", 1)[0], (mistake.file.name, text)
    assert f"hint: {hints['report-matches-ledger']}" not in text  # the last: the check's own, more precise hint


def test_wrong_and_missing_quiz_answers_fail_without_revealing_the_answer(cloud, tmp_path):
    lab = get_lab("bedrock-first-call")
    (tmp_path / "answers.json").write_text(json.dumps({"text-model": [1]}))
    report = grade(lab, endpoint=cloud.endpoint, workspace=tmp_path)
    by_id = {r.check_id: r for r in report.results}
    assert by_id["quiz-text-model"].status == "fail" and by_id["quiz-text-model"].expected is None
    assert by_id["quiz-token-cost"].status == "fail" and "not answered" in by_id["quiz-token-cost"].message("en")
    assert by_id["invoke-claude"].status == "fail"  # an empty ledger is a wrong answer, not an error
    assert by_id["invoke-claude"].actual is None
    assert by_id["invoke-parameters"].status == "skipped"  # not judged without a Claude call
    (tmp_path / "answers.json").write_text("{not json")
    assert _status(grade(lab, endpoint=cloud.endpoint, workspace=tmp_path))["quiz-text-model"] == "fail"
    for question in lab.steps[0].quiz.questions:  # the manifest holds hashes, never the answer
        assert question.answer.startswith("sha256:") and "[" not in question.answer


class _NotGailab(BaseHTTPRequestHandler):
    """An endpoint that is reachable but is not a gailab cloud (like LocalStack): 404 for everything."""

    def do_GET(self):
        self.send_response(404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": "not found"}')

    do_POST = do_HEAD = do_PUT = do_GET

    def log_message(self, *args):
        pass


def test_a_cloud_without_the_ledger_gives_errors_not_failures(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotGailab)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        report = grade(get_lab("bedrock-first-call"), endpoint=endpoint, workspace=tmp_path, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    status = _status(report)
    for check_id in ("invoke-claude", "converse-titan-nova"):
        assert status[check_id] == "error", report.to_text()
    assert status["invoke-parameters"] == "skipped"  # it depends on invoke-claude, which could not run
    ledger_error = next(r for r in report.results if r.check_id == "invoke-claude")
    assert "does not serve /_gailab/bedrock/invocations" in ledger_error.message("en")
    assert report.cloud_reachable and not report.passed and report.status == "error" and report.exit_code() == 3


def test_a_learners_own_solution_with_a_profile_id_and_titan_passes(cloud, aws, tmp_path):
    """Written differently from the reference: an inference profile id, boundary parameters, Titan, extra calls."""
    solve(get_lab("s3-genai-storage"), cloud.endpoint, tmp_path / "s3")
    runtime = aws("bedrock-runtime")
    profile = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
    runtime.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "warm-up"}]}])
    answer = runtime.invoke_model(modelId=profile, body=json.dumps({
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 300, "temperature": 0,
        "messages": [{"role": "user", "content": "Explique tokens em uma frase."}]}))
    claude = json.loads(answer["body"].read())
    titan = runtime.converse(modelId="amazon.titan-text-express-v1",
                             messages=[{"role": "user", "content": [{"text": "Explique tokens."}]}])
    headers = answer["ResponseMetadata"]["HTTPHeaders"]  # the token counts are in the headers too
    assert int(headers["x-amzn-bedrock-output-token-count"]) == claude["usage"]["output_tokens"]
    prices = {"amazon.titan-text-express-v1": (0.0002, 0.0006), profile: (0.0008, 0.004)}

    def entry(model, request_id, tokens_in, tokens_out):
        cost = tokens_in / 1000 * prices[model][0] + tokens_out / 1000 * prices[model][1]
        return {"requestId": request_id, "modelId": model, "inputTokens": tokens_in, "outputTokens": tokens_out,
                "costUsd": round(cost, 6)}  # rounded to six decimals, as the instructions allow

    report = {"invocations": [
        entry("amazon.titan-text-express-v1", titan["ResponseMetadata"]["RequestId"], titan["usage"]["inputTokens"],
              titan["usage"]["outputTokens"]),
        entry(profile, answer["ResponseMetadata"]["RequestId"], int(headers["x-amzn-bedrock-input-token-count"]),
              int(headers["x-amzn-bedrock-output-token-count"])),
    ]}
    aws("s3").put_object(Bucket="genai-outputs", Key="outputs/first-call.json", Body=json.dumps(report).encode())
    (tmp_path / "answers.json").write_text(json.dumps({"text-model": 2, "token-cost": [1], "converse-scope": [2, 0]}))
    result = grade(get_lab("bedrock-first-call"), endpoint=cloud.endpoint, workspace=tmp_path)
    assert result.passed, result.to_text()
