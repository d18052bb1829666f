"""The class store without a cloud: labs and due dates, the roster, a keyed chain, upgrades, one-line errors."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from gailab.labs.classroom import chain
from gailab.labs.classroom.classstore import ClassError, ClassStore, parse_roster, shard_of
from gailab.labs.store import SCHEMA_VERSION, Store
from gailab.tui.cli import main
from gailab.tui.commands_class import parse_due, parse_shard
from gailab.tui.errors import UsageError


def test_due_dates_are_read_as_instructors_write_them():
    brt = timezone(timedelta(hours=-3))
    assert parse_due("2026-12-20", brt) == datetime(2026, 12, 21, 2, 59, 59, tzinfo=timezone.utc)
    assert parse_due("2026-12-20T23:59-03:00") == datetime(2026, 12, 21, 2, 59, tzinfo=timezone.utc)
    assert parse_due("2026-12-20T12:00Z") == datetime(2026, 12, 20, 12, tzinfo=timezone.utc)
    with pytest.raises(UsageError, match="not ISO 8601"):
        parse_due("20/12/2026")
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1-4"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    hashes = [f"sha256:{hashlib.sha256(str(i).encode()).hexdigest()}" for i in range(60)]
    counts = [sum(1 for h in hashes if shard_of(h, 3) == n) for n in (1, 2, 3)]
    assert sum(counts) == 60 and min(counts) >= 10  # every submission in one shard, spread


def test_init_again_changes_labs_and_due_dates_with_new_chained_rows(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["class", "init", "Turma A", "--db", db, "--lab", "s3-genai-storage@2026-12-20T23:59Z",
                 "--lab", "bedrock-first-call"]) == 0
    assert "lab s3-genai-storage due 2026-12-20T23:59Z; lab bedrock-first-call" in capsys.readouterr().out
    assert main(["class", "init", "Turma A", "--db", db, "--lab", "s3-genai-storage@2026-12-22T23:59Z"]) == 0
    out = capsys.readouterr().out
    assert "lab s3-genai-storage due 2026-12-22T23:59Z" in out and "lab bedrock-first-call removed" in out
    store = ClassStore(db)
    assert [(lab.lab_id, lab.due) for lab in store.labs()] == [("s3-genai-storage", datetime(2026, 12, 22, 23, 59))]
    assert main(["class", "init", "Turma A", "--db", db, "--lab", "s3-genai-storage@2026-12-22T23:59Z"]) == 0
    assert "no change" in capsys.readouterr().out
    assert store.verify() == []
    assert main(["class", "init", "X", "--db", db, "--lab", "no-such-lab"]) == 2
    assert main(["class", "init", "X", "--db", db, "--lab", "s3-genai-storage", "--lab", "s3-genai-storage"]) == 2
    assert "given twice" in capsys.readouterr().err


def test_the_roster_is_read_with_its_line_numbers_and_updated_in_place(tmp_path, capsys):
    rows = parse_roster("\ufeffID,Name,E-mail,Email\n a1 ,Ana,x,ana@example.com\nb2,,,\n")
    assert rows == [{"id": "a1", "name": "Ana", "email": "ana@example.com"}, {"id": "b2", "name": "b2", "email": ""}]
    with pytest.raises(ClassError, match="roster line 3: id 'a1' is already on line 2"):
        parse_roster("id,name\na1,A\na1,B\n")
    with pytest.raises(ClassError, match="no 'id' column"):
        parse_roster("name,email\nA,a@x\n")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    main(["class", "init", "T", "--db", db, "--lab", "s3-genai-storage"])
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,email\na1,Ana,ana@example.com\nb2,Bia,\n")
    assert main(["class", "roster", "import", str(roster), "--db", db]) == 0
    roster.write_text("id,name,email\na1,Ana Souza,ana@example.com\nb2,Bia,\nc3,Caio,\n")
    assert main(["class", "roster", "import", str(roster), "--db", db]) == 0
    assert "1 added, 1 updated, 1 unchanged" in capsys.readouterr().out
    assert main(["class", "roster", "list", "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["a1", "b2", "c3"] and "Ana Souza" in listed[0]
    roster.write_text("id,name\n,Nobody\n")
    assert main(["class", "roster", "import", str(roster), "--db", db]) == 2
    assert "roster line 2: the id is empty" in capsys.readouterr().err


def test_a_keyed_chain_needs_its_key_and_cannot_be_recomputed_without_it(tmp_path, monkeypatch, capsys):
    path = tmp_path / "c.db"
    db = f"sqlite:///{path}"
    monkeypatch.setenv("GAILAB_CLASS_KEY", "s3cret-class-key")
    main(["class", "init", "T", "--db", db, "--lab", "s3-genai-storage"])
    (tmp_path / "r.csv").write_text("id,name,email\na1,Ana,\n")
    assert main(["class", "roster", "import", str(tmp_path / "r.csv"), "--db", db]) == 0
    assert main(["class", "verify", "--db", db]) == 0
    capsys.readouterr()
    with sqlite3.connect(path) as conn:
        (row_hash,) = conn.execute("SELECT chain_hash FROM class_roster").fetchone()
    assert row_hash.startswith("hmac-sha256:")

    monkeypatch.delenv("GAILAB_CLASS_KEY")
    assert main(["class", "verify", "--db", db]) == 2
    assert "chain is keyed" in capsys.readouterr().err
    monkeypatch.setenv("GAILAB_CLASS_KEY", "another-key")
    assert main(["class", "roster", "import", str(tmp_path / "r.csv"), "--db", db]) == 2
    key_file = tmp_path / "key"
    key_file.write_text("s3cret-class-key\n")
    assert main(["class", "verify", "--db", db, "--key-file", str(key_file)]) == 0

    # Someone without the key edits a row and recomputes its plain hash and the next links: still caught.
    store = ClassStore(db, key=b"s3cret-class-key")
    entry = store.roster()["a1"]
    entry.name = "Mallory"
    forged = chain.link_hash(None, entry.chain_prev, "class_roster", chain.row_content(entry))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE class_roster SET name = 'Mallory', chain_hash = ? WHERE learner_id = 'a1'", (forged,))
        conn.execute("UPDATE class_settings SET value = ? WHERE key = 'chain_head'", (f"2:{forged}",))
    problems = [p.message for p in store.verify()]
    assert problems == ["class_roster row 1 (learner a1) was edited after it was written: its content no longer "
                        "matches its hash"]


def test_a_learner_store_file_is_upgraded_into_a_class_store(tmp_path):
    path = tmp_path / "gailab.db"
    Store(f"sqlite:///{path}").record_event("ana", "s3-genai-storage", "solve", {})
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'class_results'").fetchone() == (0,)
    store = ClassStore(f"sqlite:///{path}")
    assert store.schema_version() == SCHEMA_VERSION and store.class_schema_version() == 1
    assert [e.kind for e in store.events()] == ["solve"] and not store.is_initialised()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE gailab_meta SET value = '9' WHERE key = 'class_schema_version'")
    with pytest.raises(Exception, match=r"newer gailab \(class schema 9; this gailab reads up to 1\)"):
        ClassStore(f"sqlite:///{path}")


def test_class_commands_without_a_class_or_a_store_say_so_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GAILAB_CLASS_DB", raising=False)
    assert main(["class", "verify"]) == 2
    assert "give the class store with --db" in capsys.readouterr().err
    assert main(["class", "gradebook", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no class store at" in capsys.readouterr().err
    Store(f"sqlite:///{tmp_path / 'plain.db'}")
    assert main(["class", "stats", "--db", str(tmp_path / "plain.db")]) == 2
    assert "no class in sqlite:///" in capsys.readouterr().err
    assert main(["class", "verify", "--db", "postgresql://grader:hunter2@127.0.0.1:9/class"]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err and "***" in err and err.count("\n") == 1
    assert main(["class", "collect", str(tmp_path / "nothing-here"), "--db", f"sqlite:///{tmp_path / 'plain.db'}"]) == 2


def test_an_empty_class_exports_an_empty_gradebook(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    main(["class", "init", "T", "--db", db, "--lab", "s3-genai-storage"])
    capsys.readouterr()
    assert main(["class", "gradebook", "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"class": "T", "chainIntact": True, "gradebook": []}
    assert main(["class", "stats", "--db", db]) == 0
    assert "0/0 learners submitted" in capsys.readouterr().out
    assert main(["class", "regrade", "--db", db]) == 0
    assert "nothing was pending" in capsys.readouterr().out


def test_a_stored_report_reads_back_into_the_same_texts():
    from gailab.labs.catalog import get_lab
    from gailab.labs.grader import grade
    from gailab.labs.report import Report

    report = grade(get_lab("bedrock-first-call"), endpoint="http://127.0.0.1:9", learner="ana", timeout=1)
    again = Report.from_json(json.loads(json.dumps(report.to_json("pt-BR"))))
    for lang in ("en", "pt-BR"):
        assert again.to_text(lang).rsplit("[", 1)[0] == report.to_text(lang).rsplit("[", 1)[0]
    assert again.to_junit("en").count("<testcase") == len(report.results)
    assert (again.status, again.total, again.exit_code()) == (report.status, report.total, report.exit_code())
