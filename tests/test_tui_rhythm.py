"""The rhythm of a lab, like rustlings': the watch mode checks again on every save or cloud change, the steps
advance as they pass, hints stay readable, and a passed lab congratulates and moves on to the next one."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from gailab.tui import i18n
from gailab.tui.app import GailabApp
from gailab.tui.testing import open_lab, wait_for

from test_tui_flows import S3_FIX


@pytest.fixture
def app(cloud, tmp_path, monkeypatch):
    monkeypatch.setenv("GAILAB_LEARNER", "ana")
    monkeypatch.delenv("GAILAB_ENDPOINT", raising=False)
    yield GailabApp(home=tmp_path / "home", lang="en", endpoint=cloud.endpoint)
    i18n.set_lang("en")


def labels(screen) -> list[str]:
    return [str(item.query_one("Label").render()) for item in screen.query_one("#step-list").children]


async def run(pilot, screen, command: str) -> None:
    screen.show_tab("terminal")
    field = screen.query_one("#term-input", Input)
    await wait_for(pilot, lambda: pilot.app.focused is field, what="terminal")
    field.value = command
    await pilot.press("enter")
    terminal = screen.query_one("#terminal")
    await wait_for(pilot, lambda: terminal.run is None, 60, command)


async def test_watch_mode_regrades_on_save_and_on_cloud_changes_and_advances_on_pass(app):
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        assert all(label.startswith("·") for label in labels(screen)) and screen.current == 0
        assert "step 1/4" in str(screen.query_one("#topbar-middle").render())
        # saving a file checks again, in the background
        await pilot.press("f5")
        area = screen.query_one(TextArea)
        area.load_text(S3_FIX)
        before = screen.regrades
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.regrades > before and not screen.checking, 30, "re-graded on save")
        # a change in the cloud (here the first step, by the aws CLI) checks again and moves the learner on
        await run(pilot, screen, "KEY=$(aws kms create-key --query KeyMetadata.KeyId --output text) && "
                                 "aws kms create-alias --alias-name alias/genai-lab --target-key-id $KEY")
        await wait_for(pilot, lambda: labels(screen)[0].startswith("✓"), 30, "step 1 done")
        await wait_for(pilot, lambda: screen.current == 1, 10, "on to step 2")
        assert "step 2/4" in str(screen.query_one("#topbar-middle").render())
        assert labels(screen)[1].startswith("·")  # not checked by the learner: still to do, not ✗
        # F4 on the step just passed says it is done; on the next step hints appear and stay under the text
        screen.read_step(0)
        await pilot.press("f4")
        assert any("is done" in n.message for n in app._notifications)
        screen.read_step(1)
        await pilot.press("f4")
        hint = screen.lab.steps[1].hints("en")[0]
        assert "Hints shown so far" in screen._step_markdown() and hint in screen._step_markdown()
        # the rest of the lab by the script written above (the key exists now): it passes while the watch mode looks on
        rest = S3_FIX.replace('key = kms.create_key(Description="GenAI app data")["KeyMetadata"]["KeyId"]\n', "")
        rest = rest.replace('kms.create_alias(AliasName="alias/genai-lab", TargetKeyId=key)\n', "")
        (screen.workspace / "rest.py").write_text(rest)
        await run(pilot, screen, "python rest.py")
        assert "storage ready" in screen.query_one("#terminal").transcript
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LabPassedScreen"
                       and app.screen.query("#passed-compare"), 60, "congratulations")
        passed = app.screen
        text = str(passed.query_one("#passed-learned").render())
        assert "A customer managed key" in text and "The prompt template" in text
        assert passed.next_lab is not None and passed.next_lab.id == "bedrock-first-call"
        assert app.store.progress("ana")["s3-genai-storage"].passed  # the pass was recorded
        # compare with the reference solution, then go on to the next lab
        await wait_for(pilot, lambda: app.focused is passed.query_one("#passed-next"), what="next lab focused")
        passed.query_one("#passed-compare").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CompareScreen", what="compare")
        reference = app.screen.query_one("#compare-reference", TextArea).text
        assert "genai-outputs" in reference and "storage ready" in app.screen.query_one("#compare-mine", TextArea).text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back in the lab")
        screen._celebrated = False
        screen._maybe_celebrate(screen.last_report)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LabPassedScreen"
                       and app.screen.query("#passed-next"), what="congratulations again")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#passed-next"), what="the default")
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "lab", None) is not None
                       and app.screen.lab.id == "bedrock-first-call", 20, "the next lab")
