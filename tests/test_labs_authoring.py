"""Authoring labs at scale: `gailab lab new`, the typed [deploy] table and its one deploy logic, near misses as
patches, dependent checks shown as not evaluated, and exam-style questions (multiple, order, match)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from gailab.labs import patch
from gailab.labs.grader import grade
from gailab.labs.manifest import LabDefinitionError, load_lab
from gailab.labs.quiz import find_answer, grade_question, hash_answer, reference_answers, save_answer
from gailab.labs.report import validate_junit
from gailab.labs.scaffold import create_lab
from gailab.simulator.awslambda.package import ensure_role
from gailab.tui.cli import main

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "labs" / "schemas" / "report-v1.json").read_text())
PACK = Path(__file__).parent / "labpack"


# -- patches (pure) -----------------------------------------------------------------------------------------
OLD = "".join(f"line {i}\n" for i in range(1, 21))


def _diff(old: str, new: str, name: str = "solution/solve.py") -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}"))


def test_a_patch_applies_where_it_was_made_and_where_the_file_moved():
    new = OLD.replace("line 3\n", "line three\n").replace("line 17\n", "line 17\nadded\n")
    hunks = patch.parse(_diff(OLD, new))[0].hunks
    assert len(hunks) == 2 and patch.apply_text(OLD, hunks, "x") == new
    moved = "header\nheader\n" + OLD  # the solution grew two lines above: both hunks still find their place
    assert patch.apply_text(moved, hunks, "x") == "header\nheader\n" + new
    removal = patch.parse(_diff(OLD, OLD.replace("line 10\n", "")))[0]
    assert patch.apply_text(OLD, removal.hunks, "x") == OLD.replace("line 10\n", "")


def test_a_stale_or_broken_patch_is_an_error_naming_the_hunk():
    hunks = patch.parse(_diff(OLD, OLD.replace("line 3\n", "line three\n")))[0].hunks
    with pytest.raises(patch.PatchError, match=r"solve.py: hunk 1 \(@@ -1,6 \+1,6 @@\) does not match the file"):
        patch.apply_text(OLD.replace("line 3\n", "changed\n"), hunks, "solve.py")
    with pytest.raises(patch.PatchError, match="not a unified diff"):
        patch.parse("just text\n")
    with pytest.raises(patch.PatchError, match="malformed hunk header"):
        patch.parse("--- a/x\n+++ b/x\n@@ nonsense @@\n")
    with pytest.raises(patch.PatchError, match="must be a path inside the lab"):
        patch.parse("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n")


def test_a_patch_may_change_only_the_solution(tmp_path):
    lab = create_lab("patch-scope", tmp_path)
    (lab / "mistakes" / "checks.diff").write_text(_diff("x\n", "y\n", "checks.py"))
    with pytest.raises(patch.PatchError, match="may change only files under solution/"):
        patch.apply(lab / "mistakes" / "checks.diff", lab, tmp_path / "copy", lab / "solution")


# -- gailab lab new, dependent checks ------------------------------------------------------------------------
def test_lab_new_scaffolds_a_lab_that_validate_proves(tmp_path, capsys):
    assert main(["lab", "new", "my-lab", "--dir", str(tmp_path), "--title-pt", "Meu lab"]) == 0
    assert "next: gailab lab validate" in capsys.readouterr().out
    lab = load_lab(tmp_path / "my-lab")
    assert lab.title("pt-BR") == "Meu lab" and [s.id for s in lab.steps] == ["bucket"]
    for lang in ("en", "pt-BR"):
        assert lab.step_markdown("bucket", lang).startswith("## 1. ")
    assert lab.mistakes[0].is_patch and "Suspended" in lab.mistakes[0].file.read_text()
    assert "[1]" not in (tmp_path / "my-lab" / "solution" / "solve.py").read_text()  # no answer in plain text
    assert main(["lab", "validate", str(tmp_path / "my-lab")]) == 0
    out = capsys.readouterr().out
    assert ("ok    my-lab: solution passes 3 checks (100/100); starter alone does not pass (0/100); mistake "
            "versioning-suspended.diff fails bucket-versioning") in out
    assert main(["lab", "new", "my-lab", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["lab", "new", "Bad_Id", "--dir", str(tmp_path)]) == 2


def test_a_dependent_check_is_not_evaluated_and_points_at_the_check_to_fix(cloud, aws, tmp_path):
    lab = load_lab(create_lab("dep-lab", tmp_path))
    report = grade(lab, endpoint=cloud.endpoint, workspace=tmp_path / "ws", lang="pt-BR")
    first, second = report.results[0], report.results[1]
    assert first.status == "fail" and second.status == "skipped" and second.blocked_by == "bucket-exists"
    assert second.points == 0 and second.max_points == 40 and report.exit_code() == 1
    assert second.message("en") == "not evaluated: first fix 'bucket dep-lab-bucket exists' (bucket-exists)"
    assert second.message("pt-BR") == "não avaliada: corrija antes 'o bucket dep-lab-bucket existe' (bucket-exists)"
    text = report.to_text()
    assert "– pulada bucket-versioning" in text and text.count("✘ FALHOU") == 2  # the bucket and the quiz
    data = report.to_json()
    jsonschema.validate(data, SCHEMA)
    assert data["counts"] == {"pass": 0, "fail": 2, "error": 0, "skipped": 1}
    assert data["checks"][1]["status"] == "skipped" and data["checks"][1]["blockedBy"] == "bucket-exists"
    junit = report.to_junit()
    assert validate_junit(junit) == [] and 'skipped="1"' in junit and "<skipped message=" in junit

    aws("s3").create_bucket(Bucket="dep-lab-bucket")  # the blocker fixed: the dependent check is judged
    second = grade(lab, endpoint=cloud.endpoint, workspace=tmp_path / "ws").results[1]
    assert second.status == "fail" and second.actual == "Off"


def test_depends_on_must_name_an_earlier_check(tmp_path):
    folder = create_lab("dep-bad", tmp_path)
    toml = folder / "lab.toml"
    toml.write_text(toml.read_text().replace('depends_on = ["bucket-exists"]', 'depends_on = ["nope"]'))
    with pytest.raises(LabDefinitionError, match=r"steps\[0\].checks\[1\].depends_on\[0\]: 'nope' is not an earlier"):
        load_lab(folder)


# -- the [deploy] table and deploying ---------------------------------------------------------------------------
DEPLOY_LAB = '''schema = 1
id = "deploy-lab"
version = "1.0.0"
sections = ["4"]
minutes = 5
pass_mark = 10
solution = "solution/solve.py"
title = {{ en = "Deploy", pt-BR = "Implantar" }}
summary = {{ en = "Deploy.", pt-BR = "Implante." }}

[deploy]
{deploy}

[[steps]]
id = "deploy"
title = {{ en = "Deploy", pt-BR = "Implantar" }}

[[steps.checks]]
id = "fn"
points = 10
title = {{ en = "fn", pt-BR = "fn" }}
hint = {{ en = "deploy", pt-BR = "implante" }}
'''
GOOD_DEPLOY = ('function_name = "authoring-fn"\nhandler = "app.handler"\nrole = "authoring-role"\n'
               'source_files = ["app.py", "lib"]')


def _deploy_lab(root: Path, deploy: str = GOOD_DEPLOY) -> Path:
    lab = root / "deploy-lab"
    (lab / "starter" / "lib").mkdir(parents=True, exist_ok=True)
    (lab / "solution").mkdir(exist_ok=True)
    (lab / "solution" / "solve.py").write_text("")
    (lab / "starter" / "app.py").write_text("from lib.words import WORD\n\ndef handler(event, context):\n"
                                            "    return {'word': WORD, 'echo': event.get('text')}\n")
    (lab / "starter" / "lib" / "words.py").write_text("WORD = 'one'\n")
    (lab / "lab.toml").write_text(DEPLOY_LAB.format(deploy=deploy))
    (lab / "checks.py").write_text("from gailab.labs.checks import Pass, check\n\n@check('fn')\ndef fn(ctx):\n"
                                   "    return Pass()\n")
    for lang in ("en", "pt-BR"):
        (lab / f"instructions.{lang}.md").write_text("# D\n\n## 1. D {#deploy}\n\nx\n")
    return lab


@pytest.mark.parametrize("deploy, message", [
    ('function_name = "f"\nhandler = "app.handler"\nrole = "r"\nsource_files = ["app.py"]\ntimeout = "30"',
     "deploy.timeout: must be int, not str"),
    ('function_name = "f"\nhandler = "app.handler"\nrole = "r"\nsource_files = ["app.py"]\nmemory_size = 256',
     "deploy.memory_size: unknown field; the [deploy] table takes function_name, runtime"),
    ('function_name = "f"\nhandler = "app"\nrole = "r"\nsource_files = ["app.py"]',
     "deploy.handler: 'app' must be module.function"),
    ('function_name = "f"\nhandler = "other.handler"\nrole = "r"\nsource_files = ["app.py"]',
     "deploy.handler: its module other.py is not among source_files"),
    ('function_name = "f"\nhandler = "app.handler"\nrole = "r"\nsource_files = ["../app.py"]',
     "deploy.source_files[0]: '../app.py' must be a path inside the workspace"),
    ('function_name = "f"\nhandler = "app.handler"\nrole = "r"\nsource_files = ["app.py"]\nruntime = "nodejs20.x"',
     "deploy.runtime: 'nodejs20.x' is not supported"),
    ('function_name = "f"\nhandler = "app.handler"\nsource_files = ["app.py"]\ntimeout = 901',
     "deploy.role: is required"),
])
def test_the_deploy_table_is_typed_and_names_the_field(tmp_path, deploy, message):
    with pytest.raises(LabDefinitionError) as info:
        load_lab(_deploy_lab(tmp_path, deploy))
    assert message in str(info.value)


def test_validate_wants_the_deploy_files_in_the_starter(tmp_path, capsys):
    lab = _deploy_lab(tmp_path)
    (lab / "starter" / "app.py").unlink()
    assert main(["lab", "validate", "--lint-only", str(lab)]) == 2
    assert "lab.toml: deploy.source_files: app.py is not in starter/" in capsys.readouterr().out


def test_lab_deploy_creates_then_updates_and_leaves_the_learners_settings(cloud, aws, tmp_path, capsys):
    lab = _deploy_lab(tmp_path)
    ws = tmp_path / "ws"
    shutil.copytree(lab / "starter", ws)
    base = ["--home", str(tmp_path / "home"), "lab", "deploy", str(lab), "--workspace", str(ws),
            "--endpoint", cloud.endpoint]
    assert main(base) == 1  # no role yet: one readable line, nothing created
    assert "the execution role authoring-role does not exist yet: create it first" in capsys.readouterr().err
    ensure_role(aws("iam"), "authoring-role")
    assert main(base) == 0
    assert capsys.readouterr().out.startswith("created authoring-fn from app.py, lib (python3.12, app.handler, 3 s, "
                                              "128 MB)")  # Lambda's defaults: the table names no timeout
    lam = aws("lambda")
    answer = json.loads(lam.invoke(FunctionName="authoring-fn", Payload=b'{"text": "hi"}')["Payload"].read())
    assert answer == {"word": "one", "echo": "hi"}
    lam.update_function_configuration(FunctionName="authoring-fn", Timeout=30, MemorySize=256,
                                      Environment={"Variables": {"MODEL_ID": "amazon.nova-micro-v1:0"}})
    (ws / "lib" / "words.py").write_text("WORD = 'two'\n")
    assert main(base) == 0 and capsys.readouterr().out.startswith("updated authoring-fn")
    config = lam.get_function_configuration(FunctionName="authoring-fn")
    assert config["Timeout"] == 30 and config["MemorySize"] == 256  # the learner's settings stay
    assert config["Environment"]["Variables"] == {"MODEL_ID": "amazon.nova-micro-v1:0"}
    answer = json.loads(lam.invoke(FunctionName="authoring-fn", Payload=b'{}')["Payload"].read())
    assert answer["word"] == "two"
    (ws / "app.py").unlink()
    assert main(base) == 1 and "app.py is not in the workspace" in capsys.readouterr().err


# -- questions: multiple, order, match --------------------------------------------------------------------
def test_question_kinds_grade_in_both_languages_and_never_reveal_the_answer(tmp_path):
    lab = load_lab(PACK / "pack-first-call")
    questions = {q.id: q for s in lab.steps if s.quiz for q in s.quiz.questions}
    assert {q.kind for q in questions.values()} == {"single", "multiple", "order", "match"}
    answers = reference_answers(lab)  # found from the hashes alone
    assert answers["request-path"] == [1, 0, 2, 3] and answers["services"] == [0, 1, 2]
    ws = tmp_path / "ws"
    for qid, given in answers.items():
        save_answer(ws, qid, given, ordered=questions[qid].kind in ("order", "match"))
        assert type(grade_question(lab, questions[qid], ws)).__name__ == "Pass", qid

    def fails(qid, given):
        save_answer(ws, qid, given, ordered=True)
        result = grade_question(lab, questions[qid], ws)
        assert type(result).__name__ == "Fail"
        assert result.expected is None or "(0.." in result.expected  # a shape in symbols, never the answer
        return result.message("en"), result.message("pt-BR")

    assert fails("request-path", [0, 1, 2, 3]) == ("the answer to 'request-path' is not right",
                                                     "a resposta de 'request-path' não está certa")
    assert fails("request-path", [1, 0, 2]) == ("put all 4 options in order, each exactly once",
                                                  "coloque as 4 opções em ordem, cada uma exatamente uma vez")
    assert fails("services", [0, 1]) == ("match each of the 3 items to one option",
                                         "associe cada um dos 3 itens a uma opção")
    assert fails("inference-options", [0]) == ("choose exactly 2 options", "escolha exatamente 2 opções")
    assert fails("text-model", [0, 2]) == ("choose exactly one option", "escolha exatamente uma opção")
    (ws / "answers.json").write_text("{broken")
    broken = grade_question(lab, questions["text-model"], ws)
    assert broken.message("pt-BR") == "answers.json não é um JSON válido (linha 1, coluna 2)"


def test_hash_answer_keeps_the_order_of_order_and_match_questions(tmp_path, capsys):
    labs = ["--labs-dir", str(PACK)]
    assert main(["lab", "hash-answer", "pack-first-call", "request-path", "1", "0", "2", "3", *labs]) == 0
    value = capsys.readouterr().out.strip().split('"')[1]
    lab = load_lab(PACK / "pack-first-call")
    question = next(q for s in lab.steps if s.quiz for q in s.quiz.questions if q.id == "request-path")
    assert find_answer(lab.id, question.__class__(**{**question.__dict__, "answer": value})) == [1, 0, 2, 3]
    # a hash made for another kind of question is caught by lint, naming the field
    folder = tmp_path / "pack-first-call"
    shutil.copytree(PACK / "pack-first-call", folder)
    toml = folder / "lab.toml"
    toml.write_text(toml.read_text().replace(question.answer, hash_answer(lab.id, "request-path", [1, 0, 2, 3])))
    assert main(["lab", "validate", "--lint-only", str(folder), *labs]) == 2
    out = capsys.readouterr().out
    assert ("lab.toml: steps[0].quiz.questions[3].answer: no order answer of 'request-path' has this hash; make it "
            "with gailab lab hash-answer pack-first-call request-path INDEX… --ordered") in out


async def test_the_quiz_tab_answers_order_and_match_questions(cloud, tmp_path, monkeypatch):
    from textual.widgets import DataTable, Select

    from gailab.tui.app import GailabApp
    from gailab.tui.testing import settle, wait_for

    monkeypatch.setenv("GAILAB_LABS_BUILTIN", "0")
    monkeypatch.setenv("GAILAB_LABS_PATH", str(PACK))
    app = GailabApp(home=tmp_path / "home", lang="en", endpoint=cloud.endpoint)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.labs and app.cloud_state == "ready", what="ready")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("pack-first-call"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "is_lab_screen", False), what="lab screen")
        screen = app.screen
        await pilot.press("f9")
        await settle(app, pilot)
        answers = screen.workspace / "answers.json"
        positions = {0: 1, 1: 0, 2: 2, 3: 3}  # option -> position: API Gateway, Lambda, Bedrock, S3
        for option, position in positions.items():
            screen.query_one(f"#quiz-request-path-{option}", Select).value = position
        for item, option in enumerate([0, 1, 2]):
            screen.query_one(f"#quiz-services-{item}", Select).value = option
        await wait_for(pilot, lambda: answers.is_file() and {"request-path", "services"}
                       <= set(json.loads(answers.read_text())), what="answers saved")
        saved = json.loads(answers.read_text())
        assert saved["request-path"] == [1, 0, 2, 3] and saved["services"] == [0, 1, 2]
    lab = load_lab(PACK / "pack-first-call")
    report = grade(lab, endpoint=cloud.endpoint, workspace=answers.parent)
    passed = {r.check_id for r in report.results if r.status == "pass"}
    assert {"quiz-request-path", "quiz-services"} <= passed
