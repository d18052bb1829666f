"""The Explorer draws what the learner built as the reference app's path — API Gateway → Lambda → Bedrock → S3 —
with each part's state, and keeps it current as the cloud changes."""

from __future__ import annotations

import pytest
from textual.widgets import Static, Tree

from gailab.tui.architecture import Tier, draw
from gailab.tui.testing import open_lab, wait_for


def test_the_diagram_is_boxes_joined_by_arrows_in_the_apps_order():
    tiers = [Tier("apigw", [("todo", "genai-api — still to build")]), Tier("lambda", []),
             Tier("bedrock", [("ok", "2 call(s) from your code · $0.000100")]),
             Tier("s3", [("ok", "genai-outputs · versioned, SSE-KMS, 3 object(s)")]),
             Tier("extra", [("alarm", "genai-summarize-errors [ALARM]")])]
    text = draw(tiers, 40).plain
    lines = text.splitlines()
    order = [next(i for i, line in enumerate(lines) if f"┌ {name} " in line)
             for name in ("API Gateway", "Lambda", "Amazon Bedrock", "Amazon S3")]
    assert order == sorted(order)
    assert text.count("▼") == 4  # client → API → Lambda → Bedrock → S3
    assert all(len(line) == 40 for line in lines if line.startswith(("┌", "│", "└")))  # boxes of one width
    assert "· genai-api — still to build" in text and "· nothing yet" in text
    assert "! genai-summarize-errors [ALARM]" in text
    narrow = draw([Tier("s3", [("ok", "a-very-long-bucket-name-for-prompts · versioned, SSE-KMS, 12 object(s)")])], 24)
    assert all(len(line) == 24 for line in narrow.plain.splitlines() if line.startswith("│"))
    assert "object(s)" in narrow.plain.replace("│", "").replace("\n", "").replace(" ", "") or "12" in narrow.plain


@pytest.fixture
def app(app_for):
    return app_for("en")


async def test_the_explorer_draws_what_was_built_and_follows_the_cloud(app, aws):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "genai-app-architecture")
        explorer = screen.query_one("#explorer")
        # the lab and its prerequisites ask for these
        assert {"genai-outputs"} <= set(explorer.expected["buckets"])
        assert "genai-summarize" in explorer.expected["functions"] and explorer.expected["rest_apis"] == ["genai-api"]
        await pilot.press("f8")
        details = screen.query_one("#explorer-details", Static)
        await wait_for(pilot, lambda: "still to build" in str(details.render()), 60, "the diagram")
        text = str(details.render())
        for part in ("API Gateway", "Lambda", "Amazon Bedrock", "Amazon S3"):
            assert f"┌ {part} " in text
        assert "genai-api — still to build" in text and "genai-summarize — still to build" in text
        assert "no calls from your code yet" in text
        assert "genai-summarize-errors — still to build" in text
        # the learner builds a part (outside the app): the diagram follows without a key press
        s3 = aws("s3")
        s3.create_bucket(Bucket="genai-outputs")
        s3.put_bucket_versioning(Bucket="genai-outputs", VersioningConfiguration={"Status": "Enabled"})
        aws("bedrock-runtime").converse(modelId="amazon.nova-micro-v1:0",
                                        messages=[{"role": "user", "content": [{"text": "Hello"}]}])
        await wait_for(pilot, lambda: "✓ genai-outputs · versioned" in str(details.render()), 60, "the bucket drawn")
        text = str(details.render())
        assert "genai-outputs — still to build" not in text and "1 call(s) from your code · $0.0" in text
        # the diagram is the tree's first entry and cannot be deleted
        tree = screen.query_one("#explorer-tree", Tree)
        assert tree.root.children[0].data[0] == "architecture"
        tree.focus()
        tree.move_cursor(tree.root.children[0])
        await pilot.press("delete")
        await pilot.pause()
        assert any("cannot be deleted" in n.message for n in app._notifications)
        assert type(app.screen).__name__ == "LabScreen"
