"""A lab's starter files reach the workspace in the learner's language only (one language per file, not both
interleaved), and `gailab lab validate` lints every starter in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from langcheck import en_problems, pt_problems

from gailab.labs.catalog import BUILTIN, load_catalog
from gailab.labs.starter import comments, resolve
from gailab.labs.workspace import reset_workspace, workspace_for
from gailab.tui.cli import main

LABS = load_catalog()


def workspace_comments(folder: Path) -> dict[str, list[str]]:
    return {p.name: comments(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*"))
            if p.suffix in (".py", ".sh")}


@pytest.mark.parametrize("lab", LABS, ids=[lab.id for lab in LABS])
def test_a_workspace_speaks_only_the_learners_language(lab, tmp_path):
    pt = workspace_comments(workspace_for(lab, tmp_path / "pt", "pt-BR"))
    en = workspace_comments(workspace_for(lab, tmp_path / "en", "en"))
    assert pt and pt.keys() == en.keys()
    problems = [p for name, found in pt.items() for text in found for line in text.splitlines()
                for p in pt_problems(f"pt-BR {name}", line)]
    problems += [p for name, found in en.items() for text in found for line in text.splitlines()
                 for p in en_problems(f"en {name}", line)]
    assert not problems, "\n".join(problems)
    for folder in (tmp_path / "pt", tmp_path / "en"):  # no tag is left for the learner to read
        texts = [p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.suffix in (".py", ".sh")]
        assert not any("[en]" in t or "[pt-BR]" in t for t in texts)
    # the TODOs are there in both, each in its language
    todos_pt = [c for found in pt.values() for c in found if c.startswith("TODO")]
    todos_en = [c for found in en.values() for c in found if c.startswith("TODO")]
    assert len(todos_pt) == len(todos_en) >= 2 and todos_pt != todos_en


def test_the_first_lab_reads_in_portuguese_then_english_after_a_reset(tmp_path):
    lab = next(lab for lab in LABS if lab.id == "bedrock-first-call")
    script = workspace_for(lab, tmp_path, "pt-BR") / "first_call.py"
    text = script.read_text(encoding="utf-8")
    assert "Complete cada TODO e depois rode:" in text and "Mantenha temperature <= 0,3" in text
    assert "Fill in each TODO" not in text and "Keep temperature" not in text
    assert workspace_for(lab, tmp_path, "en") == script.parent  # an existing workspace is the learner's
    assert script.read_text(encoding="utf-8") == text
    reset_workspace(lab, tmp_path, "en")
    text = script.read_text(encoding="utf-8")
    assert "Fill in each TODO, then run:" in text and "Keep temperature <= 0.3" in text and "cada" not in text


def test_resolve_keeps_code_and_the_chosen_language():
    source = '"""\n[en] Hello.\n[pt-BR] Olá.\n"""\nx = 1\n    # [en] TODO: go\n    # [pt-BR] TODO: vá\n'
    assert resolve(source, "en") == '"""\nHello.\n"""\nx = 1\n    # TODO: go\n'
    assert resolve(source, "pt-BR") == '"""\nOlá.\n"""\nx = 1\n    # TODO: vá\n'


def _lab_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "s3-genai-storage"
    shutil.copytree(BUILTIN / "s3-genai-storage", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_validate_rejects_interleaved_comments_and_a_tag_on_code(tmp_path, capsys):
    lab = _lab_copy(tmp_path)
    script = lab / "starter" / "setup_storage.py"
    text = script.read_text(encoding="utf-8")
    # both languages in one comment, untagged, as the starters were written before
    script.write_text(text + "# TODO 7: tag the bucket / marque o bucket com uma tag\n", encoding="utf-8")
    assert main(["lab", "validate", "--lint-only", str(lab)]) == 2
    out = capsys.readouterr().out
    assert f"{script}: starter: en: setup_storage.py: Portuguese 'uma'" in out
    assert f"{script}: starter: pt-BR: setup_storage.py: English 'the'" in out
    # a tag on a line of code: the two languages would run different code
    script.write_text(text + '# [en] BUCKET = "genai-outputs"\n[pt-BR] BUCKET = "genai-saidas"\n', encoding="utf-8")
    assert main(["lab", "validate", "--lint-only", str(lab)]) == 2
    out = capsys.readouterr().out
    assert f"{script}: starter: " in out and ("language tag is on a line of code" in out or "does not parse" in out)
    script.write_text(text, encoding="utf-8")
    assert main(["lab", "validate", "--lint-only", str(lab)]) == 0
