"""Pilot tests of the app's flows against the session's real local cloud (no mocks)."""

from __future__ import annotations

import json
import time

from textual.widgets import DataTable, Input, RadioSet, Static, TabbedContent, TextArea, Tree

from gailab.tui import i18n
from gailab.tui.app import GailabApp
from gailab.tui.testing import open_lab, plain, run_from_palette, settle, type_text, wait_for
from gailab.tui.widgets.results import render_report

S3_FIX = '''import boto3
kms = boto3.client("kms")
s3 = boto3.client("s3")
key = kms.create_key(Description="GenAI app data")["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName="alias/genai-lab", TargetKeyId=key)
s3.create_bucket(Bucket="genai-outputs")
s3.put_bucket_encryption(Bucket="genai-outputs", ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/genai-lab"}}]})
s3.put_bucket_versioning(Bucket="genai-outputs", VersioningConfiguration={"Status": "Enabled"})
s3.put_public_access_block(Bucket="genai-outputs", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"Resuma: {texto}")
print("storage ready")
'''


async def run_in_terminal(app, pilot, command: str, timeout: float = 60):
    screen = app.screen
    screen.show_tab("terminal")
    await pilot.pause()
    terminal = screen.query_one("#terminal")
    field = screen.query_one("#term-input", Input)
    field.focus()
    field.value = command
    await pilot.press("enter")
    await wait_for(pilot, lambda: not terminal.running and terminal.transcript
                   and any(command in line for line in terminal.transcript), timeout, what=f"command {command!r}")
    await wait_for(pilot, lambda: terminal.proc is None, timeout, what="command end")
    return terminal


async def test_catalog_search_and_open_lab(app_for):
    app = app_for("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.labs, what="labs")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert {"s3-genai-storage", "bedrock-first-call"} <= {key.value for key in table.rows}
        await pilot.press("slash")
        await type_text(pilot, "first call")
        await pilot.pause()
        assert [key.value for key in table.rows] == ["bedrock-first-call"]
        summary = str(app.screen.query_one("#catalog-summary", Static).render())
        assert "Requires:" in summary and "Storage for prompts and outputs" in summary
        await pilot.press("escape")
        assert table.row_count >= 2 and app.focused is table
        screen = await open_lab(app, pilot, "s3-genai-storage")
        # the steps, the current step's instructions, and each step's state from the quiet check
        labels = [str(item.query_one("Label").render()) for item in screen.query_one("#step-list").children]
        # a fresh lab is a list of things to do: pending (·), not failed (✗), before any Check
        assert len(labels) == len(screen.lab.steps) and all(label.startswith("·") for label in labels)
        assert "alias/genai-lab" in screen._step_markdown() and "{#" not in screen._step_markdown()
        assert screen.query_one("#editor").path.name == "setup_storage.py"
        assert "boto3" in screen.query_one(TextArea).text
        await pilot.press("f3")
        assert "## 4" in screen._step_markdown() or "prompt template" in screen._step_markdown()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not getattr(app.screen, "is_lab_screen", False), what="back to catalog")


