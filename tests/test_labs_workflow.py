"""Skip ahead and start over (`gailab lab solve|reset`), workspaces, and labs from outside the package."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from gailab.labs.catalog import BUILTIN, ENTRY_POINT_GROUP, LabNotFound, get_lab, load_catalog
from gailab.labs.solutions import prerequisite_chain
from gailab.labs.store import Store
from gailab.labs.workspace import reset_workspace, workspace_for
from gailab.tui.cli import main


def test_solve_then_reset_through_the_cli(cloud, aws, tmp_path, capsys):
    home = tmp_path / "home"
    db = f"sqlite:///{tmp_path / 'g.db'}"
    base = ["--home", str(home)]
    assert main([*base, "lab", "solve", "bedrock-first-call", "--endpoint", cloud.endpoint, "--learner", "eva",
                 "--db", db]) == 0
    assert "applied the reference solution of s3-genai-storage, bedrock-first-call" in capsys.readouterr().out
    # the prerequisite's workspace and this lab's both exist; the quiz answers landed in this lab's
    assert (home / "workspaces" / "bedrock-first-call" / "answers.json").is_file()
    assert main([*base, "grade", "bedrock-first-call", "--endpoint", cloud.endpoint, "--learner", "eva",
                 "--db", db]) == 0
    capsys.readouterr()

    assert main([*base, "lab", "reset", "s3-genai-storage", "--endpoint", cloud.endpoint, "--learner", "eva",
                 "--db", db]) == 0
    out = capsys.readouterr().out
    assert "removed buckets:genai-outputs, kms_aliases:alias/genai-lab" in out
    assert "genai-outputs" not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    aliases = [a["AliasName"] for a in aws("kms").list_aliases()["Aliases"]]
    assert "alias/genai-lab" not in aliases
    assert main([*base, "grade", "s3-genai-storage", "--endpoint", cloud.endpoint, "--no-record"]) == 1
    capsys.readouterr()

    store = Store(db)
    assert [e.kind for e in store.events(learner="eva")] == ["solve", "reset"]
    progress = store.progress("eva")
    assert progress["bedrock-first-call"].status == "passed" and progress["bedrock-first-call"].best_score == 100
    assert main([*base, "gradebook", "--db", db]) == 0
    assert "eva,bedrock-first-call,100,100,True,1," in capsys.readouterr().out

    assert main([*base, "lab", "solve", "s3-genai-storage", "--endpoint", "http://127.0.0.1:9"]) == 3


def test_workspace_is_created_from_the_starter_and_reset(tmp_path):
    lab = get_lab("s3-genai-storage")
    ws = workspace_for(lab, tmp_path)
    assert ws == tmp_path / "workspaces" / "s3-genai-storage"
    script = ws / "setup_storage.py"
    assert "TODO 1" in script.read_text()
    script.write_text("# my work\n")
    (ws / "notes.txt").write_text("mine")
    assert workspace_for(lab, tmp_path).joinpath("setup_storage.py").read_text() == "# my work\n"  # kept
    reset_workspace(lab, tmp_path)
    assert "TODO 1" in script.read_text() and not (ws / "notes.txt").exists()


def _own_lab(root, lab_id="my-storage-lab"):
    dest = root / lab_id
    shutil.copytree(BUILTIN / "s3-genai-storage", dest, ignore=shutil.ignore_patterns("__pycache__"))
    toml = dest / "lab.toml"
    toml.write_text(toml.read_text().replace('id = "s3-genai-storage"', f'id = "{lab_id}"', 1))
    return dest


def test_labs_from_a_folder_outside_the_package(cloud, tmp_path, capsys):
    _own_lab(tmp_path / "course")
    assert main(["--home", str(tmp_path), "labs", "--labs-dir", str(tmp_path / "course"), "--json"]) == 0
    assert '"id": "my-storage-lab"' in capsys.readouterr().out
    code = main(["--home", str(tmp_path), "grade", "my-storage-lab", "--labs-dir", str(tmp_path / "course"),
                 "--endpoint", cloud.endpoint, "--no-record"])
    assert code == 1 and "Lab my-storage-lab 1.1.0" in capsys.readouterr().out


def test_an_installed_lab_pack_is_found_through_its_entry_point(tmp_path, monkeypatch):
    site = tmp_path / "site"
    pack = site / "gailab_demo_pack"
    pack.mkdir(parents=True)
    _own_lab(pack, "pack-lab")
    (pack / "__init__.py").write_text(textwrap.dedent("""
        from pathlib import Path
        def labs():
            return [Path(__file__).parent]
    """))
    dist = site / "gailab_demo_pack-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gailab-demo-pack\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\ndemo = gailab_demo_pack:labs\n")
    monkeypatch.syspath_prepend(str(site))
    ids = [lab.id for lab in load_catalog()]
    assert "pack-lab" in ids and "s3-genai-storage" in ids
    assert get_lab("pack-lab").path == pack / "pack-lab"
    sys.modules.pop("gailab_demo_pack", None)


def test_a_course_can_show_only_its_own_labs(tmp_path, monkeypatch):
    """GAILAB_LABS_BUILTIN=0: the built-in catalog is left out, prerequisites resolve inside the given pack."""
    pack = Path(__file__).parent / "labpack"
    monkeypatch.setenv("GAILAB_LABS_PATH", str(pack))
    assert {"pack-storage", "s3-genai-storage"} <= {lab.id for lab in load_catalog()}
    monkeypatch.setenv("GAILAB_LABS_BUILTIN", "0")
    assert [lab.id for lab in load_catalog()] == ["pack-storage", "pack-first-call"]
    assert [p.id for p in prerequisite_chain(get_lab("pack-first-call"))] == ["pack-storage"]
    with pytest.raises(LabNotFound):
        get_lab("s3-genai-storage")


def test_lab_order_and_prerequisites():
    labs = load_catalog()
    ids = [lab.id for lab in labs]
    assert ids.index("s3-genai-storage") < ids.index("bedrock-first-call")
    assert get_lab("bedrock-first-call").prerequisites == ["s3-genai-storage"]


def test_labs_never_import_textual_and_list_in_text(tmp_path):
    import subprocess

    code = ("import sys, pkgutil, importlib, gailab.labs, gailab.labs.checks\n"
            "for m in pkgutil.walk_packages(gailab.labs.__path__, 'gailab.labs.'):\n"
            "    importlib.import_module(m.name)\n"
            "for lab in __import__('gailab.labs.catalog', fromlist=['x']).load_catalog():\n"
            "    lab.check_functions()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
    listing = subprocess.run([sys.executable, "-m", "gailab.tui.cli", "--home", str(tmp_path), "labs", "--lang",
                              "pt-BR"], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    curriculum = ["genai-concepts", "s3-genai-storage", "bedrock-first-call", "lambda-prompt-function",
                  "api-gateway-rest", "genai-app-architecture", "hallucination-grounding", "cost-latency",
                  "guardrails-privacy", "bedrock-vs-sagemaker"]
    listed = [line.split()[0] for line in lines]
    assert listed == [lab_id for lab_id in curriculum if lab_id in listed]  # the curriculum's order
    storage = next(line for line in lines if line.startswith("s3-genai-storage "))
    assert storage.split()[:5] == ["s3-genai-storage", "20", "min", "não", "iniciado"]  # the status in pt-BR too
    assert "Primeira chamada a um modelo de base  (depois de s3-genai-storage)" in listing.stdout
