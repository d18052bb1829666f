"""A full disk and a damaged journal lose nothing that was acknowledged.

The cloud runs as ``gailab serve`` with a file size limit (RLIMIT_FSIZE) or on a small tmpfs home (in a user and
mount namespace, so no root is needed); it is filled while the learner works, then given room back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from gailab.simulator.client import client
from gailab.simulator import CloudProcess
from gailab.simulator.core.home import HomeInUse
from gailab.simulator.core.journal import Journal
from gailab.simulator.core.process import health, wait_until
from gailab.simulator.core.server import Cloud


def _clients(endpoint: str):
    return lambda service: client(endpoint, service)


class LimitedCloud(CloudProcess):
    """``gailab serve`` whose files may not grow past ``fsize`` bytes (as a nearly full disk would do)."""

    def __init__(self, home, fsize: int, **kwargs):
        super().__init__(home, **kwargs)
        self.fsize = fsize

    def command(self) -> list[str]:
        launcher = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, ({0}, resource.RLIM_INFINITY));"
                    " os.execv(sys.executable, [sys.executable] + sys.argv[1:])").format(self.fsize)
        return [sys.executable, "-c", launcher] + super().command()[1:]


def _fill(s3, prefix: str, body: bytes, limit: int = 2000) -> tuple[list[str], ClientError]:
    """Put objects until the cloud refuses one; the acknowledged keys and the refusal."""
    acknowledged = []
    for n in range(limit):
        key = f"{prefix}-{n:04d}"
        try:
            s3.put_object(Bucket="work", Key=key, Body=key.encode() + body)  # distinct bodies: distinct blobs
        except ClientError as exc:
            return acknowledged, exc
        acknowledged.append(key)
    raise AssertionError(f"the cloud never refused a write ({limit} accepted)")


def _keys(s3) -> list[str]:
    keys, token = [], None
    while True:
        page = s3.list_objects_v2(Bucket="work", **({"ContinuationToken": token} if token else {}))
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return keys
        token = page["NextContinuationToken"]


def _assert_disk_full(exc: ClientError) -> None:
    assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 503, exc.response
    assert exc.response["Error"]["Code"] == "ServiceUnavailable"
    assert "disk is full" in exc.response["Error"]["Message"]


@pytest.mark.slow
def test_file_size_limit_refuses_writes_cleanly_and_a_restart_has_every_acknowledged_one(tmp_path):
    home = tmp_path / "home"
    cloud = LimitedCloud(home, fsize=120_000).start()
    try:
        s3 = _clients(cloud.endpoint)("s3")
        s3.create_bucket(Bucket="work")
        small, refusal = _fill(s3, "small", b"x" * 100)
        _assert_disk_full(refusal)
        # A large body goes to a blob first: refused before anything changes.
        with pytest.raises(ClientError) as big:
            s3.put_object(Bucket="work", Key="too-big", Body=b"y" * 200_000)
        _assert_disk_full(big.value)
        # Reads keep working and show exactly the acknowledged writes.
        assert sorted(_keys(s3)) == small
        assert s3.get_object(Bucket="work", Key=small[-1])["Body"].read() == small[-1].encode() + b"x" * 100
        assert health(cloud.endpoint)["status"] == "ready"
    finally:
        cloud.kill()
    journal = (home / "cloud" / "journal.jsonl").read_bytes()
    assert journal.endswith(b"\n") and all(json.loads(line) for line in journal.splitlines())
    again = CloudProcess(home).start()
    try:
        report = health(again.endpoint)
        assert report["warnings"] == []
        s3 = _clients(again.endpoint)("s3")
        assert sorted(_keys(s3)) == small
        s3.put_object(Bucket="work", Key="after", Body=b"room again")
    finally:
        again.stop()


def _unshare_available() -> str | None:
    if not sys.platform.startswith("linux") or not shutil.which("unshare") or not shutil.which("nsenter"):
        return "needs Linux with util-linux's unshare and nsenter"
    probe = subprocess.run(["unshare", "-Urm", "true"], capture_output=True)
    return None if probe.returncode == 0 else f"user namespaces are off: {probe.stderr.decode().strip()}"


class SmallDisk:
    """A tmpfs of ``size`` mounted on ``path`` in a private user+mount namespace; commands run inside it."""

    def __init__(self, path, size: str):
        self.path = path
        self.holder = subprocess.Popen(
            ["unshare", "-Urm", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs -o size="$1" tmpfs "$0" && echo mounted && exec sleep 3600', str(path), size],
            stdout=subprocess.PIPE, text=True)
        assert self.holder.stdout.readline().strip() == "mounted"

    def prefix(self) -> list[str]:
        return ["nsenter", "-t", str(self.holder.pid), "-U", "-m", "--preserve-credentials"]

    def resize(self, size: str) -> None:
        subprocess.run(self.prefix() + ["mount", "-o", f"remount,size={size}", str(self.path)], check=True)

    def close(self) -> None:
        self.holder.kill()
        self.holder.wait()


class CloudOnDisk(CloudProcess):
    def __init__(self, home, disk: SmallDisk, **kwargs):
        super().__init__(home, **kwargs)
        self.disk = disk

    def command(self) -> list[str]:
        return self.disk.prefix() + super().command()


@pytest.mark.slow
def test_a_full_tmpfs_home_refuses_writes_serves_reads_and_takes_writes_again_when_room_returns(tmp_path):
    problem = _unshare_available()
    assert problem is None, problem
    home = tmp_path / "home"
    home.mkdir()
    disk = SmallDisk(home, "2m")
    try:
        cloud = CloudOnDisk(home, disk).start()
        try:
            s3 = _clients(cloud.endpoint)("s3")
            s3.create_bucket(Bucket="work")
            big, refusal = _fill(s3, "big", b"z" * 100_000)  # each one a blob file
            assert 5 <= len(big) <= 20
            _assert_disk_full(refusal)
            small, refusal = _fill(s3, "small", b"s" * 64)  # then the journal's last blocks
            _assert_disk_full(refusal)
            acknowledged = sorted(big + small)
            assert sorted(_keys(s3)) == acknowledged
            disk.resize("64m")
            s3.put_object(Bucket="work", Key="with-room", Body=b"z" * 100_000)
            acknowledged.append("with-room")
        finally:
            cloud.kill()
        again = CloudOnDisk(home, disk).start()
        try:
            assert health(again.endpoint)["warnings"] == []
            s3 = _clients(again.endpoint)("s3")
            assert sorted(_keys(s3)) == sorted(acknowledged)
            assert s3.get_object(Bucket="work", Key=big[-1])["Body"].read() == big[-1].encode() + b"z" * 100_000
        finally:
            again.stop()
    finally:
        disk.close()


def _served_with_buckets(home, names: list[str]) -> None:
    cloud = CloudProcess(home).start()
    try:
        s3 = _clients(cloud.endpoint)("s3")
        for name in names:
            s3.create_bucket(Bucket=name)
    finally:
        cloud.kill()


def _bucket_names(endpoint: str) -> list[str]:
    return sorted(b["Name"] for b in _clients(endpoint)("s3").list_buckets()["Buckets"])


@pytest.mark.slow
def test_a_journal_damaged_in_the_middle_replays_everything_before_and_after(tmp_path):
    home = tmp_path / "home"
    names = [f"bucket-{n:02d}" for n in range(10)]
    _served_with_buckets(home, names)
    path = home / "cloud" / "journal.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 11  # header + 10 records
    lines[4] = b'{"seq": 4, "kind": "http", "uri": "/bucket-03' + b"\x00\xff garbage\n"  # line 5
    lines[5] = b"not json at all\n"  # line 6
    path.write_bytes(b"".join(lines))
    cloud = CloudProcess(home).start()
    try:
        report = health(cloud.endpoint)
        assert _bucket_names(cloud.endpoint) == [n for n in names if n not in ("bucket-03", "bucket-04")]
        assert report["journalRecords"] == 8
        (warning,) = [w for w in report["warnings"] if "damaged" in w]
        assert "lines 5-6" in warning and "set aside" in warning
        _clients(cloud.endpoint)("s3").create_bucket(Bucket="after-repair")
    finally:
        cloud.stop()
    (aside,) = list((home / "cloud").glob("journal.damaged-*-lines-5-6.jsonl"))
    assert aside.read_bytes() == lines[4] + lines[5]
    again = CloudProcess(home).start()
    try:
        assert health(again.endpoint)["warnings"] == []
        assert "after-repair" in _bucket_names(again.endpoint)
    finally:
        again.stop()


@pytest.mark.slow
def test_a_record_glued_to_a_half_written_one_is_recovered(tmp_path):
    """What a full disk did before writes were checked: half a record, then the next one on the same line."""
    home = tmp_path / "home"
    _served_with_buckets(home, ["first", "half", "glued", "last"])
    path = home / "cloud" / "journal.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2][: len(lines[2]) // 2] + lines[3]
    del lines[3]
    path.write_bytes(b"".join(lines))
    cloud = CloudProcess(home).start()
    try:
        assert _bucket_names(cloud.endpoint) == ["first", "glued", "last"]
        assert any("line 3 " in w and "damaged" in w for w in health(cloud.endpoint)["warnings"])
    finally:
        cloud.stop()


def test_large_bodies_live_in_blob_files_and_the_journal_stays_small(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="blobs")
    payload = bytes(range(256)) * 4096  # 1 MiB
    s3.put_object(Bucket="blobs", Key="big.bin", Body=payload)
    s3.put_object(Bucket="blobs", Key="copy.bin", Body=payload)
    records = list(cloud.journal.records())
    puts = [r for r in records if r["method"] == "PUT" and "/blobs/" in r["uri"]]
    assert len(puts) == 2 and all("blob" in r and "body" not in r for r in puts)
    assert puts[0]["blob"] == puts[1]["blob"]  # equal bodies are stored once
    assert cloud.journal.path.stat().st_size < 16_000
    assert len(list(cloud.journal.blobs.digests())) == 1
    assert cloud.journal.body(puts[0]) == payload == s3.get_object(Bucket="blobs", Key="big.bin")["Body"].read()


@pytest.mark.slow
def test_blob_bodies_replay_after_a_restart(tmp_path):
    home = tmp_path / "home"
    payload = b"0123456789abcdef" * 20_000
    cloud = CloudProcess(home).start()
    try:
        s3 = _clients(cloud.endpoint)("s3")
        s3.create_bucket(Bucket="work")
        s3.put_object(Bucket="work", Key="big", Body=payload)
    finally:
        cloud.kill()
    again = CloudProcess(home).start()
    try:
        assert _clients(again.endpoint)("s3").get_object(Bucket="work", Key="big")["Body"].read() == payload
        requests = [r for r in Journal(home / "cloud").records() if r.get("uri") == "/work/big"]
        assert len(requests) == 1 and "blob" in requests[0]
    finally:
        again.stop()


@pytest.mark.slow
def test_a_fresh_cloud_on_a_served_home_is_refused_and_the_journal_untouched(tmp_path):
    home = tmp_path / "home"
    served = CloudProcess(home).start()
    try:
        _clients(served.endpoint)("s3").create_bucket(Bucket="in-use")
        before = (home / "cloud" / "journal.jsonl").read_bytes()
        with pytest.raises(HomeInUse) as refused:
            Cloud(home, fresh=True).start()
        assert "already uses the home" in str(refused.value) and served.endpoint in str(refused.value)
        assert (home / "cloud" / "journal.jsonl").read_bytes() == before
        assert list((home / "cloud").glob("journal.fresh-*")) == []
        assert _bucket_names(served.endpoint) == ["in-use"]
    finally:
        served.stop()
    wait_until(lambda: not served.alive(), timeout=10)
    with CloudProcess(home, fresh=True) as fresh:  # once it is free, a fresh start is fine
        assert _bucket_names(fresh.endpoint) == []


def test_a_write_cut_short_is_truncated_back_and_the_journal_takes_records_again(tmp_path):
    """The journal alone, in a child process whose files may not pass 4,000 bytes: no reservation, so the write
    itself fails half-way; the file is cut back to the last good record and appends go on once there is room."""
    script = f"""
