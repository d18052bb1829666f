"""The class store on a real PostgreSQL server: the SQLite schema, upgrades, psql edits named, concurrent graders."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from classwork import cell, class_of_copies, do_labs_by_hand, grade_and_submit, gradebook_json, make_class
from gailab.labs.catalog import get_lab
from gailab.labs.classroom.classstore import CLASS_SCHEMA_VERSION, ClassStore
from gailab.labs.grader import grade
from gailab.labs.store import SCHEMA_VERSION, Store
from gailab.tui.cli import main
from pgserver import plain_url


@pytest.fixture(scope="module")
def work(gailab_session_cloud, tmp_path_factory):
    cloud = gailab_session_cloud
    cloud.reset()
    root = tmp_path_factory.mktemp("pg-learner")
    workspaces = do_labs_by_hand(cloud.endpoint, root, labs=("s3-genai-storage",))
    result = grade_and_submit(cloud.home, cloud.endpoint, root, "ana", workspaces)
    cloud.reset()
    return result


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", plain_url(url), "-c", sql], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_learner_store_on_postgresql_is_upgraded_into_a_class_store(postgres, tmp_path):
    url = postgres.new_database()
    learner = Store(url)  # gailab's ordinary store, as `gailab grade --db postgresql+psycopg://…` makes it
    attempt = learner.record(grade(get_lab("s3-genai-storage"), endpoint="http://127.0.0.1:9", learner="ana",
                                   timeout=1))
    learner.record_event("ana", "s3-genai-storage", "hint", {"step": "bucket"})
    learner.close()
    assert "class_submissions" not in _psql(url, r"\dt")

    klass = ClassStore(url)
    assert klass.schema_version() == SCHEMA_VERSION and klass.class_schema_version() == CLASS_SCHEMA_VERSION
    assert [a.id for a in klass.attempts(learner="ana")] == [attempt]  # the learner's rows are kept
    assert [e.kind for e in klass.events()] == ["hint"]
    assert "class_submissions" in _psql(url, r"\dt")
    # The same URL form works on the command line (postgresql:// is taken as the psycopg driver).
    assert main(["class", "init", "PG class", "--lab", "s3-genai-storage", "--db", plain_url(url)]) == 0
    assert ClassStore(url).name() == "PG class"


def test_a_row_edited_with_psql_is_named_by_verify(postgres, work, tmp_path, capsys):
    db = postgres.new_database()
    make_class(db, [("ana", "Ana", "ana@example.com")], tmp_path, labs=("s3-genai-storage",))
    assert main(["class", "collect", str(work.files["s3-genai-storage"]), "--db", db]) == 0
    assert main(["class", "regrade", "--db", db]) == 0
    assert cell(gradebook_json(db, capsys), "ana", "s3-genai-storage")["best_score"] == 100
    assert main(["class", "verify", "--db", db]) == 0
    capsys.readouterr()

    _psql(db, "UPDATE class_roster SET email = 'someone@else.org' WHERE learner_id = 'ana'")
    assert main(["class", "verify", "--db", db]) == 1
    assert "class_roster row 1 (learner ana) was edited after it was written" in capsys.readouterr().out
    _psql(db, "UPDATE class_roster SET email = 'ana@example.com' WHERE learner_id = 'ana'")  # put back: intact again
    assert main(["class", "verify", "--db", db]) == 0
    capsys.readouterr()

    _psql(db, "DELETE FROM class_check_results WHERE check_id = 'bucket-versioning'; "
              "UPDATE class_submissions SET collected_by = 'nobody' WHERE id = 1")
    assert main(["class", "verify", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "class_results row 1 (submission 1: ana, s3-genai-storage) was edited" in out
    assert "class_submissions row 1 (ana, s3-genai-storage) was edited" in out
    assert main(["class", "gradebook", "--db", db]) == 1


def test_two_regraders_on_one_postgresql_class_store_each_submission_once(postgres, work, tmp_path):
    db = postgres.new_database()
    folder = class_of_copies(db, tmp_path, work.files["s3-genai-storage"], "p", 8)
    # Two collectors at once (two CI runners collecting the same folder): each file is stored once.
    collect = [sys.executable, "-m", "gailab.tui.cli", "class", "collect", str(folder), "--db", db]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: subprocess.run(collect, capture_output=True, text=True, timeout=300), range(2)))
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    stored = sum(int(r.stdout.strip().splitlines()[-1].split()[0]) for r in runs)
    assert stored == 8 and len(ClassStore(db).submissions()) == 8

    regrade = [sys.executable, "-m", "gailab.tui.cli", "class", "regrade", "--db", db, "--jobs", "1"]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: subprocess.run(regrade, capture_output=True, text=True, timeout=600), range(2)))
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    results = ClassStore(db).results()
    assert len(results) == 8 and len({r.submission_id for r in results}) == 8
    assert {r.total for r in results} == {100}
    counts = [int(r.stdout.split("regraded ", 1)[1].split()[0]) for r in runs]
    assert sum(counts) == 8, [r.stdout for r in runs]
    assert _psql(db, "SELECT COUNT(*) FROM class_claims").split()[2] == "0"
    assert main(["class", "verify", "--db", db]) == 0


def test_shards_split_the_class_and_together_cover_it(postgres, work, tmp_path, capsys):
    db = postgres.new_database()
    folder = class_of_copies(db, tmp_path, work.files["s3-genai-storage"], "s", 5)
    main(["class", "collect", str(folder), "--db", db])
    seen = []
    for shard in ("1/2", "2/2"):
        before = {r.submission_id for r in ClassStore(db).results()}
        assert main(["class", "regrade", "--db", db, "--shard", shard]) == 0
        seen.append({r.submission_id for r in ClassStore(db).results()} - before)
    assert seen[0].isdisjoint(seen[1]) and len(seen[0] | seen[1]) == 5
    book = gradebook_json(db, capsys)
    assert all(r["status"] == "graded" for r in book["gradebook"])
    assert main(["class", "regrade", "--db", db, "--shard", "3/2"]) == 2
    assert "I must be between 1 and N" in capsys.readouterr().err
    assert json.loads(json.dumps(book))["chainIntact"] is True