async def test_check_fails_then_passes_after_fix_in_editor_and_terminal(app_for, aws):
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CheckResultsScreen", what="results")
        results = app.screen
        assert not results.report.passed and results.report.total == 0
        table = plain(render_report(results.report, "en"))
        assert "✗" in table and "expected" in table and "hint" in table
        await pilot.press("escape")
        assert app.screen is screen
        # the fix: a script written in the editor, saved, run in the terminal
        await pilot.press("f5")
        editor = screen.query_one("#editor")
        area = screen.query_one(TextArea)
        area.load_text(S3_FIX)
        await pilot.pause()
        assert editor.dirty
        await pilot.press("ctrl+s")
        assert not editor.dirty
        assert (screen.workspace / "setup_storage.py").read_text() == S3_FIX
        terminal = await run_in_terminal(app, pilot, "python setup_storage.py")
        assert "storage ready" in terminal.transcript and terminal.last_exit == 0
        # the watch mode grades again after the command and congratulates (no Check needed)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LabPassedScreen", 60, "congratulations")
        await pilot.press("escape")  # stay here
        await wait_for(pilot, lambda: app.screen is screen, what="back in the lab")
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CheckResultsScreen" and app.screen.report.passed,
                       what="a passing check")
        report = app.screen.report
        assert report.total == report.maximum == 100
        assert "Passed" in str(app.screen.query_one("#results-summary", Static).render())
        assert any("Lab passed" in n.message for n in app._notifications)
        await pilot.press("escape")
        assert all(label.startswith("✓") for label in
                   (str(item.query_one("Label").render()) for item in screen.query_one("#step-list").children))
        # the failed Check, the pass the watch mode saw and the passing Check are in the store; the catalog shows it
        progress = app.store.progress("ana")["s3-genai-storage"]
        assert progress.passed and progress.attempts == 3 and progress.best_score == 100
        await pilot.press("escape")
        await wait_for(pilot, lambda: "✓" in str(app.screen.query_one(DataTable).get_row("s3-genai-storage")[-1]),
                       what="catalog status")


async def test_terminal_streams_history_cd_and_ctrl_c(app_for, aws):
    aws("s3").create_bucket(Bucket="term-bucket")
    app = app_for("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lab(app, pilot, "s3-genai-storage")
        terminal = await run_in_terminal(app, pilot, "aws s3 ls && which aws python && echo $AWS_ENDPOINT_URL")
        out = "\n".join(terminal.transcript)
        import os
        import sys

        assert "term-bucket" in out
        assert os.path.join(os.path.dirname(sys.executable), "aws") in out
        assert app.endpoint in out
        await run_in_terminal(app, pilot, "aws s3api head-bucket --bucket nope")
        assert terminal.last_exit != 0 and any("[exit" in line for line in terminal.transcript)
        await run_in_terminal(app, pilot, "mkdir -p sub && cd sub")
        await run_in_terminal(app, pilot, "cd sub")
        await run_in_terminal(app, pilot, "pwd")
        assert terminal.transcript[-1].endswith("/sub")
        # history: up recalls the last command
        field = app.screen.query_one("#term-input", Input)
        await pilot.press("up")
        assert field.value == "pwd"
        await pilot.press("up")
        assert field.value == "cd sub"
        await pilot.press("down", "down")
        assert field.value == ""
        # a long command streams and ctrl+c stops it
        field.value = "python -c \"import time\nfor i in range(600):\n print('tick', i, flush=True); time.sleep(0.05)\""
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(line.startswith("tick 3") for line in terminal.transcript), what="stream")
        assert terminal.running
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: terminal.proc is None, what="stopped")
        assert "[stopped]" in terminal.transcript
        assert not any(line.startswith("tick 599") for line in terminal.transcript)


