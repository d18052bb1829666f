"""The SQLite store: attempts survive restarts, two graders at once lose nothing, schema upgrade and refusal."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from gailab.labs.catalog import get_lab
from gailab.labs.grader import grade
from gailab.labs.store import SCHEMA_VERSION, CheckResultRow, Store, StoreError
from gailab.tui.cli import main

DEAD = "http://127.0.0.1:9"  # nothing listens: a fast report whose every check is an error


def test_attempts_land_and_survive_a_restart(cloud, aws, tmp_path):
    lab = get_lab("s3-genai-storage")
    url = f"sqlite:///{tmp_path / 'gailab.db'}"
    store = Store(url)
    aws("s3").create_bucket(Bucket="genai-outputs")
    first = store.record(grade(lab, endpoint=cloud.endpoint, learner="ana"))
    store.record_event("ana", lab.id, "hint", {"step": "bucket", "hint": 0})
    store.close()

    reopened = Store(url)  # a new engine: what a restarted app sees
    attempts = reopened.attempts(learner="ana")
    assert [a.id for a in attempts] == [first]
    bucket_points = next(c.points for _, c in lab.all_checks() if c.id == "bucket-exists")  # the only pass
    assert attempts[0].total == bucket_points and attempts[0].passed is False
    assert attempts[0].report_sha256.startswith("sha256:")
    results = reopened.check_results(first)
    assert [r.check_id for r in results][:2] == ["kms-alias", "bucket-exists"]
    assert results[1].status == "pass" and results[0].status == "fail" and results[0].hint
    progress = reopened.progress("ana")["s3-genai-storage"]
    assert (progress.best_score, progress.passed, progress.attempts, progress.status) == (bucket_points, False, 1,
                                                                                          "in-progress")
    assert progress.last_attempt is not None and progress.last_attempt.tzinfo is not None
    assert [e.kind for e in reopened.events(learner="ana")] == ["hint"]
    assert reopened.progress("nobody") == {}


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'g.db'}")
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with Session(store.engine) as session:
        session.add(CheckResultRow(attempt_id=12345, step_id="s", check_id="c", status="pass", points=1,
                                   max_points=1, message="m"))
        with pytest.raises(IntegrityError):
            session.commit()


WRITER = textwrap.dedent("""
    import sys
    from gailab.labs.catalog import get_lab
    from gailab.labs.grader import grade
    from gailab.labs.store import Store
    url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lab = get_lab("s3-genai-storage")
    report = grade(lab, endpoint="http://127.0.0.1:9", learner="shared", timeout=1)
    store = Store(url)
    for i in range(n):
        store.record(report)
        store.record_event(who, lab.id, "hint", {"i": i})
    print("done", who)
""")


def test_two_graders_writing_at_once_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'class.db'}"
    n = 30
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, who, str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for who in ("grader-a", "grader-b")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    store = Store(url)
    attempts = store.attempts(learner="shared")
    assert len(attempts) == 2 * n
    checks = len(get_lab("s3-genai-storage").all_checks())
    assert sum(len(store.check_results(a.id)) for a in attempts) == 2 * n * checks
    assert len(store.events(learner="grader-a")) == n and len(store.events(learner="grader-b")) == n
    assert store.learners() == ["grader-a", "grader-b", "shared"]  # created once each despite the race
    assert store.progress("shared")["s3-genai-storage"].attempts == 2 * n


def test_a_newer_database_is_refused_with_a_clear_error(tmp_path, capsys):
    path = tmp_path / "new.db"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE gailab_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"written by a newer gailab \(schema 99; this gailab reads up to 2\)"):
        Store(f"sqlite:///{path}")
    assert main(["--home", str(tmp_path), "gradebook", "--db", f"sqlite:///{path}"]) == 2
    assert "newer gailab" in capsys.readouterr().err


def test_an_older_database_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    attempt = store.record(grade(get_lab("s3-genai-storage"), endpoint=DEAD, learner="bia", timeout=1))
    store.close()
    with sqlite3.connect(path) as db:  # make it a schema-1 database: no report digest yet
        db.execute("ALTER TABLE attempts DROP COLUMN report_sha256")
        db.execute("UPDATE gailab_meta SET value = '1' WHERE key = 'schema_version'")
    upgraded = Store(url)
    assert upgraded.schema_version() == SCHEMA_VERSION == 2
    [row] = upgraded.attempts(learner="bia")
    assert row.id == attempt and row.report_sha256.startswith("sha256:") and len(row.report_sha256) == 71


def test_gradebook_csv_export(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'book.db'}"
    store = Store(url)
    lab = get_lab("s3-genai-storage")
    store.record(grade(lab, endpoint=DEAD, learner="carla", timeout=1))
    store.record_event("davi", lab.id, "solve", {})
    assert main(["--home", str(tmp_path), "gradebook", "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "learner,lab,best_score,maximum,passed,attempts,last_attempt,solved_with_reference,not_graded"
    import re

    # carla's only attempt could not reach the cloud: not graded, never shown as a 0
    assert re.fullmatch(r"carla,s3-genai-storage,,100,False,1,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00,False,1", lines[1])
    assert lines[2] == "davi,s3-genai-storage,,0,False,0,,True,0"
    assert main(["--home", str(tmp_path), "gradebook", "--db", url, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "  —/100" in text and "1 attempt(s) (1 not graded)" in text


def test_gradebook_escapes_formulas_in_csv_and_control_characters_in_text(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'book.db'}"
    store = Store(url)
    lab = get_lab("s3-genai-storage")
    store.record(grade(lab, endpoint=DEAD, learner="=cmd()|' /C calc'!A0", timeout=1))
    store.record(grade(lab, endpoint=DEAD, learner="eve\x1b[2J\x1b]0;pwned\x07", timeout=1))
    assert main(["--home", str(tmp_path), "gradebook", "--db", url]) == 0
    book = capsys.readouterr().out
    assert "\n'=cmd()|' /C calc'!A0," in book and "\n=cmd()" not in book
    assert main(["--home", str(tmp_path), "gradebook", "--db", url, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\x07" not in text
    assert "eve\\x1b[2J\\x1b]0;pwned\\x07" in text
