"""Checkpoints: a start replays only what came after the newest one, and an unusable one is never trusted."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from cloudbuild import assert_mixed_state, build_mixed_state
from gailab.simulator.client import client
from gailab.simulator.core.journal import export_records, import_records, record_problem
from gailab.simulator.core.server import Cloud, active_cloud

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def _clients(endpoint: str):
    return lambda service: client(endpoint, service)


@pytest.fixture
def own_process(gailab_session_cloud):
    """These tests start clouds in this process: the session's cloud steps aside meanwhile (one per process)."""
    gailab_session_cloud.stop()
    yield
    assert active_cloud() is None
    gailab_session_cloud.start()


BIG = bytes(range(256)) * 4096  # 1 MiB: an S3 body that lives in a blob file


def _build(endpoint: str) -> dict:
    client = _clients(endpoint)
    ids = build_mixed_state(client)
    client("s3").put_object(Bucket="genai-outputs", Key="data/big.bin", Body=BIG)
    bedrock = client("bedrock")
    ids["guardrail"] = bedrock.create_guardrail(name="lab-guard", blockedInputMessaging="no",
                                                blockedOutputsMessaging="no")["guardrailId"]
    client("bedrock-runtime").converse(modelId=CLAUDE, messages=[{"role": "user", "content": [{"text": "What is S3?"}]}])
    return ids


def _observe(cloud: Cloud, ids: dict) -> dict:
    client = _clients(cloud.endpoint)
    assert_mixed_state(client, ids)
    s3 = client("s3")
    assert s3.get_object(Bucket="genai-outputs", Key="data/big.bin")["Body"].read() == BIG
    guard = client("bedrock").get_guardrail(guardrailIdentifier=ids["guardrail"])
    ledger = cloud.extension("bedrock").admin_routes()[("GET", "/_gailab/bedrock/invocations")]
    return {"guardrail": (guard["name"], guard["version"]), "records": cloud.journal.count,
            "ledger": len(json.loads(_get(cloud, "/_gailab/bedrock/invocations"))["invocations"]),
            "ledger_route": ledger is not None}