async def test_playground_call_shows_tokens_cost_latency_grounding(app_for, cloud):
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        editor = screen.query_one("#editor")
        editor.open_file(screen.workspace / "answers.json")  # JSON opens as plain text (its grammar crashes)
        await pilot.pause()
        assert editor.path.name == "answers.json" and screen.query_one(TextArea).language is None
        screen.show_tab("playground")
        play = screen.query_one("#playground")
        await wait_for(pilot, lambda: play.models, what="models")
        ids = [model_id for _, model_id in play.models]
        assert "anthropic.claude-3-haiku-20240307-v1:0" in ids and "amazon.nova-micro-v1:0" in ids
        assert not any("embed" in model_id for model_id in ids)
        select = screen.query_one("#play-model")
        select.value = "amazon.nova-micro-v1:0"
        screen.query_one("#play-temp", Input).value = "0.1"
        screen.query_one("#play-max", Input).value = "120"
        screen.query_one("#play-system", Input).value = "Answer briefly."
        prompt = screen.query_one("#play-prompt", Input)
        prompt.focus()
        await type_text(pilot, "What is a foundation model?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: play.replies, what="a reply")
        reply = play.replies[0]
        assert reply["text"].strip() and reply["inputTokens"] > 0 and reply["outputTokens"] > 0
        from gailab.tui import cloudops

        ledger = cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]
        assert len(ledger) == 1
        record = ledger[0]
        # the reply streamed in (ConverseStream), and the ledger knows it was the Playground's call
        assert record["operation"] == "ConverseStream" and record["modelId"] == "amazon.nova-micro-v1:0"
        assert record["client"] == "gailab-playground" and reply["chunks"] > 1
        assert record["parameters"]["temperature"] == 0.1 and record["parameters"]["maxTokens"] == 120
        assert record["system"] and "Answer briefly" in json.dumps(record["system"])
        assert (reply["inputTokens"], reply["outputTokens"]) == (record["inputTokens"], record["outputTokens"])
        stats = [str(w.render()) for w in screen.query(".play-stats")]
        assert stats and f"in {record['inputTokens']} · out {record['outputTokens']} tokens" in stats[0]
        assert f"{record['latencyMs']} ms" in stats[0] or "ms" in stats[0]
        assert ("grounded" in stats[0]) if record["grounded"] else ("ungrounded" in stats[0])
        totals = str(screen.query_one("#play-totals", Static).render())
        assert "1 call ·" in totals and str(record["inputTokens"] + record["outputTokens"]) in totals
        # a second turn keeps the conversation; a bad parameter is refused before any call
        screen.query_one("#play-temp", Input).value = "7"
        prompt.value = "And one more thing?"
        await pilot.press("enter")
        await pilot.pause()
        assert len(cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]) == 1
        assert prompt.value == "And one more thing?"


async def test_explorer_shows_a_bucket_just_created_and_deletes_it(app_for, aws):
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        s3 = aws("s3")
        s3.create_bucket(Bucket="genai-outputs")
        s3.put_bucket_versioning(Bucket="genai-outputs", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="genai-outputs", Key="prompts/summary.txt", Body=b"{texto}")
        await pilot.press("f8")
        explorer = screen.query_one("#explorer")
        tree = screen.query_one("#explorer-tree", Tree)

        def bucket_node():
            for group in tree.root.children:
                for node in group.children:
                    if isinstance(node.data, tuple) and node.data[:2] == ("bucket", "genai-outputs"):
                        return node
            return None

        node = await wait_for(pilot, bucket_node, what="bucket in the tree")
        assert str(node.parent.label).startswith("S3 buckets")
        tree.focus()
        tree.move_cursor(node)
        details = screen.query_one("#explorer-details", Static)
        await wait_for(pilot, lambda: "Versioning" in str(details.render()), what="details")
        text = str(details.render())
        assert "Enabled" in text and "prompts/summary.txt" in text
        await pilot.press("delete")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: bucket_node() is None and explorer.loaded, what="bucket gone from tree")
        assert "genai-outputs" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        # r refreshes: a new bucket appears
        s3.create_bucket(Bucket="another-one")
        tree.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: any(isinstance(n.data, tuple) and n.data[1] == "another-one"
                                          for g in tree.root.children for n in g.children), what="refresh")


async def test_edit_and_deploy_a_lambda_lab(app_for, aws, tmp_path):
    lab_dir = make_lambda_lab(tmp_path / "labs")
    iam = aws("iam")
    iam.create_role(RoleName="tui-test-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    app = app_for("en", labs_dirs=[lab_dir.parent])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "tui-deploy-lab")
        await pilot.press("f5")
        editor = screen.query_one("#editor")
        assert editor.path.name == "handler.py"
        area = screen.query_one(TextArea)
        area.focus()
        area.move_cursor((0, 0))
        await type_text(pilot, "GREETING = 'hi'\n")
        source = area.text.replace("return {'v': 1}", "return {'v': 2, 'greeting': GREETING}")
        area.load_text(source)
        await pilot.press("ctrl+d")
        lam = aws("lambda")

        def deployed():
            try:
                return lam.get_function_configuration(FunctionName="tui-fn")
            except lam.exceptions.ResourceNotFoundException:
                return None

        conf = await wait_for(pilot, deployed, what="function created")
        assert conf["Runtime"] == "python3.12" and conf["Timeout"] == 30 and conf["MemorySize"] == 256
        assert conf["Environment"]["Variables"] == {"MODEL_ID": "amazon.nova-micro-v1:0"}
        assert "GREETING = 'hi'" in (screen.workspace / "handler.py").read_text()  # saved before deploying
        await wait_for(pilot, lambda: any("created" in n.message for n in app._notifications), what="toast")
        out = json.loads(lam.invoke(FunctionName="tui-fn", Payload=b"{}")["Payload"].read())
        assert out == {"v": 2, "greeting": "hi"}
        # deploying again updates the code
        area.load_text(area.text.replace("'v': 2", "'v': 3"))
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: any("updated" in n.message for n in app._notifications), what="update")
        assert json.loads(lam.invoke(FunctionName="tui-fn", Payload=b"{}")["Payload"].read())["v"] == 3


