"""The submission file: the documented version-1 layout reads back, and nothing in a hostile file is trusted."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from datetime import datetime, timezone

import pytest

from gailab.labs import submission
from gailab.labs.submission import SubmissionError
from gailab.tui.cli import main

JOURNAL = b'{"gailab-journal": 1, "created": 0}\n'


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _v1_by_hand(members: dict[str, bytes], **manifest_changes) -> bytes:
    """A version-1 file made from docs/class.md ("The submission format") alone, without gailab's writer."""
    manifest = {"format": "gailab-submission", "formatVersion": 1,
                "lab": {"id": "s3-genai-storage", "version": "1.0.0", "contentHash": "sha256:abc"},
                "learner": "ana", "gailabVersion": "0.1.0", "createdAt": "2026-03-01T12:00:00Z",
                "members": {name: {"size": len(data), "sha256": _sha(data)} for name, data in members.items()}}
    manifest.update(manifest_changes)
    canonical = json.dumps({k: v for k, v in manifest.items() if k != "contentHash"}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False).encode()
    manifest.setdefault("contentHash", _sha(canonical))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("submission.json", json.dumps(manifest))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BASIC = {"journal.jsonl": JOURNAL, "events.json": b'[{"kind": "hint", "lab": "s3-genai-storage"}]',
         "workspace/answers.json": b"{}", "workspace/src/deploy.py": b"print('hi')\n"}


def test_a_version_1_file_written_from_the_documentation_reads_back():
    sub = submission.read(_v1_by_hand(BASIC))
    assert (sub.format_version, sub.lab_id, sub.learner, sub.report) == (1, "s3-genai-storage", "ana", None)
    assert sub.created_at == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert sub.workspace == {"answers.json": b"{}", "src/deploy.py": b"print('hi')\n"}
    assert sub.count("hint") == 1 and sub.solve_events() == []


def test_writing_is_deterministic_and_round_trips(tmp_path):
    kwargs = dict(lab_id="s3-genai-storage", lab_version="1.0.0", lab_content_hash="sha256:abc", learner="ana",
                  gailab_version="0.1.0", journal=JOURNAL, workspace={"a.py": b"x"}, report={"total": 10},
                  events=[], created_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    first, second = submission.build(**kwargs), submission.build(**kwargs)
    assert first == second
    sub = submission.read(first)
    assert sub.report == {"total": 10} and sub.workspace == {"a.py": b"x"}
    assert sub.content_hash == sub.manifest["contentHash"]
    assert submission.read(submission.build(**{**kwargs, "learner": "bia"})).content_hash != sub.content_hash
    sub.extract_workspace(tmp_path / "out")
    assert (tmp_path / "out" / "a.py").read_bytes() == b"x"


def test_a_file_from_a_newer_gailab_is_refused_with_both_versions():
    with pytest.raises(SubmissionError, match=r"newer gailab \(format 7; this gailab reads up to 1\)"):
        submission.read(_v1_by_hand(BASIC, formatVersion=7))


def _swap(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info))
    return out.getvalue()


def test_edits_after_writing_are_refused():
    good = _v1_by_hand(BASIC)
    with pytest.raises(SubmissionError, match="journal.jsonl does not match its sha256"):
        submission.read(_swap(good, "journal.jsonl", JOURNAL + b'{"seq":1,"kind":"ledger"}\n'))
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(good)).read("submission.json"))
    manifest["learner"] = "someone-else"
    with pytest.raises(SubmissionError, match="does not match its contentHash"):
        submission.read(_swap(good, "submission.json", json.dumps(manifest).encode()))
    with pytest.raises(SubmissionError, match="files its manifest does not list: workspace/extra.py"):
        buffer = io.BytesIO(good)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("workspace/extra.py", b"x")
        submission.read(buffer.getvalue())


@pytest.mark.parametrize("name", ["../evil.py", "/etc/passwd", "workspace/../../x", "workspace\\..\\x", "C:/x"])
def test_unsafe_paths_are_refused(name):
    with pytest.raises(SubmissionError, match="unsafe path"):
        submission.read(_v1_by_hand({**BASIC, name: b"x"}))


def test_links_junk_and_bombs_are_refused(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("workspace/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("submission.json", "{}")
    with pytest.raises(SubmissionError, match="symbolic link"):
        submission.read(buffer.getvalue())
    with pytest.raises(SubmissionError, match="not a ZIP archive"):
        submission.read(b"PK\x03\x04 but not really")
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("notes.txt", "hi")
    with pytest.raises(SubmissionError, match="no submission.json"):
        submission.read(empty.getvalue())
    monkeypatch.setattr(submission, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(SubmissionError, match="unpacks to more than"):
        submission.read(_v1_by_hand({**BASIC, "workspace/big.bin": b"\0" * 5000}))


def test_workspace_files_skip_links_caches_and_stop_at_the_limit(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    (ws / "__pycache__").mkdir(parents=True)
    (ws / "__pycache__" / "x.pyc").write_bytes(b"c")
    (ws / ".git").mkdir()
    (ws / ".git" / "HEAD").write_text("ref")
    (ws / "deploy.py").write_text("print()")
    (ws / "secret-link").symlink_to("/etc/hostname")
    assert submission.workspace_files(ws) == {"deploy.py": b"print()"}
    monkeypatch.setattr(submission, "MAX_FILE_BYTES", 3)
    with pytest.raises(SubmissionError, match="deploy.py is 0 MiB; a workspace file may be at most 0 MiB"):
        submission.workspace_files(ws)


def test_submit_with_bad_arguments_says_so_in_one_line(tmp_path, capsys):
    assert main(["submit", "no-such-lab", "--home", str(tmp_path)]) == 2
    assert "no-such-lab" in capsys.readouterr().err
    assert main(["submit", "s3-genai-storage", "--home", str(tmp_path), "--workspace", str(tmp_path / "nope")]) == 2
    assert f"{tmp_path / 'nope'} does not exist" in capsys.readouterr().err
    (tmp_path / "s.txt").write_text("not a folder")
    assert main(["submit", "s3-genai-storage", "--home", str(tmp_path), "--workspace", str(tmp_path / "s.txt")]) == 2
    assert "--workspace" in (err := capsys.readouterr().err) and "s.txt is not a folder" in err
    (tmp_path / "cloud").mkdir()
    (tmp_path / "cloud" / "journal.jsonl").write_text("garbage\nmore garbage\n")
    assert main(["submit", "s3-genai-storage", "--home", str(tmp_path), "-o", str(tmp_path / "s.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gailab: no submission written: the local cloud's journal cannot be read")
    assert not (tmp_path / "s.zip").exists()


def test_submit_before_any_cloud_work_writes_an_empty_journal(tmp_path, capsys):
    out = tmp_path / "s.gailab.zip"
    assert main(["submit", "s3-genai-storage", "--home", str(tmp_path / "home"), "--learner", "ana", "-o",
                 str(out)]) == 0
    sub = submission.read_file(out)
    assert sub.journal.count(b"\n") == 1 and "setup_storage.py" in sub.workspace
    assert "0 cloud record(s)" in capsys.readouterr().out
