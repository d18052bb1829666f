"""Class-mode test helpers: a learner's work done once on the session cloud, submissions, and a class to grade them."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from gailab.labs import submission
from gailab.labs.catalog import get_lab
from gailab.labs.solutions import run_solution
from gailab.simulator.core.journal import encode_records, parse_lines
from gailab.tui.cli import main

LABS = ("s3-genai-storage", "bedrock-first-call")


@dataclass
class LearnerWork:
    files: dict[str, Path]  # lab id -> submission file
    local: dict[str, dict]  # lab id -> the learner's own JSON report
    workspaces: dict[str, Path]


def do_labs_by_hand(endpoint: str, root: Path, labs=LABS) -> dict[str, Path]:
    """Each lab's work as a learner's own script does it (the reference code, run without `lab solve`)."""
    workspaces = {}
    for lab_id in labs:
        lab = get_lab(lab_id)
        ws = root / "ws" / lab_id
        shutil.copytree(lab.starter_dir, ws)
        run_solution(lab, endpoint, ws)  # the reference code with its lab folder, without `lab solve`
        workspaces[lab_id] = ws
    return workspaces


def grade_and_submit(cloud_home: Path, endpoint: str, root: Path, learner: str, workspaces: dict[str, Path],
                     capsys=None) -> LearnerWork:
    db = f"sqlite:///{root / 'learner.db'}"
    files, local = {}, {}
    for lab_id, ws in workspaces.items():
        out = root / f"{lab_id}.json"
        main(["grade", lab_id, "--endpoint", endpoint, "--workspace", str(ws), "--db", db, "--learner", learner,
              "--format", "json", "--output", str(out)])
        local[lab_id] = json.loads(out.read_text())
        files[lab_id] = root / "submissions" / f"{lab_id}-{learner}{submission.SUFFIX}"
        assert main(["submit", lab_id, "--home", str(cloud_home), "--workspace", str(ws), "--db", db,
                     "--learner", learner, "--output", str(files[lab_id])]) == 0
    if capsys is not None:
        capsys.readouterr()
    return LearnerWork(files, local, workspaces)


def rebuilt(path: Path, **changes) -> bytes:
    """A submission with some of its content changed and its hashes made consistent again (a learner with the
    tools to rewrite the file): ``learner``, ``journal`` (bytes), ``report``, ``events``, ``workspace``."""
    sub = submission.read_file(path)
    fields = dict(lab_id=sub.lab_id, lab_version=sub.lab_version, lab_content_hash=sub.lab_content_hash,
                  learner=sub.learner, gailab_version=sub.gailab_version, journal=sub.journal,
                  workspace=sub.workspace, report=sub.report, events=sub.events, created_at=sub.created_at)
    fields.update(changes)
    return submission.build(**fields)


def journal_without(path: Path, drop) -> bytes:
    """The submission's journal text without the records for which ``drop(record)`` is true."""
    parsed = parse_lines(submission.read_file(path).journal)
    return encode_records(r for r in parsed.records if not drop(r))


def journal_edited(path: Path, edit) -> bytes:
    """The submission's journal text with each record replaced by ``edit(record)`` (a dict; return it unchanged to
    keep it, None to drop it)."""
    parsed = parse_lines(submission.read_file(path).journal)
    return encode_records(e for e in (edit(dict(r)) for r in parsed.records) if e is not None)


def make_class(db: str, roster: list[tuple[str, str, str]], root: Path, labs=LABS, extra: list[str] | None = None):
    args = ["class", "init", "GenAI fundamentals", "--db", db]
    for lab_id in labs:
        args += ["--lab", lab_id]
    assert main(args + (extra or [])) == 0
    csv_path = root / "roster.csv"
    csv_path.write_text("id,name,email\n" + "".join(f"{a},{b},{c}\n" for a, b, c in roster), encoding="utf-8")
    assert main(["class", "roster", "import", str(csv_path), "--db", db]) == 0


def gradebook_json(db: str, capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["class", "gradebook", "--db", db, "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def cell(book: dict, learner: str, lab: str) -> dict:
    return next(r for r in book["gradebook"] if r["learner"] == learner and r["lab"] == lab)


def class_of_copies(db: str, root: Path, good: Path, prefix: str, count: int) -> Path:
    """A one-lab class of ``count`` learners, each handing in a copy of ``good`` under their own id; returns the
    folder of submission files (not collected yet)."""
    learners = [(f"{prefix}{i}", f"Learner {i}", "") for i in range(count)]
    make_class(db, learners, root, labs=(submission.read_file(good).lab_id,))
    folder = root / "in"
    folder.mkdir()
    for learner, _, _ in learners:
        (folder / f"{learner}{submission.SUFFIX}").write_bytes(rebuilt(good, learner=learner))
    return folder