async def test_switch_language_at_run_time(app_for):
    app = app_for("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.labs, what="labs")
        await settle(app, pilot)
        assert "Storage for prompts and outputs" in str(app.screen.query_one(DataTable).get_row("s3-genai-storage"))
        await pilot.press("ctrl+l")
        assert i18n.get_lang() == "pt-BR"
        await pilot.pause()
        row = str(app.screen.query_one(DataTable).get_row("s3-genai-storage"))
        assert "Armazenamento de prompts e resultados" in row
        assert app.screen.query_one("#catalog-search", Input).placeholder == "/ buscar labs"
        assert str(app.screen.query_one("#cloud-status").render()) == "● nuvem pronta"
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "ajuda" in descriptions and "help" not in descriptions
        screen = await open_lab(app, pilot, "s3-genai-storage")
        assert str(screen.query_one("#check-button").label) == "Verificar"
        assert "Uma chave gerenciada pelo cliente" in screen._step_markdown()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert i18n.get_lang() == "en"
        assert str(screen.query_one("#check-button").label) == "Check"
        assert str(screen.query_one(TabbedContent).get_tab("tab-explorer").label) == "Explorer"
        assert "A customer managed key" in screen._step_markdown()
        # the palette offers the switch too
        await run_from_palette(pilot, "switch language", "switch language")
        await wait_for(pilot, lambda: i18n.get_lang() == "pt-BR", what="palette switch")


async def test_hint_solve_and_reset_are_recorded(app_for, aws):
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f4")
        hint = screen.lab.steps[0].hints("pt-BR")[0]
        assert any(n.message == hint for n in app._notifications)
        await run_from_palette(pilot, "resolver", "resolver")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm solve")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.last_report is not None and screen.last_report.passed, 60, "solved")
        await run_from_palette(pilot, "reiniciar este lab", "reiniciar este lab")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm reset")
        await pilot.press("n")
        await pilot.pause()
        assert "genai-outputs" in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
        await screen.run_action("reset")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm reset")
        await pilot.press("y")
        await wait_for(pilot, lambda: "genai-outputs" not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]],
                       what="reset")
        await wait_for(pilot, lambda: screen.last_report is not None and not screen.last_report.passed, what="regrade")
        kinds = [event.kind for event in app.store.events("ana", "s3-genai-storage")]
        assert kinds.count("hint") == 1 and kinds.count("solve") == 1 and kinds.count("reset") == 1


async def test_solve_skips_ahead_from_an_empty_cloud_through_the_prerequisites(app_for, aws):
    app = app_for("en")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        assert aws("s3").list_buckets()["Buckets"] == []  # s3-genai-storage was never done
        await screen.run_action("solve")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="confirm solve")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.last_report is not None and screen.last_report.passed, 60, "solved")
        assert "genai-outputs" in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]