import json, resource, signal, sys
from pathlib import Path
from gailab.simulator.core.journal import Journal, JournalWriteError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
journal = Journal(Path({str(tmp_path)!r}))
journal.load().finish()
resource.setrlimit(resource.RLIMIT_FSIZE, (4000, resource.RLIM_INFINITY))
acknowledged = 0
try:
    while True:
        journal.append("note", {{"text": "x" * 300}})
        acknowledged += 1
except JournalWriteError as exc:
    error = str(exc)
size = journal.path.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
after = journal.append("note", {{"text": "room again"}})
journal.close()
print(json.dumps({{"acknowledged": acknowledged, "error": error, "size": size, "seq": after["seq"],
                  "count": journal.count}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert 5 <= result["acknowledged"] < 15 and "disk is full" in result["error"]
    assert result["size"] <= 4000
    assert result["seq"] == result["acknowledged"] + 1 == result["count"]
    lines = (tmp_path / "journal.jsonl").read_bytes().splitlines(keepends=True)
    assert all(line.endswith(b"\n") for line in lines)
    records = [json.loads(line) for line in lines[1:]]
    assert [r["seq"] for r in records] == list(range(1, result["seq"] + 1))
    assert records[-1]["text"] == "room again"


@pytest.mark.slow
def test_a_change_that_reached_memory_but_not_the_disk_is_rolled_back(tmp_path):
    """A service's request is journaled after it ran; its 70 KB body's blob file cannot be written (file size
    limit): the request gets the 503, and the cloud rebuilds its memory from the journal, so the change is gone."""
    home = tmp_path / "home"
    cloud = LimitedCloud(home, fsize=60_000).start()
    try:
        bedrock = client(cloud.endpoint, "bedrock")
        words = [{"text": f"palavra{i:05d}"} for i in range(6000)]
        with pytest.raises(ClientError) as refused:
            bedrock.create_guardrail(name="too-big", blockedInputMessaging="b", blockedOutputsMessaging="b",
                                     wordPolicyConfig={"wordsConfig": words})
        _assert_disk_full(refused.value)
        wait_until(lambda: bedrock.list_guardrails()["guardrails"] == [], timeout=30)
        made = bedrock.create_guardrail(name="small", blockedInputMessaging="b", blockedOutputsMessaging="b")
        assert [g["id"] for g in bedrock.list_guardrails()["guardrails"]] == [made["guardrailId"]]
    finally:
        cloud.kill()
    assert b"too-big" not in (home / "cloud" / "journal.jsonl").read_bytes()


def test_concurrent_appends_share_fsyncs_and_every_record_is_whole_and_in_order(tmp_path):
    """Group commit: while one thread is in fsync the others write, then one fsync covers them all."""
    import threading

    journal = Journal(tmp_path / "cloud")
    journal.load().finish()
    per_thread, threads = 40, 8

    def writer(index: int) -> None:
        for n in range(per_thread):
            journal.append("test", {"writer": index, "n": n})

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    appended = per_thread * threads
    assert journal.count == appended
    assert 0 < journal.fsyncs < appended, f"{journal.fsyncs} fsyncs for {appended} records"
    journal.close()
    records = [json.loads(line) for line in (tmp_path / "cloud" / "journal.jsonl").read_bytes().splitlines()[1:]]
    assert [r["seq"] for r in records] == list(range(1, appended + 1))
    for index in range(threads):  # each writer's records in its own order
        assert [r["n"] for r in records if r.get("writer") == index] == list(range(per_thread))
