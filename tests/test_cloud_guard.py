"""No web page can drive the local cloud: foreign Host and Origin get no data and change nothing; moto's API is
not exposed; admin changes need the home's token and a JSON body; CORS headers only where a bucket asks."""

from __future__ import annotations

import http.client
import json
import os
import stat
from urllib.parse import urlsplit

import botocore.auth
import botocore.credentials
from botocore.awsrequest import AWSRequest

from gailab.simulator.core.admintoken import HEADER, token_path
from gailab.simulator.core.guard import Guard, host_name

EVIL = "https://evil.example"


def raw(cloud, method: str, path: str, headers: dict | None = None, body: bytes = b""):
    """One HTTP request with exactly these headers (Host included): (status, headers, body)."""
    parts = urlsplit(cloud.endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": parts.netloc, **(headers or {})}
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def signed(cloud, service: str, body: str, extra: dict) -> tuple[str, dict, bytes]:
    """A SigV4-signed query-protocol request (what a page could build with the well-known test keys)."""
    request = AWSRequest(method="POST", url=cloud.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), service, "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items()}
    headers.update(extra)
    return "/", headers, body.encode()


def _no_cors(headers: dict) -> bool:
    return not any(k.startswith("access-control-") for k in headers)


def test_a_dns_rebinding_host_gets_no_data_and_changes_nothing(cloud, aws):
    aws("s3").create_bucket(Bucket="secret-bucket")
    records = cloud.journal.count
    status, headers, body = raw(cloud, "GET", "/", {"Host": "rebind.evil.example:4566"})
    assert status == 403 and b"secret-bucket" not in body
    assert b"loopback name" in body
    status, _, _ = raw(cloud, "PUT", "/planted-bucket", {"Host": "rebind.evil.example"})
    assert status == 403
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["secret-bucket"]
    assert cloud.journal.count == records


def test_loopback_names_and_ip_literals_are_answered(cloud):
    for host in ("localhost:1234", "127.0.0.1", "[::1]:80", "abc.execute-api.localhost", "127.9.9.9"):
        status, _, _ = raw(cloud, "GET", "/_gailab/health", {"Host": host})
        assert status == 200, host


def test_a_foreign_origin_gets_no_data_no_cors_and_changes_nothing(cloud, aws):
    aws("s3").create_bucket(Bucket="private-bucket")
    records = cloud.journal.count
    status, headers, body = raw(cloud, "GET", "/", {"Origin": EVIL})
    assert status == 403 and b"private-bucket" not in body and _no_cors(headers)
    # A preflight is not answered either.
    status, headers, _ = raw(cloud, "OPTIONS", "/", {"Origin": EVIL, "Access-Control-Request-Method": "PUT"})
    assert status == 403 and _no_cors(headers)
    # Even a request signed with the well-known test keys does nothing when a page sends it.
    path, headers, body = signed(cloud, "iam", "Action=CreateUser&UserName=planted&Version=2010-05-08",
                                 {"Origin": EVIL})
    status, _, answer = raw(cloud, "POST", path, headers, body)
    assert status == 403 and b"AccessDenied" in answer
    # <img src> and other no-cors loads carry no Origin, but browsers mark them cross-site.
    status, _, body = raw(cloud, "GET", "/private-bucket", {"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    assert aws("iam").list_users()["Users"] == []
    assert cloud.journal.count == records


def test_pages_on_localhost_may_call_and_get_no_cors_headers_unless_a_bucket_asks(cloud, aws):
    aws("s3").create_bucket(Bucket="site")
    status, headers, body = raw(cloud, "GET", "/", {"Origin": "http://localhost:3000"})
    assert status == 200 and b"site" in body and _no_cors(headers)


def test_a_bucket_cors_configuration_allows_its_origins_as_s3_does(cloud, aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket="public-site")
    s3.put_object(Bucket="public-site", Key="index.html", Body=b"<h1>hello</h1>")
    s3.put_bucket_cors(Bucket="public-site", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"]}]})
    # The page's own code holds a presigned URL (the object is private).
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "public-site", "Key": "index.html"})
    status, headers, body = raw(cloud, "GET", url[len(cloud.endpoint):], {"Origin": "https://app.example"})
    assert status == 200 and body == b"<h1>hello</h1>"
    assert headers["access-control-allow-origin"] == "https://app.example"
    status, headers, _ = raw(cloud, "OPTIONS", "/public-site/index.html",
                             {"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
                              "Access-Control-Request-Headers": "x-amz-date, authorization"})
    assert status == 200 and headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET"
    assert headers["access-control-allow-headers"] == "x-amz-date, authorization"
    status, headers, body = raw(cloud, "OPTIONS", "/public-site/index.html",
                                {"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"})
    assert status == 403 and b"CORSResponse" in body and _no_cors(headers)
    # Methods and origins the rules do not name are refused before anything changes.
    status, _, _ = raw(cloud, "PUT", "/public-site/planted.html", {"Origin": "https://app.example"}, b"x")
    assert status == 403
    status, _, _ = raw(cloud, "GET", "/public-site/index.html", {"Origin": EVIL})
    assert status == 403
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="public-site")["Contents"]] == ["index.html"]