def make_lambda_lab(root):
    """A small Lambda lab with a [deploy] table, loaded through labs_dirs like any lab pack."""
    lab = root / "tui-deploy-lab"
    (lab / "starter").mkdir(parents=True)
    (lab / "starter" / "handler.py").write_text("def handler(event, context):\n    return {'v': 1}\n")
    (lab / "lab.toml").write_text('''schema = 1
id = "tui-deploy-lab"
version = "1.0.0"
order = 99
sections = ["4"]
minutes = 5
prerequisites = []
pass_mark = 10

[title]
en = "Deploy a function"
pt-BR = "Implantar uma função"

[summary]
en = "Deploy the handler."
pt-BR = "Implante o handler."

[deploy]
function_name = "tui-fn"
runtime = "python3.12"
handler = "handler.handler"
role = "tui-test-role"
timeout = 30
memory = 256
env = { MODEL_ID = "amazon.nova-micro-v1:0" }
source_files = ["handler.py"]

[[steps]]
id = "deploy"
title = { en = "Deploy", pt-BR = "Implantar" }

[[steps.checks]]
id = "fn-exists"
points = 10
title = { en = "the function exists", pt-BR = "a função existe" }
hint = { en = "Press Deploy.", pt-BR = "Aperte Implantar." }
''')
    for lang, title in (("en", "Deploy"), ("pt-BR", "Implantar")):
        (lab / f"instructions.{lang}.md").write_text(f"# {title}\n\n## 1. {title} {{#deploy}}\n\nctrl+d\n")
    (lab / "checks.py").write_text('''from gailab.labs.checks import Fail, Pass, T, check


@check("fn-exists")
def fn_exists(ctx):
    try:
        ctx.client("lambda").get_function(FunctionName="tui-fn")
    except Exception:
        return Fail(T("no function", "sem função"), expected="tui-fn", actual=None)
    return Pass()
''')
    return lab


async def test_mouse_reaches_tabs_buttons_and_steps(app_for):
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        tabs = screen.query_one(TabbedContent)
        assert await pilot.click("#workspace Tab#--content-tab-tab-terminal")
        await wait_for(pilot, lambda: tabs.active == "tab-terminal", what="terminal tab by click")
        assert await pilot.click("#workspace Tab#--content-tab-tab-explorer")
        await wait_for(pilot, lambda: tabs.active == "tab-explorer", what="explorer tab by click")
        items = screen.query_one("#step-list").children
        assert await pilot.click(items[2])
        await wait_for(pilot, lambda: screen.current == 2, what="step 3 by click")
        assert "Versioning" in screen._step_markdown() or "versioning" in screen._step_markdown()
        assert await pilot.click("#hint-button")
        await wait_for(pilot, lambda: any(n.message == screen.lab.steps[2].hints("en")[0] for n in app._notifications),
                       what="hint of the clicked step")
        assert await pilot.click("#check-button")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CheckResultsScreen", what="check by click")


async def test_unreachable_endpoint_shows_down_and_keeps_working(tmp_path, monkeypatch):
    monkeypatch.setenv("GAILAB_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    app = GailabApp(home=tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.cloud_state == "down", what="down state")
        assert app.cloud_process is None  # GAILAB_ENDPOINT given: no child started
        assert str(app.screen.query_one("#cloud-status").render()) == "● cloud down"
        assert "127.0.0.1:9" in app.cloud_reason
        await wait_for(pilot, lambda: app.labs, what="labs")
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab opens anyway")
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert type(app.screen).__name__ == "LabScreen"  # no grader run against a dead cloud
        assert any("down" in n.message for n in app._notifications)


async def test_quiz_form_writes_answers_json_that_the_grader_reads(app_for):
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.focused, RadioSet), what="first question focused")
        await pilot.press("down", "down", "enter")  # amazon.nova-micro-v1:0, the one text model
        await pilot.press("tab", "down", "down", "enter")  # token-cost: a wrong answer first
        await pilot.press("up", "enter")  # then the right one (input × price + output × price)
        answers = json.loads((screen.workspace / "answers.json").read_text())
        assert answers == {"text-model": [2], "token-cost": [1]}
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CheckResultsScreen", what="results")
        statuses = {r.check_id: r.status for r in app.screen.report.results}
        assert statuses["quiz-text-model"] == "pass" and statuses["quiz-token-cost"] == "pass"
        assert statuses["invoke-claude"] == "fail"


