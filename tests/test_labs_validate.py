"""Lab definitions: the catalog API, and `gailab lab validate` naming file and field on every kind of breakage."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gailab.labs.catalog import BUILTIN, LabNotFound, get_lab, load_catalog
from gailab.labs.manifest import LabDefinitionError, load_lab
from gailab.tui.cli import main

S3_LAB = BUILTIN / "s3-genai-storage"


def test_catalog_api_serves_both_languages():
    labs = load_catalog()
    ids = [lab.id for lab in labs]
    assert ids.index("s3-genai-storage") < len(ids)
    lab = get_lab("s3-genai-storage")
    assert lab.title("pt-BR") == "Armazenamento de prompts e resultados"
    assert lab.title("en") == "Storage for prompts and outputs"
    assert lab.max_points == 100 and lab.pass_mark == 100 and lab.minutes == 20 and len(lab.all_checks()) == 8
    assert [s.id for s in lab.steps] == ["kms-key", "bucket", "protect", "template"]
    for step in lab.steps:
        en, pt = lab.step_markdown(step.id, "en"), lab.step_markdown(step.id, "pt-BR")
        assert en.startswith("## ") and pt.startswith("## ") and en != pt
        assert len(step.hints("en")) == len(step.hints("pt-BR")) >= 1
        for spec in step.checks:
            assert spec.title("en") and spec.title("pt-BR") and spec.title("en") != spec.title("pt-BR")
    bucket = lab.step_markdown("bucket", "pt-BR")
    assert bucket.startswith("## 2. O bucket, criptografado com a sua chave\n") and "{#" not in bucket
    assert "criptografia padrão" in bucket and "## 3." not in bucket
    assert lab.starter_dir is not None and (lab.starter_dir / "setup_storage.py").is_file()
    assert len(lab.mistakes) >= 3 and all(m.fails in {c.id for _, c in lab.all_checks()} for m in lab.mistakes)
    assert lab.content_hash().startswith("sha256:")
    with pytest.raises(LabNotFound, match="no lab 'nope'"):
        get_lab("nope")


CATALOG = sorted(p.name for p in BUILTIN.iterdir() if (p / "lab.toml").is_file())


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", CATALOG)
def test_validate_proves_each_lab_and_every_result_reads_in_portuguese(lab_id):
    """`gailab lab validate labs/catalog/<lab>`, in this process so its reports can be read: the solution, the
    starter and each mistake — and every message and hint they produce in pt-BR is Portuguese, with decimal commas
    in what it shows (the grader's output of every check of every lab)."""
    from gailab.labs.report import show
    from gailab.labs.sandbox import Sandbox
    from gailab.labs.validate import lint, prove

    from langcheck import DECIMAL_POINT, pt_problems

    result = lint(BUILTIN / lab_id)
    assert result.ok, [str(e) for e in result.errors]
    with Sandbox() as sandbox:
        prove(result, sandbox)
    assert result.ok, "\n".join(str(e) for e in result.errors)
    assert result.proved[0].startswith("solution passes") and "starter alone does not pass" in result.proved[1]
    assert len(result.lab.mistakes) >= 3
    for mistake in result.lab.mistakes:
        assert f"mistake {mistake.file.name} fails {mistake.fails}" in result.proved
    assert len(result.reports) == 2 + len(result.lab.mistakes)
    problems = []
    for scenario, report in result.reports:
        for r in report.results:
            where = f"{lab_id} {scenario} {r.check_id}"
            problems += pt_problems(where, r.message("pt-BR")) + pt_problems(where + " hint", r.hint("pt-BR"))
            for value in (r.expected, r.actual):
                shown = show(value, "pt-BR")
                if any(w == "0" or len(f) != 3 for w, f in DECIMAL_POINT.findall(shown)):
                    problems.append(f"{where}: decimal point in {shown!r}")
    assert not problems, "\n".join(problems)


def test_validate_from_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "gailab.tui.cli", "lab", "validate", "--lint-only",
                           *sorted(str(p) for p in BUILTIN.iterdir() if (p / "lab.toml").is_file())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(f"ok    {lab_id}: definition is valid" in done.stdout for lab_id in CATALOG) and len(CATALOG) >= 6


def _copy(tmp_path: Path, name: str = "s3-genai-storage") -> Path:
    dest = tmp_path / name
    shutil.copytree(S3_LAB, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _validate(capsys, *args) -> tuple[int, str]:
    code = main(["lab", "validate", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_broken_manifest_names_file_and_field(tmp_path, capsys):
    lab = _copy(tmp_path)
    _edit(lab / "lab.toml", 'points = 5\n', 'points = "five"\n')
    code, out = _validate(capsys, "--lint-only", lab)
    assert code == 2
    assert f"{lab / 'lab.toml'}: steps[1].checks[0].points: must be int, not str" in out

    (lab / "lab.toml").write_text("id = [unclosed\n")
    code, out = _validate(capsys, "--lint-only", lab)
    assert code == 2 and "lab.toml: is not valid TOML" in out


def test_missing_translation_names_file_and_field(tmp_path, capsys):
    lab = _copy(tmp_path)
    _edit(lab / "lab.toml", 'pt-BR = "Armazenamento de prompts e resultados"\n', "")
    code, out = _validate(capsys, "--lint-only", lab)
    assert code == 2 and "lab.toml: title.pt-BR: is required (every text exists in en and pt-BR)" in out

    lab2 = _copy(tmp_path / "b")
    (lab2 / "instructions.pt-BR.md").unlink()
    code, out = _validate(capsys, "--lint-only", lab2)
    assert code == 2 and f"{lab2 / 'instructions.pt-BR.md'}: missing: the instructions in pt-BR" in out

    lab3 = _copy(tmp_path / "c")
    _edit(lab3 / "instructions.pt-BR.md", "{#protect}", "{#protecao}")
    code, out = _validate(capsys, "--lint-only", lab3)
    assert code == 2 and "instructions.pt-BR.md: ## … {#protect}: no section for step 'protect'" in out


def test_unknown_check_names_file_and_field(tmp_path, capsys):
    lab = _copy(tmp_path)
    _edit(lab / "lab.toml", 'id = "bucket-versioning"', 'id = "bucket-versionning"')
    _edit(lab / "lab.toml", 'fails = "bucket-versioning"', 'fails = "bucket-versionning"')
    code, out = _validate(capsys, "--lint-only", lab)
    assert code == 2
    assert ("lab.toml: steps[2].checks[0].id: check 'bucket-versionning' does not exist: no function in checks.py "
            "is marked @check('bucket-versionning')") in out
    assert "checks.py: @check('bucket-versioning'): is not listed in lab.toml" in out

    lab2 = _copy(tmp_path / "b")
    _edit(lab2 / "lab.toml", 'fails = "prompt-template"', 'fails = "no-such-check"')
    code, out = _validate(capsys, "--lint-only", lab2)
    assert code == 2 and "lab.toml: mistakes[5].fails: 'no-such-check' is not a check of this lab" in out


def test_failing_solution_stale_patch_and_mistake_that_passes_are_caught(tmp_path, capsys):
    lab = _copy(tmp_path)
    solution = lab / "solution" / "solve.py"
    _edit(solution, 'VersioningConfiguration={"Status": "Enabled"}', 'VersioningConfiguration={"Status": "Suspended"}')
    # the patch of the versioning mistake no longer matches the solution: lint names it, no cloud needed
    code, out = _validate(capsys, "--lint-only", lab)
    stale = lab / "mistakes" / "versioning-suspended.diff"
    header = next(line for line in stale.read_text().splitlines() if line.startswith("@@"))
    assert code == 2 and (f"{stale}: mistakes[3].patch: solution/solve.py: hunk 1 ({header}) does not "
                          "match the file") in out

    toml = (lab / "lab.toml").read_text()
    start = toml.index('[[mistakes]]\npatch = "mistakes/versioning-suspended.diff"')
    (lab / "lab.toml").write_text(toml[:start] + toml[toml.index("[[mistakes]]", start + 1):])
    (lab / "mistakes" / "no-op.diff").write_text(  # a "mistake" that changes nothing the grader sees
        "--- a/solution/solve.py\n+++ b/solution/solve.py\n@@ -1,1 +1,2 @@\n+# no change that matters\n"
        + (" " + solution.read_text().splitlines()[0]) + "\n")
    _edit(lab / "lab.toml", 'patch = "mistakes/no-template.diff"', 'patch = "mistakes/no-op.diff"')
    mistake = lab / "mistakes" / "no-op.diff"
    code, out = _validate(capsys, lab)
    assert code == 2
    assert (f"{solution}: check bucket-versioning: the reference solution does not pass it (fail): "
            "versioning is suspended: new writes keep no versions") in out
    assert f"{mistake}: mistakes[4].fails: check 'prompt-template' must fail for this mistake, but it is pass" in out


def test_broken_checks_module_is_a_lab_error(tmp_path, capsys):
    lab = _copy(tmp_path)
    (lab / "checks.py").write_text("import no_such_module_here\n")
    with pytest.raises(LabDefinitionError, match="checks.py: cannot be imported: ModuleNotFoundError"):
        load_lab(lab).check_functions()
    code, out = _validate(capsys, "--lint-only", lab)
    assert code == 2 and "checks.py: cannot be imported" in out


def test_hash_answer_command_and_hidden_checks(cloud, aws, tmp_path, capsys):
    from gailab.labs.grader import grade
    from gailab.labs.quiz import is_correct

    assert main(["lab", "hash-answer", "my-lab", "q1", "2", "0"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('answer = "sha256:') and is_correct("my-lab", "q1", line.split('"')[1], [0, 2])

    lab_dir = _copy(tmp_path)
    _edit(lab_dir / "lab.toml", 'id = "bucket-versioning"\npoints = 15\n', 'id = "bucket-versioning"\npoints = 15\nhidden = true\n')
    aws("s3").create_bucket(Bucket="genai-outputs")
    report = grade(load_lab(lab_dir), endpoint=cloud.endpoint)
    hidden = next(r for r in report.results if r.check_id == "bucket-versioning")
    assert hidden.status == "fail" and hidden.message("en") == "a hidden check does not pass"
    assert hidden.expected is None and hidden.actual is None and hidden.hint("en") == ""
    assert "Off" not in report.to_text()  # the versioning state is not leaked


def test_a_check_that_errors_on_an_empty_account_is_reported(tmp_path, capsys):
    lab = _copy(tmp_path)
    _edit(lab / "lab.toml", 'id = "bucket-versioning"\npoints = 15\ndepends_on = ["bucket-exists"]\n',
          'id = "bucket-versioning"\npoints = 15\n')  # judged even without the bucket: the check errors
    _edit(lab / "lab.toml", "[[mistakes]]", "[[unused]]")  # keep this proof short: no mistakes to run
    toml = (lab / "lab.toml").read_text()
    (lab / "lab.toml").write_text(toml.split("[[unused]]")[0])
    code, out = _validate(capsys, lab)
    assert code == 2
    assert ("checks.py: @check('bucket-versioning'): could not run against the starter; a missing resource must be "
            "a fail, not an error: the check could not read the configuration: NoSuchBucket") in out
