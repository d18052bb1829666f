"""Bad requests get AWS's error shape, never a traceback or an HTML page, and boto3 does not retry them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError


def test_unimplemented_json_operation_fails_fast_with_its_name(aws):
    client = aws("sagemaker")
    with pytest.raises(ClientError) as caught:
        client.create_hub(HubName="h", HubDescription="d")
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "sagemaker:CreateHub" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RetryAttempts"] == 0


def test_unimplemented_query_operation_is_xml_shaped(aws):
    iam = aws("iam")
    with pytest.raises(ClientError) as caught:
        iam.generate_service_last_accessed_details(Arn="arn:aws:iam::123456789012:role/x")
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "iam:GenerateServiceLastAccessedDetails" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["RetryAttempts"] == 0
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="missing")
    assert caught.value.response["Error"]["Code"] == "NoSuchEntity"


def test_default_boto3_config_does_not_retry_a_501(cloud):
    import boto3

    client = boto3.client("sagemaker", endpoint_url=cloud.endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    with pytest.raises(ClientError) as caught:
        client.create_hub(HubName="h", HubDescription="d")
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_garbage_requests_get_aws_shaped_errors(cloud):
    signed = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, "
              "SignedHeaders=host, Signature=abc")
    request = urllib.request.Request(
        cloud.endpoint + "/2015-03-31/functions", data=b"{not json", method="POST",
        headers={"Authorization": signed, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    body = caught.value.read().decode()
    assert "<html" not in body.lower() and "Traceback" not in body
    assert caught.value.code < 600
    request = urllib.request.Request(
        cloud.endpoint + "/no/such/route/anywhere", method="DELETE",
        headers={"Authorization": signed.replace("/lambda/", "/kinesisvideo/")},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    text = caught.value.read().decode()
    assert caught.value.code in (400, 404, 501)
    assert "<html" not in text.lower()
    json.loads(text)  # a JSON error document for a rest-json service
