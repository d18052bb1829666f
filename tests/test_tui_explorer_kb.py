"""The app's Explorer lists knowledge bases (data sources, latest ingestion job) and SageMaker models,
endpoint configurations and endpoints, with details for each."""

from __future__ import annotations

from textual.widgets import Static, Tree

from gailab.tui.testing import open_lab, wait_for
from kbdocs import create_ds, create_kb, ingest, make_role, upload
from test_sagemaker_endpoints import TEI, TRUST, deploy, wait


async def test_explorer_shows_knowledge_bases_and_sagemaker(app_for, aws):
    make_role(aws("iam"), "explorer-docs")
    upload(aws("s3"), "explorer-docs")
    agent = aws("bedrock-agent")
    kb_id = create_kb(agent, "explorer-kb")
    ds_id = create_ds(agent, kb_id, "explorer-docs", {"chunkingStrategy": "FIXED_SIZE",
                                                     "fixedSizeChunkingConfiguration": {"maxTokens": 80, "overlapPercentage": 15}})
    job = ingest(agent, kb_id, ds_id)
    aws("iam").create_role(RoleName="sagemaker-exec", AssumeRolePolicyDocument=TRUST)
    sm = aws("sagemaker")
    deploy(sm, "explorer-embed", TEI, {"HF_MODEL_ID": "BAAI/bge-small-en-v1.5"}, instance="ml.m5.xlarge")
    wait(sm, "explorer-embed")
    app = app_for("en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        await pilot.press("f8")
        explorer = screen.query_one("#explorer")
        tree = screen.query_one("#explorer-tree", Tree)
        await wait_for(pilot, lambda: explorer.groups.get("knowledge_bases") and explorer.groups.get("sagemaker_models"),
                       what="listing")
        leaves = {n.data[:2]: n for g in tree.root.children for n in g.children if isinstance(n.data, tuple)}
        job_key = ("kb-job", f"{kb_id}/{ds_id}/{job['ingestionJobId']}")
        assert ("kb", kb_id) in leaves and ("kb-ds", f"{kb_id}/{ds_id}") in leaves and job_key in leaves
        assert "COMPLETE" in str(leaves[job_key].label) and "explorer-kb" in str(leaves[("kb", kb_id)].label)
        assert ("sm-model", "explorer-embed") in leaves and ("sm-config", "explorer-embed") in leaves
        assert "InService" in str(leaves[("sm-endpoint", "explorer-embed")].label)
        details = screen.query_one("#explorer-details", Static)
        tree.focus()
        expected = {("kb", kb_id): "s3://explorer-docs/docs/ferias.txt",
                    ("kb-ds", f"{kb_id}/{ds_id}"): "FIXED_SIZE",
                    job_key: "NewDocumentsIndexed",
                    ("sm-model", "explorer-embed"): "BAAI/bge-small-en-v1.5",
                    ("sm-config", "explorer-embed"): "ml.m5.xlarge × 1"}
        for ident, text in expected.items():
            tree.move_cursor(leaves[ident])
            await wait_for(pilot, lambda: text in str(details.render()), what=f"details of {ident}")
