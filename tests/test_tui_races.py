"""Bugs a learner hit in the app, each pinned by a Pilot test on the real local cloud: Ctrl+D deploys the text as
typed (keys still queued included), the Terminal's output re-flows to its width after F2, a resize or a scrollbar
showing, Enter toggles a quiz checkbox, and a lab opens on its first tab, not the Quiz."""

from __future__ import annotations

import json

from textual import events
from textual.widgets import Checkbox, Footer, Input, RadioSet, TextArea

from gailab.tui.testing import open_lab, wait_for
from gailab.tui.widgets.instructions import CodeBlock
from gailab.tui.widgets.outputview import OutputView, fold
from gailab.tui.widgets.quiz import read_answers


def burst(app, keys: list[str]) -> None:
    """Keys as a fast typist sends them (or as a loaded machine delivers them): all queued before the first runs."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_ctrl_d_deploys_the_keys_typed_just_before_it(app_for, aws, tmp_path):
    from test_tui_flows import make_lambda_lab

    lab_dir = make_lambda_lab(tmp_path / "labs")
    aws("iam").create_role(RoleName="tui-test-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    app = app_for("en", labs_dirs=[lab_dir.parent])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "tui-deploy-lab")
        await pilot.press("f5")
        area = screen.query_one(TextArea)
        area.focus()
        line = area.document.get_line(1)
        area.move_cursor((1, line.index("1") + 1))  # return {'v': 1|}
        await pilot.pause()
        burst(app, ["2", "3", "ctrl+d"])  # ctrl+d is a priority binding: the app sees it before the editor types
        lam = aws("lambda")

        def deployed():
            try:
                return lam.get_function_configuration(FunctionName="tui-fn")
            except lam.exceptions.ResourceNotFoundException:
                return None

        await wait_for(pilot, deployed, 60, "function created")
        assert "{'v': 123}" in (screen.workspace / "handler.py").read_text()
        out = json.loads(lam.invoke(FunctionName="tui-fn", Payload=b"{}")["Payload"].read())
        assert out == {"v": 123}


async def test_terminal_output_reflows_to_its_width_after_scrollbar_f2_and_resize(app_for):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f6")
        terminal = screen.query_one("#terminal")
        view = screen.query_one(OutputView)
        field = screen.query_one("#term-input", Input)
        field.value = "python3 -c \"[print(str(i) + 'x' * 100) for i in range(40)]\""
        await pilot.press("enter")
        await wait_for(pilot, lambda: not terminal.running and sum("x" * 50 in line for line in terminal.transcript)
                       == 40, 30, "the long lines")

        async def fits(what: str) -> None:
            def fitted():
                width = view.scrollable_content_region.width
                rows = [row for row, _, _ in view._rows[view._start:]]
                return width > 0 and max(len(row) + (2 if cont else 0) for row, _, cont in
                                         view._rows[view._start:]) == width and rows

            await wait_for(pilot, fitted, 5, f"output folded to the view's width ({what})")

        await fits("a scrollbar appeared")  # the lines were folded before the scrollbar took two columns
        for _ in screen.LAYOUTS:
            await pilot.press("f2")
            if screen.layout_mode != "instructions":
                await fits(f"layout {screen.layout_mode}")
        await pilot.resize_terminal(120, 30)
        await fits("resized")
        await pilot.press("f5")  # resized while the Terminal tab is hidden, then shown again
        await pilot.resize_terminal(90, 24)
        await pilot.pause()
        await pilot.press("f6")
        await fits("resized while hidden")


async def test_enter_and_space_mark_quiz_answers_and_the_footer_says_so(app_for):
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        await pilot.press("f9")
        radio = screen.query_one("#quiz-text-model", RadioSet)
        await wait_for(pilot, lambda: app.focused is radio, what="the first question focused")

        def footer() -> list[str]:
            return [f"{key.key_display} {key.description}" for key in app.screen.query_one(Footer).query("FooterKey")]

        await wait_for(pilot, lambda: "⏎/␣ marcar" in footer(), 5, "the footer names Enter and Space")
        await pilot.press("down", "enter")  # the second option of a single-choice question
        await wait_for(pilot, lambda: read_answers(screen.workspace).get("text-model") == [1], 5, "radio by Enter")
        box = screen.query_one("#quiz-converse-scope-0", Checkbox)
        box.focus()
        await pilot.pause()
        assert "⏎/␣ marcar" in footer()
        answers = lambda: read_answers(screen.workspace).get("converse-scope")  # noqa: E731
        await pilot.press("enter")
        await wait_for(pilot, lambda: box.value and answers() == [0], 5, "checked by Enter")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not box.value and answers() == [], 5, "unchecked by Enter")
        await pilot.press("space")
        await wait_for(pilot, lambda: box.value and answers() == [0], 5, "checked by Space")
        await pilot.press("ctrl+l")  # in English the key and its words follow (the quiz is drawn again)
        await wait_for(pilot, lambda: screen.query("#quiz-converse-scope-0") and
                       screen.query_one("#quiz-converse-scope-0") is not box, 5, "the quiz in English")
        screen.query_one("#quiz-converse-scope-0", Checkbox).focus()
        await wait_for(pilot, lambda: "⏎/␣ mark" in footer(), 5, "the footer in English")


async def test_a_tab_chosen_right_after_the_quiz_stays_chosen(app_for):
    """F9 focused the first answer after the next refresh; a tab chosen before that refresh was taken back by the
    Quiz (a focused field inside a hidden pane makes the TabbedContent show that pane)."""
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        tabs = screen.query_one("#workspace")
        assert tabs.active == "tab-editor"
        for keys, expected in ((["f9", "f5"], "tab-editor"), (["f9", "f6"], "tab-terminal"),
                               (["f6", "f9", "f7"], "tab-playground")):
            burst(app, keys)
            await wait_for(pilot, lambda: tabs.active == expected, 5, f"{expected} after {keys}")
            for _ in range(10):  # the deferred focus runs after a refresh: let a few go by
                await pilot.pause(0.02)
            assert tabs.active == expected, keys
        quiz = screen.query_one("#quiz")
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.parent is quiz, 5, "an answer focused")
        assert quiz.scroll_y == 0  # the first question's words are in view above its options


async def test_the_terminal_follows_the_end_of_a_commands_output(app_for):
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f6")
        terminal = screen.query_one("#terminal")
        view = screen.query_one(OutputView)
        field = screen.query_one("#term-input", Input)
        for command, last in (("seq 1 50", "50"), ("seq 51 60", "60")):
            field.value = command
            await pilot.press("enter")
            await wait_for(pilot, lambda: terminal.run is None and terminal.transcript[-1] == last, 30, command)
            # the first time the output outgrew the view it stayed at the top, and never followed again
            await wait_for(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y, 5,
                           f"the view at the end of {command!r}")
            bottom = view.render_line(view.scrollable_content_region.height - 1).text.strip()
            assert bottom == last


def test_code_and_output_fold_between_words_in_a_narrow_pane():
    """The steps pane at 80 columns is 23 cells wide: commands were cut inside their words ('genai-outpu' + 'ts')."""
    assert fold("aws s3api create-bucket --bucket genai-outputs", 23) == [
        "aws s3api create-bucket", " --bucket ", "genai-outputs"]
    assert fold("aws s3api put-bucket-versioning --bucket pack-prompts", 23) == [
        "aws s3api ", "put-bucket-versioning", " --bucket ", "pack-prompts"]
    assert fold("x" * 30, 12) == ["x" * 12, "x" * 10, "x" * 8]  # no space: cut anywhere, nothing lost


async def test_code_block_keys_stay_in_portuguese_after_the_step_changes(app_for):
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        screen.read_step(1)  # what the watch mode does when a step passes: the step's blocks are made again
        await wait_for(pilot, lambda: screen.query(CodeBlock) and "create-bucket" in screen.query(CodeBlock).first().code,
                       5, "step 2's code")
        block = screen.query(CodeBlock).first()
        block.focus()

        def footer() -> list[str]:
            return [str(key.description) for key in app.screen.query_one(Footer).query("FooterKey")]

        await wait_for(pilot, lambda: "copiar" in footer(), 5, "the code block's keys in the footer")
        assert "para o terminal" in footer() and "to terminal" not in footer() and "copy" not in footer()


async def test_answering_the_quiz_checks_again(app_for):
    """The watch mode re-graded on a saved file or a change in the cloud, not on a quiz answer: the score stayed."""
    app = app_for("pt-BR")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        before = screen.last_report.total
        await pilot.press("f9")
        radio = screen.query_one("#quiz-text-model", RadioSet)
        await wait_for(pilot, lambda: app.focused is radio, what="the first question focused")
        await pilot.press("down", "down", "enter")  # amazon.nova-micro-v1:0, the text model
        await wait_for(pilot, lambda: screen.last_report.total > before, 30, "the answer's points in the score")
