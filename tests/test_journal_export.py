"""Taking a cloud elsewhere: export_records/import_records rebuild it exactly; parse_lines trusts nothing."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from botocore.config import Config

from cloudbuild import assert_mixed_state, build_mixed_state
from gailab.simulator import CloudProcess
from gailab.simulator.core.journal import (JournalError, encode_records, export_records, import_records,
                                           parse_lines, record_problem)


def _client_factory(endpoint: str):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    return lambda service: session.client(service, endpoint_url=endpoint, config=config)


def test_exported_records_rebuild_the_same_cloud_in_a_new_home(cloud, tmp_path):
    ids = build_mixed_state(_client_factory(cloud.endpoint))
    records = list(export_records(cloud.journal.directory))
    assert len(records) == cloud.journal.count > 20
    assert all(record_problem(r) is None for r in records)

    copy_home = tmp_path / "elsewhere"
    assert import_records(copy_home / "cloud", records) == len(records)
    rebuilt = CloudProcess(copy_home).start()
    try:
        assert_mixed_state(_client_factory(rebuilt.endpoint), ids)
    finally:
        rebuilt.stop()
    # What the copy holds is what was exported, record for record.
    assert list(export_records(copy_home / "cloud")) == records


def test_import_refuses_a_folder_that_already_holds_a_cloud(tmp_path):
    import_records(tmp_path / "cloud", [])
    with pytest.raises(JournalError, match="not empty"):
        import_records(tmp_path / "cloud", [])


def test_export_of_a_home_without_a_journal_is_empty_and_a_torn_last_line_is_left_out(tmp_path):
    assert list(export_records(tmp_path / "cloud")) == []
    good = {"seq": 1, "time": 1.0, "kind": "http", "method": "PUT", "uri": "/b", "headers": [], "body": "", "seed": 7}
    (tmp_path / "cloud").mkdir()
    (tmp_path / "cloud" / "journal.jsonl").write_bytes(encode_records([good]) + b'{"seq": 2, "ki')
    assert list(export_records(tmp_path / "cloud")) == [good]


def _http(seq, **over):
    record = {"seq": seq, "time": 1.0, "kind": "http", "method": "PUT", "uri": "/bucket", "headers": [["A", "b"]],
              "body": base64.b64encode(b"x").decode(), "seed": 42}
    record.update(over)
    return record


def test_parse_lines_reports_each_bad_line_by_number_and_keeps_the_rest():
    lines = [
        json.dumps({"gailab-journal": 1, "created": 0}),
        json.dumps(_http(1)),
        "this is not json",
        json.dumps(_http(2, method="STEAL")),
        json.dumps(_http(3, body="%%%")),
        json.dumps(_http(4, headers={"a": "b"})),
        json.dumps(_http(5, uri="http://elsewhere/")),
        json.dumps({"seq": 6, "kind": "ledger", "record": {}}),
        json.dumps(_http(6)),  # seq 6 again
        "",
        json.dumps(["a", "list"]),
        json.dumps(_http(7, seed="no")),
    ]
    parsed = parse_lines(("\n".join(lines) + "\n").encode())
    assert [r["seq"] for r in parsed.records] == [1, 6]
    assert parsed.lines == [2, 8]
    assert parsed.line_of(6) == 8
    problems = dict(parsed.problems)
    assert sorted(problems) == [3, 4, 5, 6, 7, 9, 10, 11, 12]
    assert problems[3].startswith("not JSON")
    assert "'method'" in problems[4] and "base64" in problems[5] and "'headers'" in problems[6]
    assert "'uri'" in problems[7] and "does not follow seq 6" in problems[9] and problems[10] == "an empty line"
    assert "JSON object" in problems[11] and "'seed'" in problems[12]


def test_parse_lines_without_a_header_or_from_a_newer_gailab():
    assert parse_lines(b"").problems == [(1, "the journal is empty: it has no header line")]
    headless = parse_lines((json.dumps(_http(1)) + "\n").encode())
    assert headless.problems == [(1, "line 1 is not a gailab journal header")]
    newer = parse_lines(b'{"gailab-journal": 99}\n' + json.dumps(_http(1)).encode() + b"\n")
    assert newer.records == [] and "newer" in newer.problems[0][1]
