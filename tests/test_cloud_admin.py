"""The admin API under /_gailab/: health and an atomic reset that also empties the journal."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from gailab.simulator.testing import admin_request


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_health_reports_version_uptime_journal_and_services(cloud, aws):
    aws("s3").create_bucket(Bucket="health-bucket")
    health = _get(cloud.endpoint + "/_gailab/health")
    assert health["status"] == "ready"
    assert health["version"] and health["uptimeSeconds"] >= 0
    assert health["journalRecords"] == 1
    assert {"s3", "kms", "iam", "lambda", "apigateway", "sagemaker"} <= set(health["services"])
    journal = _get(cloud.endpoint + "/_gailab/journal")
    assert journal["records"] == 1 and journal["bytes"] > 0 and journal["path"].endswith("journal.jsonl")


def test_reads_are_not_journaled_and_failures_are_not_either(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="only-once")
    s3.list_buckets()
    s3.head_bucket(Bucket="only-once")
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_encryption(Bucket="does-not-exist")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.put_object(Bucket="does-not-exist", Key="k", Body=b"x")
    kinds = [(r["method"], r["uri"]) for r in cloud.journal.records()]
    assert kinds == [("PUT", "/only-once")]


def test_reset_wipes_state_and_journal(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="before-reset")
    request = admin_request(cloud.endpoint, "/_gailab/reset")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["reset"] is True
    assert s3.list_buckets()["Buckets"] == []
    assert cloud.journal.count == 0
    assert list(cloud.journal.records()) == []


def test_unknown_admin_route_is_a_json_404(cloud):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(cloud.endpoint + "/_gailab/nope", timeout=5)
    assert caught.value.code == 404
    body = json.loads(caught.value.read())
    assert "/_gailab/health" in body["message"]
