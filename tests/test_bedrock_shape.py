"""The shape of the simulated Bedrock: one routing table (by botocore operation), one codec per model family
checked against the catalog, handlers that receive the state they use."""

from __future__ import annotations

import json
import urllib.request

import botocore.session
import pytest

from gailab.simulator.bedrock import catalog, codecs, operations
from gailab.simulator.bedrock.catalog import Model, _model


def test_every_table_row_is_a_botocore_operation_with_a_handler():
    session = botocore.session.get_session()
    for name, op in operations.OPERATIONS.items():
        assert name == op.name
        assert name in session.get_service_model(op.api).operation_names, (op.api, name)
        assert callable(operations.handler(op)), op.handler
        assert op.iam_action.startswith("bedrock:")


@pytest.mark.parametrize(("method", "path", "api", "operation", "labels"), [
    ("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", "bedrock-runtime", "InvokeModel",
     {"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}),
    ("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.amazon.nova-lite-v1%3A0/converse-stream",
     "bedrock-runtime", "ConverseStream", {"modelId": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"}),
    ("POST", "/guardrail/abc123/version/DRAFT/apply", "bedrock-runtime", "ApplyGuardrail",
     {"guardrailIdentifier": "abc123", "guardrailVersion": "DRAFT"}),
    ("GET", "/foundation-models", "bedrock", "ListFoundationModels", {}),
    ("GET", "/foundation-models/amazon.titan-embed-text-v2%3A0", "bedrock", "GetFoundationModel", {"modelIdentifier": "amazon.titan-embed-text-v2:0"}),
    ("POST", "/guardrails/abc123", "bedrock", "CreateGuardrailVersion", {"guardrailIdentifier": "abc123"}),
    ("PUT", "/guardrails/abc123", "bedrock", "UpdateGuardrail", {"guardrailIdentifier": "abc123"}),
    ("POST", "/model-customization-jobs", "bedrock", "CreateModelCustomizationJob", {}),
    ("POST", "/knowledgebases/KB12345678/retrieve", "bedrock-agent-runtime", "Retrieve", {"knowledgeBaseId": "KB12345678"}),
    ("POST", "/retrieveAndGenerate", "bedrock-agent-runtime", "RetrieveAndGenerate", {}),
    ("PUT", "/knowledgebases/", "bedrock-agent", "CreateKnowledgeBase", {}),
])
def test_requests_resolve_to_botocore_operations(method, path, api, operation, labels):
    route = operations.resolve_path(method, path)
    assert route == operations.Route(api, operation, labels)


def test_only_table_rows_are_served_here():
    assert operations.served(operations.resolve_path("POST", "/model/x/invoke")).name == "InvokeModel"
    # Knowledge Bases and jobs the table does not name pass on to other extensions or moto.
    assert operations.served(operations.resolve_path("POST", "/retrieveAndGenerate")) is None
    assert operations.served(operations.resolve_path("GET", "/evaluation-jobs")) is None
    assert operations.resolve_path("GET", "/no-such-thing") is None


def test_iam_actions_come_from_the_table(cloud, aws):
    """A role that may only call bedrock:InvokeModel on one model: Converse is InvokeModel on that model's ARN."""
    iam, sts = aws("iam"), aws("sts")
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                      "Resource": f"arn:aws:bedrock:us-east-1::foundation-model/{haiku}"}]}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="one-model", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName="one-model", PolicyName="p", PolicyDocument=json.dumps(policy))
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="learner")["Credentials"]
    rt = aws("bedrock-runtime", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
             aws_session_token=creds["SessionToken"])
    messages = [{"role": "user", "content": [{"text": "hi"}]}]
    assert rt.converse(modelId=haiku, messages=messages)["stopReason"] == "end_turn"
    with pytest.raises(rt.exceptions.AccessDeniedException, match="bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"):
        rt.converse(modelId="amazon.nova-lite-v1:0", messages=messages)
    with pytest.raises(rt.exceptions.AccessDeniedException, match="bedrock:InvokeModelWithResponseStream"):
        rt.converse_stream(modelId=haiku, messages=messages)
    br = aws("bedrock", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
             aws_session_token=creds["SessionToken"])
    with pytest.raises(br.exceptions.AccessDeniedException, match="bedrock:ListFoundationModels"):
        br.list_foundation_models()


def test_a_new_operation_is_one_row_and_one_handler(cloud, aws, monkeypatch):
    from gailab.simulator.bedrock.control import ok

    def list_custom_models(state, info, labels):
        return ok({"modelSummaries": [{"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/x", "modelName": "x",
                                       "creationTime": "2026-01-01T00:00:00Z", "baseModelArn": "b", "baseModelName": "b"}]})

    row = operations.Operation("ListCustomModels", "bedrock", list_custom_models)
    monkeypatch.setitem(operations.OPERATIONS, "ListCustomModels", row)
    assert aws("bedrock").list_custom_models()["modelSummaries"][0]["modelName"] == "x"


def test_every_catalog_family_has_a_codec_of_the_right_kind():
    families = {m.family for m in catalog.models()}
    assert families <= set(codecs.registry())
    entry = {"id": "acme.thing-v1", "name": "Thing", "provider": "Acme", "family": "acme", "input": ["TEXT"], "output": ["TEXT"],
             "context": 1000, "maxOutput": 100}
    with pytest.raises(ValueError, match="acme.thing-v1 names the model family 'acme', which has no codec"):
        codecs.check([_model(entry)])
    with pytest.raises(ValueError, match="outputs EMBEDDING but its family 'anthropic' is a codec for TEXT"):
        codecs.check([_model(dict(entry, family="anthropic", output=["EMBEDDING"]))])
    assert isinstance(catalog.get("amazon.nova-lite-v1:0"), Model)


def test_unknown_bedrock_paths_pass_on_with_an_aws_shaped_error(cloud):
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=x"}
    request = urllib.request.Request(cloud.endpoint + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", method="GET", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404 and caught.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    request = urllib.request.Request(cloud.endpoint + "/async-invoke", method="GET", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 501 and "bedrock:ListAsyncInvokes" in json.loads(caught.value.read())["message"]
