"""A function's resource policy: one statement per id, and the errors Lambda gives when an id is taken or missing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from gailab.simulator.awslambda.package import ensure_role, zip_handler


def _function(aws, name: str) -> None:
    role = ensure_role(aws("iam"), f"{name}-role")
    aws("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                  Handler="lambda_function.handler",
                                  Code={"ZipFile": zip_handler("def handler(e, c):\n    return 1\n")})


def _allow_s3(lam, name: str, sid: str, bucket: str = "uploads"):
    return lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                              Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")


def test_add_permission_with_a_taken_statement_id_is_a_conflict(cloud, aws):
    _function(aws, "perm")
    lam = aws("lambda")
    _allow_s3(lam, "perm", "s3-invoke")
    with pytest.raises(ClientError) as caught:
        _allow_s3(lam, "perm", "s3-invoke", bucket="other")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["Error"]["Message"] == (
        "The statement id (s3-invoke) provided already exists. Please provide a new statement id, "
        "or remove the existing statement."
    )
    statements = json.loads(lam.get_policy(FunctionName="perm")["Policy"])["Statement"]
    assert [(s["Sid"], s["Condition"]["ArnLike"]["AWS:SourceArn"]) for s in statements] == [
        ("s3-invoke", "arn:aws:s3:::uploads")
    ]
    _allow_s3(lam, "perm", "s3-invoke-2", bucket="other")  # a new id is still welcome
    assert len(json.loads(lam.get_policy(FunctionName="perm")["Policy"])["Statement"]) == 2


def test_remove_permission_of_an_unknown_statement_id_is_not_found(cloud, aws):
    _function(aws, "unperm")
    lam = aws("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):  # no policy at all
        lam.remove_permission(FunctionName="unperm", StatementId="nope")
    _allow_s3(lam, "unperm", "keep")
    with pytest.raises(ClientError) as caught:
        lam.remove_permission(FunctionName="unperm", StatementId="nope")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == "Statement nope is not found in resource policy."
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="unperm")["Policy"])["Statement"]] == ["keep"]
    lam.remove_permission(FunctionName="unperm", StatementId="keep")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="unperm")
    _allow_s3(lam, "unperm", "keep")  # the id is free again once removed
