"""Class mode on the labs that run code: a regrade rebuilds the learner's functions, API and alarm and drives them.

One regrade worker grades its submissions one after another, each on a new local cloud in the same process; the
functions of every rebuilt cloud must reach that cloud (not the one before), or the live checks fail.
"""

from __future__ import annotations

import pytest

from classwork import cell, do_labs_by_hand, grade_and_submit, gradebook_json, make_class
from gailab.tui.cli import main

STACK = ("s3-genai-storage", "bedrock-first-call", "lambda-prompt-function", "api-gateway-rest",
         "genai-app-architecture")


@pytest.mark.slow
def test_the_stack_labs_regrade_to_the_learners_scores_in_one_worker(cloud, tmp_path, capsys):
    workspaces = do_labs_by_hand(cloud.endpoint, tmp_path / "bia", labs=STACK)
    work = grade_and_submit(cloud.home, cloud.endpoint, tmp_path / "bia", "bia", workspaces, capsys)
    assert {lab: report["total"] for lab, report in work.local.items()} == dict.fromkeys(STACK, 100)

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("bia", "Bia Lima", "bia@example.com")], tmp_path, labs=STACK)
    assert main(["class", "collect", str(tmp_path / "bia" / "submissions"), "--db", db]) == 0
    capsys.readouterr()
    assert main(["class", "regrade", "--db", db, "--jobs", "1"]) == 0, capsys.readouterr().err
    assert "regraded 5 submission(s)" in capsys.readouterr().out
    book = gradebook_json(db, capsys)
    scores = {lab: cell(book, "bia", lab)["best_score"] for lab in STACK}
    assert scores == dict.fromkeys(STACK, 100), scores