def test_moto_api_is_not_exposed_nor_journaled(cloud, aws):
    aws("s3").create_bucket(Bucket="kept")
    records = cloud.journal.count
    for method, path in (("GET", "/moto-api/data.json"), ("POST", "/moto-api/reset"),
                         ("POST", "/moto-api/recorder/upload-recording"), ("GET", "/moto-api/")):
        status, _, body = raw(cloud, method, path, {"Content-Type": "application/json"}, b"{}")
        assert status == 404, path
        assert b"SecretAccessKey" not in body and b"does not expose moto" in body
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["kept"]
    assert cloud.journal.count == records


def test_admin_changes_need_the_token_and_a_json_body(cloud, aws):
    aws("s3").create_bucket(Bucket="survivor")
    token = token_path(cloud.home).read_text().strip()
    assert stat.S_IMODE(os.stat(token_path(cloud.home)).st_mode) == 0o600 and len(token) >= 32
    json_type = {"Content-Type": "application/json"}
    status, _, body = raw(cloud, "POST", "/_gailab/reset", json_type, b"{}")
    assert status == 403 and HEADER.encode() in body
    status, _, _ = raw(cloud, "POST", "/_gailab/reset", {**json_type, HEADER: "wrong"}, b"{}")
    assert status == 403
    # What an HTML form or a no-cors fetch can send is refused even with the token.
    status, _, _ = raw(cloud, "POST", "/_gailab/reset", {"Content-Type": "text/plain", HEADER: token}, b"{}")
    assert status == 415
    status, _, _ = raw(cloud, "POST", "/_gailab/reset", {**json_type, HEADER: token, "Origin": "http://localhost:1"},
                       b"{}")
    assert status == 403
    status, _, _ = raw(cloud, "POST", "/_gailab/bedrock/settings", json_type, b'{"latency": "realistic"}')
    assert status == 403
    status, _, body = raw(cloud, "GET", "/_gailab/bedrock/settings")
    assert status == 200 and json.loads(body)["latency"] != "realistic"
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["survivor"]
    # Reads need no token; the token and JSON make the change.
    assert raw(cloud, "GET", "/_gailab/health")[0] == 200
    status, _, body = raw(cloud, "POST", "/_gailab/reset", {**json_type, HEADER: token}, b"{}")
    assert status == 200 and json.loads(body)["reset"] is True
    assert aws("s3").list_buckets()["Buckets"] == []


def test_host_names_are_read_as_browsers_send_them():
    assert host_name("LocalHost:4566") == "localhost" and host_name("[::1]:4566") == "::1"
    assert host_name("example.com.") == "example.com"

    class Remote:
        host = "lab-box.lan"
        settings = {"allowed_hosts": ["gailab.internal"]}

    guard = Guard(Remote())  # type: ignore[arg-type]
    assert guard.host_allowed("lab-box.lan:4566") and guard.host_allowed("gailab.internal")
    assert guard.host_allowed("10.0.0.7:4566") and not guard.host_allowed("evil.example")
    assert guard.origin_allowed("http://localhost:8000") and not guard.origin_allowed("null")
    assert not guard.origin_allowed("https://localhost.evil.example")


def test_replay_sends_nothing_to_the_network_again(tmp_path):
    """An SNS topic with an HTTP subscription: moto delivers on Publish; a restart replays the Publish offline."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import boto3

    from gailab.simulator import CloudProcess
    from gailab.simulator.core.process import health, wait_until

    received: list[bytes] = []

    class Listener(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    home = tmp_path / "home"
    try:
        cloud = CloudProcess(home).start()
        try:
            sns = boto3.client("sns", endpoint_url=cloud.endpoint, region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test")
            topic = sns.create_topic(Name="alerts")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{server.server_port}/hook")
            sns.publish(TopicArn=topic, Message="model finished")
            wait_until(lambda: any(b"model finished" in body for body in received), timeout=20)
        finally:
            cloud.stop()
        delivered = len(received)
        again = CloudProcess(home).start()
        try:
            assert health(again.endpoint)["journalRecords"] >= 3
            topics = boto3.client("sns", endpoint_url=again.endpoint, region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test").list_topics()["Topics"]
            assert [t["TopicArn"] for t in topics] == [topic]
        finally:
            again.stop()
        assert len(received) == delivered
    finally:
        server.shutdown()
