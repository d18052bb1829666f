"""Build what CreateFunction takes: a deployment zip from source text, and a role Lambda may assume.

Used by tests, benches and lab reference solutions; nothing here talks to the cloud except through boto3.
"""

from __future__ import annotations

import io
import json
import zipfile

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def zip_files(files: dict[str, str | bytes]) -> bytes:
    """A zip holding ``{path: content}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


def zip_handler(source: str, module: str = "lambda_function") -> bytes:
    return zip_files({f"{module}.py": source})


def ensure_role(iam, name: str, policies: dict[str, dict] | None = None) -> str:
    """Create (or reuse) a role Lambda can assume, with the given inline policies; returns its ARN."""
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    for policy_name, document in (policies or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    return arn
