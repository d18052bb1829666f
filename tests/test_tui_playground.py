"""The Playground as the cost-latency lesson at a glance: one prompt to two or three models side by side, with bars
for tokens, cost and latency, and the session's spend drawn as a chart."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Sparkline, Static

from gailab.tui import cloudops, i18n
from gailab.tui.app import GailabApp
from gailab.tui.testing import open_lab, wait_for
from gailab.tui.widgets.playground import compare_bars, money


def test_money_reads_as_the_learner_writes_it():
    assert money(0.000036, "en") == "$0.000036"
    assert money(0.000036, "pt-BR") == "US$ 0,000036"


def test_numbers_read_as_the_learner_writes_them():
    assert [i18n.number(v, "en") for v in (0.2, 1234, 12, 1500.0)] == ["0.2", "1,234", "12", "1,500"]
    assert [i18n.number(v, "pt-BR") for v in (0.2, 1234, 12, 1500.0)] == ["0,2", "1.234", "12", "1.500"]
    assert i18n.number(1234.5, "pt-BR", digits=2) == "1.234,50"
    assert i18n.parse_number("0,2") == i18n.parse_number("0.2") == 0.2
    with pytest.raises(ValueError):
        i18n.parse_number("1,2.3")
    try:  # the Explorer's object sizes follow the language too
        i18n.set_lang("pt-BR")
        assert cloudops._size(1536) == "1,5 KB" and cloudops._size(512) == "512 B"
    finally:
        i18n.set_lang("en")
    assert cloudops._size(1536) == "1.5 KB"


def test_bars_share_one_scale_per_measure_and_mark_the_smallest():
    results = [
        {"modelId": "a", "inputTokens": 10, "outputTokens": 30, "costUsd": 0.0004, "latencyMs": 800},
        {"modelId": "b", "inputTokens": 10, "outputTokens": 10, "costUsd": 0.0001, "latencyMs": 200},
        {"modelId": "c", "error": "ThrottlingException: slow down"},
    ]
    text = compare_bars(results, {"a": "Big model", "b": "Small model"}, width=40, lang="en")
    lines = text.plain.splitlines()
    assert lines[0] == "tokens (input + output)" and lines[3] == "cost" and lines[6] == "latency"
    big, small = lines[1], lines[2]
    assert abs(big.count("█") - 2 * small.count("█")) <= 1  # 40 vs 20 tokens: half the bar (rounded)
    assert abs(lines[4].count("█") - 4 * lines[5].count("█")) <= 2  # cost 4:1
    assert "$0.000400" in lines[4] and "800 ms" in lines[7]
    assert "c" not in "".join(line.split()[0] for line in lines[1:3])  # a failed model has no bar
    # the smallest of each measure is drawn green: the cheapest, the fastest
    green = [span for span in text.spans if "green" in str(span.style)]
    assert len(green) == 3


@pytest.fixture
def app(app_for):
    return app_for("en")


async def test_one_prompt_to_three_models_side_by_side_with_bars_and_a_spend_chart(app, cloud):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "bedrock-first-call")
        screen.show_tab("playground")
        play = screen.query_one("#playground")
        await wait_for(pilot, lambda: play.models, 30, "models")
        screen.query_one("#play-model").value = "anthropic.claude-3-haiku-20240307-v1:0"
        screen.query_one("#play-vs1").value = "amazon.nova-micro-v1:0"
        screen.query_one("#play-vs2").value = "amazon.nova-lite-v1:0"
        assert play.compared_models() == ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-micro-v1:0",
                                          "amazon.nova-lite-v1:0"]
        prompt = screen.query_one("#play-prompt", Input)
        prompt.focus()
        prompt.value = "Summarize in one sentence: Amazon Bedrock offers foundation models through one API."
        await pilot.press("enter")
        await wait_for(pilot, lambda: play.comparisons, 60, "three answers")
        results = play.comparisons[0]
        assert [r["modelId"] for r in results] == play.compared_models()
        assert all(not r.get("error") and r["text"].strip() for r in results)
        ledger = cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]
        assert sorted(r["modelId"] for r in ledger) == sorted(play.compared_models())
        assert all(r["operation"] == "Converse" and r["client"] == "gailab-playground" for r in ledger)
        by_model = {r["modelId"]: r for r in ledger}
        for result in results:  # the figures shown are the ledger's
            assert result["costUsd"] == by_model[result["modelId"]]["costUsd"]
        # three columns with each model's name and answer, then the bars
        columns = screen.query(".play-column")
        assert len(columns) == 3
        names = [str(column.query_one(".play-column-name").render()) for column in columns]
        assert names[0].startswith("Anthropic Claude 3 Haiku") and "Nova Micro" in names[1]
        await wait_for(pilot, lambda: len({c.region.x for c in screen.query(".play-column")}) == 3, 10,
                       "side by side, not stacked")
        bars = str(screen.query_one(".play-bars", Static).render())
        assert "latency" in bars and "Nova Lite" in bars and bars.count("█") >= 9
        # the session counts three calls; the spend chart has one point per call, rising
        assert play.calls == 3 and "3 calls" in str(screen.query_one("#play-totals", Static).render())
        spend = screen.query_one("#play-spend", Sparkline)
        assert list(spend.data) == [0.0, *play.spend] and len(play.spend) == 3  # from nothing spent and play.spend == sorted(play.spend)
        assert play.spend[-1] == pytest.approx(sum(r["costUsd"] for r in ledger))
        # /clear clears the conversation, the totals and the chart
        prompt.value = "/clear"
        await pilot.press("enter")
        assert play.calls == 0 and play.cost == 0 and not play.spend and not list(spend.data)
        assert "0 calls" in str(screen.query_one("#play-totals", Static).render())
        assert not screen.query(".play-column")


async def test_the_playground_in_pt_br_writes_money_with_a_decimal_comma(cloud, tmp_path, monkeypatch):
    monkeypatch.setenv("GAILAB_LEARNER", "ana")
    app = GailabApp(home=tmp_path / "home", lang="pt-BR", endpoint=cloud.endpoint)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_lab(app, pilot, "bedrock-first-call")
            starter = (screen.workspace / "first_call.py").read_text(encoding="utf-8")  # made in the app's language
            assert "Complete cada TODO e depois rode:" in starter and "Fill in each TODO" not in starter
            screen.show_tab("playground")
            play = screen.query_one("#playground")
            await wait_for(pilot, lambda: play.models, 30, "models")
            # the parameters are shown with a decimal comma, and a comma is read as one
            assert screen.query_one("#play-temp", Input).value == "0,2"
            assert screen.query_one("#play-topp", Input).value == "0,9"
            screen.query_one("#play-temp", Input).value = "0,3"
            prompt = screen.query_one("#play-prompt", Input)
            prompt.focus()
            prompt.value = "O que é um modelo de base?"
            await pilot.press("enter")
            await wait_for(pilot, lambda: play.replies, 60, "a reply")
            stats = str(screen.query(".play-stats").last().render())
            assert "US$ 0,0" in stats and "$0." not in stats
            totals = str(screen.query_one("#play-totals", Static).render())
            assert totals.startswith("sessão: 1 chamada") and "US$ 0,0" in totals
            ledger = cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]
            assert ledger[-1]["parameters"]["temperature"] == 0.3
            await pilot.press("ctrl+l")  # to English: the typed value follows the separator
            await wait_for(pilot, lambda: screen.query_one("#play-temp", Input).value == "0.3", 5, "0.3 in en")
    finally:
        i18n.set_lang("en")


def test_a_check_that_asks_for_code_is_not_passed_by_the_playground(cloud, aws):
    """The ledger marks the Playground's calls (client gailab-playground); checks leave them out."""
    from gailab.labs.catalog import get_lab
    from gailab.labs.grader import grade

    lab = get_lab("bedrock-first-call")
    messages = [{"role": "user", "content": [{"text": "What is a foundation model?"}]}]
    cloudops.converse(cloud.endpoint, "amazon.nova-micro-v1:0", messages, "", {"maxTokens": 100})
    ledger = cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"]
    assert [r["client"] for r in ledger] == ["gailab-playground"]

    def converse_check():
        report = grade(lab, endpoint=cloud.endpoint, learner="ana")
        return next(r for r in report.results if r.check_id == "converse-titan-nova").status

    assert converse_check() == "fail"
    aws("bedrock-runtime").converse(modelId="amazon.nova-micro-v1:0", messages=messages)  # the learner's code
    assert converse_check() == "pass"
    assert cloudops.admin(cloud.endpoint, "/_gailab/bedrock/invocations")["invocations"][-1]["client"] is None
