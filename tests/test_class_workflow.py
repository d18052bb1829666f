"""Class mode on a SQLite class store: submit, collect, regrade by replaying the learner's cloud, flags, gradebook."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from classwork import (cell, class_of_copies, do_labs_by_hand, grade_and_submit, gradebook_json, journal_without,
                       make_class, rebuilt)
from gailab.labs import submission
from gailab.labs.catalog import get_lab
from gailab.labs.classroom.classstore import ClassStore
from gailab.tui.cli import main

# bedrock-first-call's score when the report object is missing: every report check fails or is not evaluated.
WITHOUT_REPORT = 100 - sum(c.points for _, c in get_lab("bedrock-first-call").all_checks() if c.id.startswith("report-"))


@pytest.fixture(scope="module")
def work(gailab_session_cloud, tmp_path_factory):
    """Ana does both labs with her own scripts, grades them locally and submits them."""
    cloud = gailab_session_cloud
    cloud.reset()
    root = tmp_path_factory.mktemp("ana")
    workspaces = do_labs_by_hand(cloud.endpoint, root)
    result = grade_and_submit(cloud.home, cloud.endpoint, root, "ana", workspaces)
    cloud.reset()
    return result


def test_a_learner_submits_two_labs_and_a_fresh_regrade_gives_the_same_scores(work, tmp_path, capsys):
    assert {lab: r["total"] for lab, r in work.local.items()} == {"s3-genai-storage": 100, "bedrock-first-call": 100}
    sub = submission.read_file(work.files["bedrock-first-call"])
    assert sub.learner == "ana" and sub.report["total"] == 100 and "answers.json" in sub.workspace
    assert [e["kind"] for e in sub.events] == []

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana Souza", "ana@example.com")], tmp_path)
    assert main(["class", "collect", str(work.files["s3-genai-storage"].parent), "--db", db]) == 0
    assert "2 stored, 0 already collected, 0 rejected" in capsys.readouterr().out
    assert main(["class", "regrade", "--db", db, "--jobs", "2"]) == 0
    out = capsys.readouterr()
    assert "regraded 2 submission(s)" in out.out and "2 passed" in out.out
    # progress on stderr, with an estimate of the time left while submissions remain
    assert re.search(r"^regrade 1/2: [01] passed, [01] failed, 0 errors, about \d+:\d\d left$", out.err, re.M), out.err
    assert "regrade 2/2: 2 passed, 0 failed, 0 errors\n" in out.err

    book = gradebook_json(db, capsys)
    for lab in ("s3-genai-storage", "bedrock-first-call"):
        row = cell(book, "ana", lab)
        assert (row["best_score"], row["latest_score"], row["status"]) == (work.local[lab]["total"],) * 2 + ("graded",)
        assert row["best_passed"] is True and row["solve_used"] is False and row["forged_records"] == 0
    # The regrade's report checks what the local one checked, with the same outcome per check.
    store = ClassStore(db)
    result = next(r for r in store.results() if r.total == 100 and "bedrock" in r.report_json)
    regraded = json.loads(result.report_json)
    assert [(c["id"], c["status"]) for c in regraded["checks"]] == \
        [(c["id"], c["status"]) for c in work.local["bedrock-first-call"]["checks"]]
    assert regraded["regrade"]["journalProblems"] == [] and regraded["regrade"]["replayWarnings"] == []

    # Nothing pending: a second run regrades nothing and adds no rows.
    assert main(["class", "regrade", "--db", db]) == 0
    assert "nothing was pending" in capsys.readouterr().out
    assert len(store.results()) == 2


def test_a_report_that_says_100_over_an_incomplete_cloud_is_graded_by_the_cloud(work, tmp_path, capsys):
    good = work.files["bedrock-first-call"]
    # The learner's report still says 100, but the cloud lacks the report object (the upload was dropped).
    data = rebuilt(good, journal=journal_without(good, lambda r: r.get("uri", "").endswith("/first-call.json")))
    forged = tmp_path / "in" / "bedrock-first-call-ana.gailab.zip"
    forged.parent.mkdir()
    forged.write_bytes(data)
    assert submission.read(data).report["total"] == 100

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", "")], tmp_path)
    assert main(["class", "collect", str(forged), "--db", db]) == 0
    assert main(["class", "regrade", "--db", db]) == 1 - 1  # a failed lab is not an error of the regrade
    row = cell(gradebook_json(db, capsys), "ana", "bedrock-first-call")
    assert row["best_score"] == WITHOUT_REPORT and row["best_passed"] is False
    store = ClassStore(db)
    assert store.submissions()[0].claimed_total == 100  # kept to compare, never used
    statuses = {c.check_id: c.status for c in store.checks_of()[store.results()[0].id]}
    assert statuses["report-format"] == "fail"
    assert statuses["report-matches-ledger"] == "skipped"  # not evaluated: it depends on report-format
    capsys.readouterr()
    assert main(["class", "show", "ana", "bedrock-first-call", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert (f"the learner's own report said 100; the regrade gives {WITHOUT_REPORT}" in shown
            and f"Total: {WITHOUT_REPORT}/100" in shown)
    assert main(["class", "show", "ana", "bedrock-first-call", "--db", db, "--lang", "pt-BR"]) == 0
    shown = capsys.readouterr().out
    assert f"o relatório do próprio aluno dizia 100; a reavaliação dá {WITHOUT_REPORT}" in shown and "NÃO APROVADO" in shown
    assert main(["class", "show", "bia", "bedrock-first-call", "--db", db]) == 1


def test_a_submission_after_lab_solve_is_flagged_even_without_its_events(cloud, tmp_path, capsys):
    db_learner = f"sqlite:///{tmp_path / 'bob.db'}"
    ws = tmp_path / "bobhome" / "workspaces" / "s3-genai-storage"
    assert main(["lab", "solve", "s3-genai-storage", "--endpoint", cloud.endpoint, "--home", str(tmp_path / "bobhome"),
                 "--db", db_learner, "--learner", "bob"]) == 0
    out = tmp_path / "subs"
    with_events = out / "s3-genai-storage-bob.gailab.zip"
    assert main(["submit", "s3-genai-storage", "--home", str(cloud.home), "--workspace", str(ws), "--db",
                 db_learner, "--learner", "bob", "--output", str(with_events)]) == 0
    assert "reference solution was applied" in capsys.readouterr().out
    assert [e["kind"] for e in submission.read_file(with_events).events] == ["solve"]
    # Bob deletes the events from his store (or the file): the journal still shows the solution's calls.
    (out / "s3-genai-storage-bob2.gailab.zip").write_bytes(rebuilt(with_events, events=[], learner="bob2"))

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("bob", "Bob", ""), ("bob2", "Bob again", "")], tmp_path, labs=("s3-genai-storage",))
    assert main(["class", "collect", str(out), "--db", db]) == 0
    assert main(["class", "regrade", "--db", db, "--jobs", "2"]) == 0
    book = gradebook_json(db, capsys)
    for who in ("bob", "bob2"):
        row = cell(book, who, "s3-genai-storage")
        assert row["solve_used"] is True and row["best_score"] == 100
    details = {r.submission_id: json.loads(r.detail_json) for r in ClassStore(db).results()}
    assert all(d["solveLines"] for d in details.values())
    assert sorted(d["solveEvents"] for d in details.values()) == [0, 1]
    capsys.readouterr()
    assert main(["class", "gradebook", "--db", db, "--format", "text"]) == 0
    assert "solve used" in capsys.readouterr().out


def test_collect_stores_each_file_once_and_rejects_unknown_learners_and_labs(work, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", "")], tmp_path, labs=("s3-genai-storage",))
    folder = tmp_path / "in"
    folder.mkdir()
    good = work.files["s3-genai-storage"]
    (folder / "a.gailab.zip").write_bytes(good.read_bytes())
    (folder / "copy.gailab.zip").write_bytes(good.read_bytes())
    (folder / "zed.gailab.zip").write_bytes(rebuilt(good, learner="zed"))
    (folder / "other-lab.gailab.zip").write_bytes(work.files["bedrock-first-call"].read_bytes())
    (folder / "junk.gailab.zip").write_bytes(b"not a zip at all")
    assert main(["class", "collect", str(folder), "--db", db]) == 1
    out = capsys.readouterr().out
    assert "1 stored, 1 already collected, 3 rejected" in out
    assert "learner 'zed' is not in the class roster" in out
    assert "lab 'bedrock-first-call' is not a lab of this class (s3-genai-storage)" in out
    assert "not a gailab submission: not a ZIP archive" in out
    assert main(["class", "collect", str(folder / "a.gailab.zip"), "--db", db]) == 0
    assert "0 stored, 1 already collected" in capsys.readouterr().out
    assert len(ClassStore(db).submissions()) == 1


def _edit(db_path, sql: str) -> None:
    """An edit made behind gailab's back, with the sqlite3 shell (Python's sqlite3 where the shell is missing)."""
    import shutil

    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(db_path), sql], check=True, capture_output=True)
    else:
        with sqlite3.connect(db_path) as conn:
            conn.executescript(sql)


def test_rows_edited_inserted_or_deleted_with_sqlite3_are_named_and_the_gradebook_refuses(work, tmp_path, capsys):
    path = tmp_path / "class.db"
    db = f"sqlite:///{path}"
    make_class(db, [("ana", "Ana", ""), ("=cmd()", "=cmd()", "evil@example.com")], tmp_path)
    main(["class", "collect", str(work.files["s3-genai-storage"].parent), "--db", db])
    assert main(["class", "regrade", "--db", db, "--jobs", "2"]) == 0
    capsys.readouterr()
    assert main(["class", "verify", "--db", db]) == 0
    assert "the chain is intact: 8 row(s)" in capsys.readouterr().out

    _edit(path, "UPDATE class_results SET total = 99 WHERE id = 1;")
    assert main(["class", "verify", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "class_results row 1 (submission " in out and ": ana, " in out and "was edited after it was written" in out
    assert main(["class", "gradebook", "--db", db]) == 1
    err = capsys.readouterr().err
    assert "chain is broken" in err and "class_results row 1" in err
    assert main(["class", "gradebook", "--db", db, "--allow-broken-chain", "--format", "csv"]) == 0
    assert "chain is broken" in capsys.readouterr().err

    _edit(path, "DELETE FROM class_roster WHERE learner_id = '=cmd()';")
    _edit(path, "INSERT INTO class_check_results (result_id, step_id, check_id, status, points, max_points) "
                "VALUES (2, 's', 'extra', 'pass', 50, 50);")
    assert main(["class", "verify", "--db", db, "--format", "json"]) == 1
    messages = [p["message"] for p in json.loads(capsys.readouterr().out)["problems"]]
    assert any("chain position 4 missing after class_roster row 1 (learner ana): a row was deleted" in m
               for m in messages), messages
    assert any(m.startswith("class_results row 2 ") and "edited" in m for m in messages)

    _edit(path, "INSERT INTO class_roster (learner_id, name, email, set_at) VALUES ('mallory', 'M', '', "
                "'2026-01-01 00:00:00');")
    assert main(["class", "verify", "--db", db]) == 1
    assert "class_roster row 2 (learner mallory) is not in the chain" in capsys.readouterr().out


def test_the_csv_gradebook_escapes_formulas_in_learner_names(work, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "=cmd()", "@evil"), ("+1", "-2+3", "x@example.com")], tmp_path)
    for layout in ("rows", "lms"):
        capsys.readouterr()
        assert main(["class", "gradebook", "--db", db, "--layout", layout]) == 0
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
        flat = [value for row in rows[1:] for value in row]
        assert "'=cmd()" in flat and "'@evil" in flat and "'+1" in flat and "'-2+3" in flat
        assert not any(v.startswith(("=", "+", "-", "@")) for v in flat)
    assert rows[0][:3] == ["id", "name", "email"] and rows[0][3:] == ["s3-genai-storage (?)",
                                                                       "bedrock-first-call (?)"]
    capsys.readouterr()
    make_class(db, [("\x1b[2Jx", "ok", "")], tmp_path)
    assert main(["class", "gradebook", "--db", db, "--format", "text"]) == 0
    assert "\x1b" not in capsys.readouterr().out


def test_bad_journal_lines_are_reported_by_number_and_the_rest_is_graded(work, tmp_path, capsys):
    good = work.files["s3-genai-storage"]
    lines = submission.read_file(good).journal.split(b"\n")
    lines.insert(2, b'{"seq": 2, "kind": "http", "method": "PUT", "uri": "/x", "headers": [], "body": "!!"}')
    lines.insert(4, b"I was here")
    edited = tmp_path / "in" / "s3.gailab.zip"
    edited.parent.mkdir()
    edited.write_bytes(rebuilt(good, journal=b"\n".join(lines)))
    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", "")], tmp_path)
    main(["class", "collect", str(edited), "--db", db])
    assert main(["class", "regrade", "--db", db]) == 0
    result = ClassStore(db).results()[0]
    detail = json.loads(result.detail_json)
    assert [(p["line"], p["problem"]) for p in detail["journalProblems"]] == [
        (3, "'body' is not valid base64"), (5, "not JSON (Expecting value)")]
    assert result.total == 100 and result.journal_problems == 2


def test_ctrl_c_stops_a_regrade_cleanly_and_the_next_run_resumes(work, tmp_path):
    db = f"sqlite:///{tmp_path / 'class.db'}"
    folder = class_of_copies(db, tmp_path, work.files["s3-genai-storage"], "l", 6)
    assert main(["class", "collect", str(folder), "--db", db]) == 0
    store = ClassStore(db)
    cmd = [sys.executable, "-m", "gailab.tui.cli", "class", "regrade", "--db", db, "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not store.results() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    done = len(store.results())
    if proc.returncode == 0:  # the machine was quick enough to finish before the signal: nothing to resume
        assert done == 6
    else:
        assert proc.returncode == 130, err
        assert "run the same command again to resume" in err
        assert 1 <= done < 6
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM class_claims").scalar() == 0
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"regraded {6 - done} submission(s)" in rerun.stdout
    results = store.results()
    assert len(results) == 6 and len({r.submission_id for r in results}) == 6


def test_stats_show_where_the_class_is_stuck(work, tmp_path, capsys):
    good = work.files["bedrock-first-call"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.gailab.zip").write_bytes(good.read_bytes())
    (folder / "b.gailab.zip").write_bytes(rebuilt(
        good, learner="bia", journal=journal_without(good, lambda r: r.get("uri", "").endswith("/first-call.json"))))
    (folder / "c.gailab.zip").write_bytes(rebuilt(
        good, learner="caio", journal=journal_without(good, lambda r: r.get("uri", "").endswith("/first-call.json"))))
    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", ""), ("bia", "Bia", ""), ("caio", "Caio", ""), ("dani", "Dani", "")], tmp_path)
    main(["class", "collect", str(folder), "--db", db])
    main(["class", "regrade", "--db", db, "--jobs", "2"])
    capsys.readouterr()
    assert main(["class", "stats", "--db", db, "--format", "json", "--lab", "bedrock-first-call"]) == 0
    (lab,) = json.loads(capsys.readouterr().out)["labs"]
    assert (lab["learners"], lab["submitted"], lab["graded"], lab["passed"], lab["passRate"]) == (4, 3, 3, 1, 0.333)
    counts = [b["learners"] for b in lab["distribution"]]
    assert counts[WITHOUT_REPORT // 10] == 2 and counts[9] == 1 and sum(counts) == 3  # two without the report
    top = lab["mostFailed"][0]
    assert top["check"] in ("report-format", "report-matches-ledger") and top["failures"] == 2
    assert top["actual"][0]["learners"] == 2
    assert main(["class", "stats", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "pass rate 33%" in text and "most failed checks" in text and "report-format: 2 learner(s)" in text


def test_late_submissions_are_flagged_and_a_regrade_that_times_out_is_retried(work, tmp_path, capsys, monkeypatch):
    from datetime import datetime, timezone

    from gailab.labs.catalog import get_lab
    from gailab.labs.classroom import regrade as regrade_module

    db = f"sqlite:///{tmp_path / 'class.db'}"
    assert main(["class", "init", "T", "--db", db, "--lab", "s3-genai-storage@2026-01-01T00:00Z"]) == 0
    (tmp_path / "r.csv").write_text("id,name,email\nana,Ana,\n")
    main(["class", "roster", "import", str(tmp_path / "r.csv"), "--db", db])
    folder = tmp_path / "in"
    folder.mkdir()
    good = work.files["s3-genai-storage"]
    (folder / "on-time.gailab.zip").write_bytes(rebuilt(good, created_at=datetime(2025, 12, 31, tzinfo=timezone.utc)))
    (folder / "late.gailab.zip").write_bytes(rebuilt(good, created_at=datetime(2026, 1, 2, tzinfo=timezone.utc)))
    assert main(["class", "collect", str(folder), "--db", db]) == 0

    monkeypatch.setattr(regrade_module, "JOB_TIMEOUT", 0.0)  # every regrade overruns: the worker is replaced
    store = ClassStore(db)
    summary = regrade_module.regrade(store, {"s3-genai-storage": get_lab("s3-genai-storage")}, jobs=1)
    assert (summary.stored, summary.errors) == (2, 2)
    assert all("did not finish within 0 s" in json.loads(r.detail_json)["error"] for r in store.results())
    row = cell(gradebook_json(db, capsys), "ana", "s3-genai-storage")
    assert row["status"] == "error" and row["best_score"] is None
    monkeypatch.undo()

    assert main(["class", "regrade", "--db", db]) == 0
    assert "nothing was pending" in capsys.readouterr().out  # an error stays until asked to retry
    assert main(["class", "regrade", "--db", db, "--retry-errors"]) == 0
    assert "regraded 2 submission(s)" in capsys.readouterr().out
    row = cell(gradebook_json(db, capsys), "ana", "s3-genai-storage")
    assert (row["status"], row["best_score"], row["best_late"], row["latest_late"]) == ("graded", 100, False, True)
    assert row["due"] == "2026-01-01T00:00:00Z" and row["submissions"] == 2
    assert len(store.results()) == 4 and store.verify() == []


def _journal_with(path, extra: list[dict], drop=lambda r: False) -> bytes:
    from gailab.simulator.core.journal import encode_records, parse_lines

    records = [r for r in parse_lines(submission.read_file(path).journal).records if not drop(r)]
    return encode_records(records + extra)


def test_a_hand_added_bedrock_invocation_is_flagged_as_forged_and_not_counted(work, tmp_path, capsys):
    import copy

    from gailab.simulator.core.journal import parse_lines

    good = work.files["bedrock-first-call"]
    records = parse_lines(submission.read_file(good).journal).records
    claude = next(r for r in records if r["kind"] == "ledger" and r["record"]["operation"] == "InvokeModel")
    converse = next(r for r in records if r["kind"] == "ledger" and r["record"]["operation"] == "Converse")
    last = max(r["seq"] for r in records)
    # The learner never called Converse. They add two lines: one copied from the Claude call and edited into a
    # Converse on Nova, and one written by hand (no request at all).
    edited = copy.deepcopy(claude)
    edited["seq"] = last + 1
    edited["record"].update(operation="Converse", modelId="amazon.nova-micro-v1:0",
                            requestedModelId="amazon.nova-micro-v1:0", requestId="00000000-0000-0000-0000-000000000001")
    by_hand = {"seq": last + 2, "time": edited["time"], "kind": "ledger",
               "record": {k: v for k, v in converse["record"].items() if k not in ("request", "seed", "outputHash")}}
    journal = _journal_with(good, [edited, by_hand], drop=lambda r: r is converse or r["seq"] == converse["seq"])
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "forged.gailab.zip").write_bytes(rebuilt(good, journal=journal))
    (folder / "honest.gailab.zip").write_bytes(rebuilt(good, learner="bia"))

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", ""), ("bia", "Bia", "")], tmp_path, labs=("bedrock-first-call",))
    main(["class", "collect", str(folder), "--db", db])
    assert main(["class", "regrade", "--db", db, "--jobs", "2"]) == 0
    book = gradebook_json(db, capsys)
    forged_row, honest_row = cell(book, "ana", "bedrock-first-call"), cell(book, "bia", "bedrock-first-call")
    assert (forged_row["status"], forged_row["forged_records"]) == ("forged ledger", 2)
    assert forged_row["best_score"] < 100 and forged_row["best_passed"] is False
    assert (honest_row["status"], honest_row["forged_records"], honest_row["best_score"]) == ("graded", 0, 100)

    results = {json.loads(r.report_json)["learner"]: r for r in ClassStore(db).results()}
    detail = json.loads(results["ana"].detail_json)
    lines = sorted(v["line"] for v in detail["forged"])
    total_lines = journal.count(b"\n")
    assert lines == [total_lines - 1, total_lines]  # the two added lines, by number
    why = {v["line"]: v["why"] for v in detail["forged"]}
    assert "modelId: recorded 'amazon.nova-micro-v1:0', re-run 'anthropic.claude-3-haiku" in why[total_lines - 1]
    assert "no request to re-run" in why[total_lines]
    checks = {c["id"]: c["status"] for c in json.loads(results["ana"].report_json)["checks"]}
    assert checks["converse-titan-nova"] == "fail" and checks["invoke-claude"] == "pass"
    honest = json.loads(results["bia"].report_json)["regrade"]["ledger"]
    assert [v["verdict"] for v in honest] == ["verified", "verified"]
    capsys.readouterr()
    assert main(["class", "gradebook", "--db", db, "--format", "text"]) == 0
    assert "2 forged" in capsys.readouterr().out
    assert main(["class", "show", "ana", "bedrock-first-call", "--db", db]) == 0
    assert f"forged ledger record, journal line {total_lines}: it has no request" in capsys.readouterr().out


def test_calls_with_a_guardrail_are_checked_against_the_guardrail_as_it_was(cloud, aws, tmp_path):
    """A guardrail changed after a call still verifies that call; a forged guardrail verdict does not."""
    import copy

    from gailab.simulator.core.journal import parse_lines

    bedrock, runtime = aws("bedrock"), aws("bedrock-runtime")
    guardrail = bedrock.create_guardrail(
        name="pii", blockedInputMessaging="blocked", blockedOutputsMessaging="blocked",
        sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "BLOCK"}]})
    runtime.converse(modelId="amazon.nova-micro-v1:0",
                     messages=[{"role": "user", "content": [{"text": "Write to ana@example.com about the refund."}]}],
                     guardrailConfig={"guardrailIdentifier": guardrail["guardrailId"], "guardrailVersion": "DRAFT"})
    # Later the learner relaxes the draft: the call above was still blocked when it was made.
    bedrock.update_guardrail(guardrailIdentifier=guardrail["guardrailId"], name="pii", blockedInputMessaging="blocked",
                             blockedOutputsMessaging="blocked",
                             sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "PHONE",
                                                                                        "action": "BLOCK"}]})
    path = tmp_path / "s.gailab.zip"
    assert main(["submit", "s3-genai-storage", "--home", str(cloud.home), "--learner", "ana", "-o", str(path),
                 "--db", f"sqlite:///{tmp_path / 'l.db'}"]) == 0
    records = parse_lines(submission.read_file(path).journal).records
    call = next(r for r in records if r["kind"] == "ledger")
    assert call["record"]["guardrailAction"] == "INTERVENED"
    from gailab.simulator.bedrock import state as bedrock_state
    from gailab.simulator.bedrock.verify import differences

    assert differences(call, bedrock_state.of(cloud))  # against today's guardrail the honest call would not match
    forged = copy.deepcopy(call)
    forged["seq"] = max(r["seq"] for r in records) + 1
    forged["record"]["guardrailAction"] = "NONE"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.gailab.zip").write_bytes(rebuilt(path, journal=_journal_with(path, [forged])))

    db = f"sqlite:///{tmp_path / 'class.db'}"
    make_class(db, [("ana", "Ana", "")], tmp_path, labs=("s3-genai-storage",))
    main(["class", "collect", str(tmp_path / "in"), "--db", db])
    main(["class", "regrade", "--db", db])
    verdicts = json.loads(ClassStore(db).results()[0].report_json)["regrade"]["ledger"]
    assert [(v["seq"], v["verdict"]) for v in verdicts] == [(call["seq"], "verified"), (forged["seq"], "forged")]
    # The copy claims the call went through; re-run where it stands in the journal, it is something else.
    assert "stopReason: recorded 'guardrail_intervened', re-run 'end_turn'" in verdicts[1]["why"]
