"""gailab.simulator.client: which cloud, its health, the admin API, and children that never reach real AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gailab.simulator import client


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_find_endpoint_order(tmp_path):
    home = tmp_path / "home"
    assert client.find_endpoint(home, environ={}) == "http://127.0.0.1:4566"
    assert client.find_endpoint(home, environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:7000"}) == "http://127.0.0.1:7000"
    assert client.find_endpoint(home, environ={"AWS_ENDPOINT_URL": "http://127.0.0.1:7000"},
                                aws_endpoint=False) == "http://127.0.0.1:4566"
    client.write_state(home, "http://127.0.0.1:7100")  # this (live) process serves the home
    assert client.find_endpoint(home, environ={"AWS_ENDPOINT_URL": "http://x:1"}) == "http://127.0.0.1:7100"
    assert client.find_endpoint(home, environ={"GAILAB_ENDPOINT": "http://127.0.0.1:7200/"}) == "http://127.0.0.1:7200"
    assert client.find_endpoint(home, "http://127.0.0.1:7300", environ={"GAILAB_ENDPOINT": "http://y:2"}) \
        == "http://127.0.0.1:7300"
    with pytest.raises(ValueError, match="http"):
        client.find_endpoint(home, "localhost:4566", environ={})


def test_a_crashed_serve_leaves_a_state_file_that_is_ignored(tmp_path):
    client.write_state(tmp_path, "http://127.0.0.1:7100", pid=_dead_pid())
    assert client.state_path(tmp_path).exists()
    assert client.read_state(tmp_path) is None
    assert client.find_endpoint(tmp_path, environ={}) == "http://127.0.0.1:4566"
    client.write_state(tmp_path, "http://127.0.0.1:7100")
    assert client.read_state(tmp_path) == {"endpoint": "http://127.0.0.1:7100", "pid": os.getpid()}
    assert client.running_endpoint(tmp_path, timeout=1) is None  # alive, but nothing answers there
    client.clear_state(tmp_path)
    assert client.read_state(tmp_path) is None


def test_health_admin_and_errors_on_the_real_cloud(cloud, aws):
    assert client.health(cloud.endpoint)["status"] == "ready"
    assert client.reachable(cloud.endpoint)
    aws("s3").create_bucket(Bucket="to-be-reset")
    assert client.admin(cloud.endpoint, "/_gailab/reset", {})["reset"] is True
    assert aws("s3").list_buckets()["Buckets"] == []
    settings = client.admin(cloud.endpoint, "/_gailab/bedrock/settings")
    assert "latency" in settings
    with pytest.raises(client.AdminError) as info:
        client.admin(cloud.endpoint, "/_gailab/no-such-route")
    assert info.value.status == 404 and "/_gailab/no-such-route" in str(info.value)


def test_nothing_listening_is_unavailable_not_a_traceback():
    with pytest.raises(client.CloudUnavailable, match="no local cloud answers at http://127.0.0.1:9"):
        client.health("http://127.0.0.1:9", timeout=1)
    assert not client.reachable("http://127.0.0.1:9", timeout=1)
    assert client.reachable(None)  # no endpoint: the SDK's own resolution decides


class _Recorder(BaseHTTPRequestHandler):
    """A server that is not a gailab cloud: records what it is sent, answers 404 (like LocalStack) or JSON."""

    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, dict(self.headers), body))
        if self.path.startswith("/_gailab/health") and self.server.gailab_home is None:
            self.send_response(404)
            self.end_headers()
            return
        payload = json.dumps({"status": "ready", "home": self.server.gailab_home}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    servers = []

    def start(home):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.gailab_home = str(home) if home else None
        _Recorder.seen = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_another_server_is_reachable_but_not_a_gailab_cloud(recorder):
    endpoint = recorder(None)
    assert client.reachable(endpoint)
    with pytest.raises(client.NotAGailabCloud):
        client.health(endpoint)


def test_mutating_admin_requests_carry_the_home_token(recorder, tmp_path):
    endpoint = recorder(tmp_path)
    client.admin(endpoint, "/_gailab/reset", {})
    assert client.TOKEN_HEADER.lower() not in {k.lower() for k in _Recorder.seen[-1][2]}  # no token file: none sent
    (tmp_path / "cloud").mkdir()
    (tmp_path / client.TOKEN_FILE).write_text("s3cr3t\n")
    client.admin(endpoint, "/_gailab/reset", {})  # the home comes from the cloud's health answer
    method, path, headers, body = _Recorder.seen[-1]
    assert (method, path, json.loads(body)) == ("POST", "/_gailab/reset", {})
    assert {k.lower(): v for k, v in headers.items()}[client.TOKEN_HEADER.lower()] == "s3cr3t"
    client.admin(endpoint, "/_gailab/bedrock/settings", params={"x": "1"})
    method, path, headers, _ = _Recorder.seen[-1]
    assert (method, path) == ("GET", "/_gailab/bedrock/settings?x=1")
    assert client.TOKEN_HEADER.lower() not in {k.lower() for k in headers}  # reads need no token


def _real_aws_profile(tmp_path) -> dict:
    """A user with real-looking AWS settings: a profile, SSO, per-service endpoints, a session token."""
    aws_dir = tmp_path / "user-home" / ".aws"
    aws_dir.mkdir(parents=True)
    (aws_dir / "config").write_text("[default]\nregion = eu-west-1\n[profile work]\nregion = sa-east-1\n"
                                    "endpoint_url = http://127.0.0.1:9\nsso_start_url = https://x.awsapps.com/start\n")
    (aws_dir / "credentials").write_text("[default]\naws_access_key_id = AKIAREALKEY\n"
                                         "aws_secret_access_key = realsecret\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**clean, "AWS_ACCESS_KEY_ID": "AKIAREALKEY2", "AWS_SECRET_ACCESS_KEY": "realsecret2", "HOME": str(tmp_path / "user-home"), "AWS_PROFILE": "work",
            "AWS_CONFIG_FILE": str(aws_dir / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
            "AWS_SESSION_TOKEN": "real-token", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_DEFAULT_PROFILE": "work"}


def test_children_reach_the_local_cloud_and_never_the_learners_profile(cloud, aws, tmp_path):
    aws("s3").create_bucket(Bucket="local-only")
    base = _real_aws_profile(tmp_path)
    env = client.local_env(cloud.endpoint, base, home=tmp_path / "gailab-home", workspace=tmp_path)
    leaked = {k for k in base if k.startswith("AWS_")} - {"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}
    assert not {k for k in leaked if env.get(k) == base[k]}
    assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert env["AWS_ENDPOINT_URL"] == env["GAILAB_ENDPOINT"] == cloud.endpoint
    assert env["GAILAB_HOME"] == str(tmp_path / "gailab-home") and env["GAILAB_WORKSPACE"] == str(tmp_path)
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)
    listed = subprocess.run(["aws", "s3api", "list-buckets", "--query", "Buckets[].Name", "--output", "text"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["local-only"]
    who = subprocess.run(["aws", "configure", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert "AKIAREALKEY"[-4:] not in who.stdout and "work" not in who.stdout
    # without an endpoint (cloud not known) there is still no way to the learner's profile
    env = client.local_env(None, base)
    assert "AWS_ENDPOINT_URL" not in env and "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env


def test_boto3_session_ignores_a_broken_profile(cloud, aws, tmp_path, monkeypatch):
    aws("s3").create_bucket(Bucket="seen-by-session")
    for key, value in _real_aws_profile(tmp_path).items():
        if key.startswith("AWS_") or key == "HOME":
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # boto3's default session raises ProfileNotFound here
    s3 = client.client(cloud.endpoint, "s3", timeout=10, app_id="tests")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["seen-by-session"]
    assert client.session().get_credentials().access_key == "test"
