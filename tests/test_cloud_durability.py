"""The journal keeps every acknowledged change across kill -9, a torn write and a damaged file."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from cloudbuild import assert_mixed_state, build_mixed_state
from gailab.simulator import CloudProcess
from gailab.simulator.core.process import health
from gailab.simulator.testing import admin_request


def _client_factory(endpoint: str):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    return lambda service: session.client(service, endpoint_url=endpoint, config=config)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_kill_9_then_restart_brings_back_everything_with_the_same_ids(home):
    first = CloudProcess(home).start()
    try:
        ids = build_mixed_state(_client_factory(first.endpoint))
        records = health(first.endpoint)["journalRecords"]
    finally:
        first.kill()
    assert records > 20
    second = CloudProcess(home).start()
    try:
        report = health(second.endpoint)
        assert report["journalRecords"] == records
        assert report["warnings"] == []
        assert_mixed_state(_client_factory(second.endpoint), ids)
        # New work after the restart keeps appending to the same journal.
        _client_factory(second.endpoint)("s3").create_bucket(Bucket="after-restart")
    finally:
        second.stop()
    third = CloudProcess(home).start()
    try:
        names = [b["Name"] for b in _client_factory(third.endpoint)("s3").list_buckets()["Buckets"]]
        assert sorted(names) == ["after-restart", "genai-outputs"]
    finally:
        third.stop()


def test_a_torn_last_record_is_skipped_and_everything_before_it_restored(home):
    cloud = CloudProcess(home).start()
    try:
        s3 = _client_factory(cloud.endpoint)("s3")
        s3.create_bucket(Bucket="kept-bucket")
        s3.put_object(Bucket="kept-bucket", Key="a.txt", Body=b"kept")
        s3.put_object(Bucket="kept-bucket", Key="b.txt", Body=b"torn")
    finally:
        cloud.kill()
    journal = home / "cloud" / "journal.jsonl"
    data = journal.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    journal.write_bytes(data[: last_start + (len(data) - last_start) // 2])  # cut the last record in half

    restarted = CloudProcess(home).start()
    try:
        report = health(restarted.endpoint)
        assert any("torn" in w for w in report["warnings"])
        s3 = _client_factory(restarted.endpoint)("s3")
        assert s3.get_object(Bucket="kept-bucket", Key="a.txt")["Body"].read() == b"kept"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="kept-bucket").get("Contents", [])]
        assert keys == ["a.txt"]
        s3.put_object(Bucket="kept-bucket", Key="c.txt", Body=b"new")  # appends cleanly after the repair
    finally:
        restarted.stop()
    lines = journal.read_text().splitlines()
    assert all(json.loads(line) for line in lines)
    assert json.loads(lines[-1])["uri"] == "/kept-bucket/c.txt"


def test_a_garbage_journal_is_set_aside_and_the_cloud_starts_empty(home):
    (home / "cloud").mkdir(parents=True)
    (home / "cloud" / "journal.jsonl").write_bytes(b"\x00\x01 this is not a journal\n{}\n")
    cloud = CloudProcess(home).start()
    try:
        report = health(cloud.endpoint)
        assert any("moved to" in w for w in report["warnings"])
        assert report["journalRecords"] == 0
        assert _client_factory(cloud.endpoint)("s3").list_buckets()["Buckets"] == []
    finally:
        cloud.stop()
    aside = list((home / "cloud").glob("journal.unreadable-*.jsonl"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"\x00\x01")
    assert "moved to" in "\n".join(cloud.output)  # the learner is told on the terminal too


def test_fresh_starts_empty_and_keeps_the_old_journal_aside(home):
    cloud = CloudProcess(home).start()
    try:
        _client_factory(cloud.endpoint)("s3").create_bucket(Bucket="old-work")
    finally:
        cloud.stop()
    fresh = CloudProcess(home, fresh=True).start()
    try:
        assert _client_factory(fresh.endpoint)("s3").list_buckets()["Buckets"] == []
    finally:
        fresh.stop()
    assert len(list((home / "cloud").glob("journal.fresh-*.jsonl"))) == 1


def test_reset_through_the_admin_api_survives_a_restart(home):
    import urllib.request

    cloud = CloudProcess(home).start()
    try:
        _client_factory(cloud.endpoint)("s3").create_bucket(Bucket="to-be-reset")
        urllib.request.urlopen(admin_request(cloud.endpoint, "/_gailab/reset"))
    finally:
        cloud.kill()
    again = CloudProcess(home).start()
    try:
        assert _client_factory(again.endpoint)("s3").list_buckets()["Buckets"] == []
    finally:
        again.stop()


def test_multipart_upload_and_role_sessions_replay_with_their_generated_ids(home):
    cloud = CloudProcess(home).start()
    try:
        client = _client_factory(cloud.endpoint)
        s3 = client("s3")
        s3.create_bucket(Bucket="multi-bucket")
        upload = s3.create_multipart_upload(Bucket="multi-bucket", Key="big.bin")["UploadId"]
        parts = []
        for number, chunk in enumerate([b"a" * (5 * 1024 * 1024), b"tail"], start=1):
            etag = s3.upload_part(Bucket="multi-bucket", Key="big.bin", UploadId=upload, PartNumber=number,
                                  Body=chunk)["ETag"]
            parts.append({"ETag": etag, "PartNumber": number})
        s3.complete_multipart_upload(Bucket="multi-bucket", Key="big.bin", UploadId=upload,
                                     MultipartUpload={"Parts": parts})
        from cloudbuild import TRUST_LAMBDA

        client("iam").create_role(RoleName="session-role", AssumeRolePolicyDocument=TRUST_LAMBDA)
        creds = client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/session-role",
                                          RoleSessionName="s1")["Credentials"]
    finally:
        cloud.kill()
    again = CloudProcess(home).start()
    try:
        assert health(again.endpoint)["warnings"] == []
        s3 = _client_factory(again.endpoint)("s3")
        assert s3.head_object(Bucket="multi-bucket", Key="big.bin")["ContentLength"] == 5 * 1024 * 1024 + 4
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"], region_name="us-east-1",
        )
        identity = session.client("sts", endpoint_url=again.endpoint).get_caller_identity()
        assert identity["Arn"].endswith("assumed-role/session-role/s1")
    finally:
        again.stop()