async def test_palette_latency_exports_theme_and_explorer_log_tail(app_for, aws, cloud, tmp_path):
    from gailab.tui import cloudops

    logs = aws("logs")
    logs.create_log_group(logGroupName="/aws/lambda/genai-summarize")
    logs.create_log_stream(logGroupName="/aws/lambda/genai-summarize", logStreamName="s1")
    logs.put_log_events(logGroupName="/aws/lambda/genai-summarize", logStreamName="s1",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": "REPORT RequestId: abc Duration: 3 ms"}])
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        before = cloudops.bedrock_settings(cloud.endpoint)["latency"]
        await run_from_palette(pilot, "realistic bedrock latency", "latency")
        await wait_for(pilot, lambda: cloudops.bedrock_settings(cloud.endpoint)["latency"] != before, what="latency")
        await wait_for(pilot, lambda: any("latency is" in n.message for n in app._notifications), what="toast")
        await app.run_action("toggle_latency")
        await wait_for(pilot, lambda: cloudops.bedrock_settings(cloud.endpoint)["latency"] == before, what="back")
        await app.run_action("copy_exports")
        await wait_for(pilot, lambda: any(f"export AWS_ENDPOINT_URL={cloud.endpoint}" in n.message
                                          for n in app._notifications), what=f"exports {[n.message for n in app._notifications]}")
        app.theme = "nord"
        await pilot.pause()
        assert json.loads((app.home / "tui.json").read_text())["theme"] == "nord"
        # the explorer tails a log group
        await pilot.press("f8")
        tree = screen.query_one("#explorer-tree", Tree)

        def log_node():
            return next((n for g in tree.root.children for n in g.children
                         if isinstance(n.data, tuple) and n.data[0] == "loggroup"), None)

        node = await wait_for(pilot, log_node, what="log group")
        tree.focus()
        tree.move_cursor(node)
        details = screen.query_one("#explorer-details", Static)
        await wait_for(pilot, lambda: "REPORT RequestId: abc" in str(details.render()), what="log tail")


def test_language_defaults_from_the_environment():
    assert i18n.detect(None, {"LANG": "pt_BR.UTF-8"}) == "pt-BR"
    assert i18n.detect(None, {"LC_ALL": "en_US.UTF-8", "LANG": "pt_BR.UTF-8"}) == "en"
    assert i18n.detect("pt-BR", {"LC_ALL": "en_US.UTF-8"}) == "pt-BR"
    assert i18n.detect(None, {"LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.detect(None, {}) == "en"
    missing = [key for key, (en, pt) in i18n.STRINGS.items() if not en.strip() or not pt.strip()]
    assert missing == []


async def test_unsaved_edits_are_kept_when_quitting(app_for):
    app = app_for("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f5")
        area = screen.query_one(TextArea)
        await wait_for(pilot, lambda: app.focused is area, what="editor focused")
        await type_text(pilot, "# mine\n")
        assert screen.query_one("#editor").dirty
        path = screen.workspace / "setup_storage.py"
        assert not path.read_text().startswith("# mine")
        await pilot.press("ctrl+q")
    assert path.read_text().startswith("# mine\n")


async def test_explorer_lists_every_kind_with_details(app_for, aws):
    iam = aws("iam")
    iam.create_role(RoleName="genai-lambda-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="genai-lambda-role", PolicyName="bedrock", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}))
    key = aws("kms").create_key()["KeyMetadata"]["KeyId"]
    aws("kms").create_alias(AliasName="alias/genai-lab", TargetKeyId=key)
    apigw = aws("apigateway")
    api = apigw.create_rest_api(name="genai-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api, parentId=root, pathPart="summarize")["id"]
    apigw.put_method(restApiId=api, resourceId=res, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api, resourceId=res, httpMethod="POST", statusCode="200")
    apigw.put_integration_response(restApiId=api, resourceId=res, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api, stageName="prod")
    guardrail = aws("bedrock").create_guardrail(
        name="genai-guardrail", blockedInputMessaging="no", blockedOutputsMessaging="no",
        topicPolicyConfig={"topicsConfig": [{"name": "investments", "definition": "investment advice",
                                             "type": "DENY"}]})["guardrailId"]
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f8")
        explorer = screen.query_one("#explorer")
        tree = screen.query_one("#explorer-tree", Tree)
        await wait_for(pilot, lambda: explorer.groups.get("apigw"), what="listing")
        leaves = {n.data[:2]: n for g in tree.root.children for n in g.children if isinstance(n.data, tuple)}
        assert ("role", "genai-lambda-role") in leaves and ("key", key) in leaves
        assert ("api", api) in leaves and ("stage", f"{api}/prod") in leaves and ("guardrail", guardrail) in leaves
        assert "alias/genai-lab" in str(leaves[("key", key)].label)
        details = screen.query_one("#explorer-details", Static)
        tree.focus()
        expected = {("stage", f"{api}/prod"): f"/_aws/execute-api/{api}/prod",
                    ("role", "genai-lambda-role"): "bedrock:InvokeModel",
                    ("api", api): "/summarize",
                    ("guardrail", guardrail): "investments",
                    ("key", key): "CUSTOMER"}
        for ident, text in expected.items():
            tree.move_cursor(leaves[ident])
            await wait_for(pilot, lambda: text in str(details.render()), what=f"details of {ident}")
        import urllib.request

        from gailab.tui.cloudops import invoke_url

        request = urllib.request.Request(invoke_url(app.endpoint, api, "prod") + "/summarize", data=b"{}",
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # the URL shown is one that answers
            assert response.status == 200


async def test_footer_speaks_portuguese_from_the_start(app_for):
    app = app_for("pt-BR")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.labs, what="labs")
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"abrir", "buscar", "ajuda", "idioma", "sair"} <= shown
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f8")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#explorer-tree"), what="explorer focus")
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"atualizar", "excluir", "verificar", "dica", "voltar"} <= shown
        assert "salvar" not in shown  # the Editor's keys are in the footer only with the Editor showing
        await pilot.press("f5")
        await wait_for(pilot, lambda: "salvar" in {b.binding.description for b in app.screen.active_bindings.values()
                                                   if b.binding.show}, 5, "salvar with the Editor")


async def test_explorer_shows_alarm_states_and_bedrock_jobs(app_for, aws, cloud, monkeypatch):
    monkeypatch.setitem(cloud.settings, "bedrock_provisioned_commitment_units", 1)
    aws("cloudwatch").put_metric_alarm(
        AlarmName="genai-summarize-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
        Dimensions=[{"Name": "FunctionName", "Value": "genai-summarize"}], EvaluationPeriods=1, Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold")
    pt = aws("bedrock").create_provisioned_model_throughput(
        provisionedModelName="explorer-pt", modelId="amazon.titan-text-express-v1", modelUnits=1,
        commitmentDuration="OneMonth")["provisionedModelArn"]
    app = app_for("pt-BR")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f8")
        explorer = screen.query_one("#explorer")
        tree = screen.query_one("#explorer-tree", Tree)
        await wait_for(pilot, lambda: explorer.groups.get("bedrock_provisioned"), what="listing")
        groups = {str(g.label) for g in tree.root.children}
        assert any(label.startswith("Alarmes do CloudWatch") for label in groups)
        assert any(label.startswith("Throughput provisionado") for label in groups)
        leaves = {n.data[:2]: n for g in tree.root.children for n in g.children if isinstance(n.data, tuple)}
        assert "[INSUFFICIENT_DATA]" in str(leaves[("alarm", "genai-summarize-errors")].label)
        details = screen.query_one("#explorer-details", Static)
        tree.focus()
        tree.move_cursor(leaves[("provisioned", pt)])
        await wait_for(pilot, lambda: "OneMonth" in str(details.render()), what="provisioned details")
        tree.move_cursor(leaves[("alarm", "genai-summarize-errors")])
        await wait_for(pilot, lambda: "Unchecked: Initial alarm creation" in str(details.render()), what="alarm details")