def _get(cloud: Cloud, path: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(cloud.endpoint + path, timeout=10) as reply:
        return reply.read()


def test_a_start_from_a_checkpoint_has_the_same_state_and_replays_only_what_follows(own_process, tmp_path):
    home = tmp_path / "home"
    with Cloud(home) as first:
        ids = _build(first.endpoint)
        before = _observe(first, ids)
    assert first.checkpoints.taken == 1 and first.checkpoints.disabled is None
    with Cloud(home) as second:
        assert second.started_from == before["records"] and second.replayed == 0 and second.warnings == []
        assert _observe(second, ids) == before
        _clients(second.endpoint)("s3").create_bucket(Bucket="after-checkpoint")
    with Cloud(home, checkpoints=False) as third:  # every record, as a submission's regrade does
        assert third.started_from == 0 and third.replayed == before["records"] + 1
        assert _observe(third, ids) == {**before, "records": before["records"] + 1}
    # A checkpoint taken at stop, then two more records while the next cloud ran without checkpoints at stop...
    with Cloud(home, settings={"checkpoint_every": 0}) as fourth:
        assert fourth.started_from == before["records"] + 1
        _clients(fourth.endpoint)("s3").create_bucket(Bucket="one-more")
        _clients(fourth.endpoint)("s3").create_bucket(Bucket="and-another")
        fourth._checkpointer = None  # (no checkpoint at stop either)
    with Cloud(home) as fifth:  # ... are replayed after it
        assert fifth.started_from == before["records"] + 1 and fifth.replayed == 2
        names = {b["Name"] for b in _clients(fifth.endpoint)("s3").list_buckets()["Buckets"]}
        assert {"after-checkpoint", "one-more", "and-another"} <= names


def _one_checkpoint(home) -> list:
    return sorted((home / "cloud" / "checkpoints").glob("checkpoint-*.bin"))


def test_a_damaged_or_foreign_checkpoint_is_not_used(own_process, tmp_path):
    home = tmp_path / "home"
    with Cloud(home) as first:
        ids = _build(first.endpoint)
    [path] = _one_checkpoint(home)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with Cloud(home) as second:
        assert second.started_from == 0 and any("damaged" in w for w in second.warnings)
        _observe(second, ids)
    # One from another home (another admin token) is refused too, even intact.
    other = tmp_path / "other"
    with Cloud(other) as elsewhere:
        _clients(elsewhere.endpoint)("s3").create_bucket(Bucket="elsewhere")
    for old in _one_checkpoint(home):
        old.unlink()
    [foreign] = _one_checkpoint(other)
    shutil.copy(foreign, home / "cloud" / "checkpoints" / foreign.name)
    with Cloud(home) as third:
        assert third.started_from == 0
        assert any("not written by this home's cloud" in w or "no longer holds" in w for w in third.warnings)
        _observe(third, ids)


def test_a_checkpoint_of_another_journal_is_not_used(own_process, tmp_path):
    home = tmp_path / "home"
    with Cloud(home) as first:
        _clients(first.endpoint)("s3").create_bucket(Bucket="first-life")
    journal = home / "cloud" / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(lines[0] + lines[1].replace(b"first-life", b"other-life"))
    with Cloud(home) as second:
        assert second.started_from == 0 and any("no longer holds" in w for w in second.warnings)
        assert [b["Name"] for b in _clients(second.endpoint)("s3").list_buckets()["Buckets"]] == ["other-life"]


def test_reset_and_fresh_forget_checkpoints(own_process, tmp_path):
    home = tmp_path / "home"
    with Cloud(home) as first:
        _clients(first.endpoint)("s3").create_bucket(Bucket="gone")
    assert _one_checkpoint(home)
    with Cloud(home, fresh=True) as fresh:
        assert fresh.started_from == 0 and not _one_checkpoint(home)
        assert _clients(fresh.endpoint)("s3").list_buckets()["Buckets"] == []


def test_export_inlines_blob_bodies_and_the_import_rebuilds_the_cloud(own_process, tmp_path):
    home = tmp_path / "home"
    with Cloud(home) as first:
        ids = _build(first.endpoint)
        before = _observe(first, ids)
    records = list(export_records(home / "cloud"))
    assert all(record_problem(r) is None for r in records) and not any("blob" in r for r in records)
    copy = tmp_path / "copy"
    import_records(copy / "cloud", records)
    with Cloud(copy, checkpoints=False) as rebuilt:
        assert _observe(rebuilt, ids)["ledger"] == before["ledger"]


def test_a_background_checkpoint_waits_for_a_quiet_moment_unless_too_many_records_wait(own_process, tmp_path):
    """A checkpoint stops every request while it copies the state: a burst of calls is not interrupted by one, but
    a backlog of `every * backlog` records is taken even without a pause, so a start never replays much more."""
    from gailab.simulator.core.checkpoint import Checkpointer

    with Cloud(tmp_path / "home", settings={"checkpoint_every": 0}) as cloud:
        s3 = _clients(cloud.endpoint)("s3")
        for index in range(12):
            s3.create_bucket(Bucket=f"burst-{index}")
        policy = Checkpointer(cloud.checkpoints, every=10, quiet=0.3, backlog=4)
        with cloud.state_lock.shared():  # a request in flight: not quiet
            assert cloud.journal.count >= 10 and not policy.due()
        deadline = time.monotonic() + 10
        while not policy.due():  # ...until the cloud has been quiet for 0.3 s
            assert time.monotonic() < deadline, "no checkpoint became due after a quiet moment"
            time.sleep(0.02)
        assert cloud.state_lock.quiet_for() >= 0.3
        for index in range(30):
            s3.create_bucket(Bucket=f"backlog-{index}")
        with cloud.state_lock.shared():  # 42 records waiting >= 10 * 4: due even in the middle of a burst
            assert policy.due()
        cloud.checkpoints.take()
        assert not policy.due()  # nothing new since


def test_small_bodies_restored_from_a_checkpoint_read_back_and_can_be_overwritten(own_process, tmp_path):
    """Small S3 bodies come back from a checkpoint sharing the unpickled bytes (no copy at start): reading, then
    overwriting them with a small or a blob-sized body, and the next checkpoint, all keep the right bytes."""
    home = tmp_path / "home"
    small = {f"notes/{i}.txt": f"note {i} ".encode() * (i + 1) for i in range(5)}
    with Cloud(home) as first:
        s3 = _clients(first.endpoint)("s3")
        s3.create_bucket(Bucket="notes")
        for key, body in small.items():
            s3.put_object(Bucket="notes", Key=key, Body=body)
    with Cloud(home) as second:
        assert second.started_from > 0 and second.replayed == 0
        s3 = _clients(second.endpoint)("s3")
        assert {k: s3.get_object(Bucket="notes", Key=k)["Body"].read() for k in small} == small
        s3.put_object(Bucket="notes", Key="notes/0.txt", Body=b"shorter")
        s3.put_object(Bucket="notes", Key="notes/1.txt", Body=BIG)  # a blob now
        assert s3.get_object(Bucket="notes", Key="notes/0.txt")["Body"].read() == b"shorter"
        assert s3.get_object(Bucket="notes", Key="notes/2.txt", Range="bytes=0-5")["Body"].read() == b"note 2"
    with Cloud(home) as third:
        assert third.started_from == second.journal.count and third.replayed == 0
        s3 = _clients(third.endpoint)("s3")
        expected = {**small, "notes/0.txt": b"shorter", "notes/1.txt": BIG}
        assert {k: s3.get_object(Bucket="notes", Key=k)["Body"].read() for k in expected} == expected
