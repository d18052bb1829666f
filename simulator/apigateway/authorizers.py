"""Lambda authorizers (TOKEN and REQUEST) for REST API methods with authorizationType CUSTOM.

API Gateway calls the authorizer function, reads the IAM policy it returns and lets the request through only if
that policy allows ``execute-api:Invoke`` on the method ARN; the returned ``context`` reaches the integration as
``requestContext.authorizer``. Answers as API Gateway does: 401 Unauthorized (no token, or the function raised
"Unauthorized"), 403 when the policy does not allow, 500 when the authorizer itself is broken.
Results are not cached (as with a TTL of 0).
"""

from __future__ import annotations

import json
import re

from ..core.home import ACCOUNT_ID
from . import integrations


def _answer(status: int, key: str, message: str) -> integrations.Outcome:
    return integrations.Outcome(status, json.dumps({key: message}).encode(), {"Content-Type": "application/json"},
                                message)


def authorize(api, method, info, target, resource_path, params, stage_variables, context):
    """(None, authorizer context) to go on, or (Outcome, None) to answer now."""
    authorizer = (api.authorizers or {}).get(method.authorizer_id or "")
    if authorizer is None:
        return _answer(500, "message", "Internal server error"), None
    kind = (authorizer.type or "TOKEN").upper()
    if kind not in ("TOKEN", "REQUEST"):
        return _answer(500, "message", f"authorizer type {kind} is not supported by the local cloud"), None
    method_arn = (f"arn:aws:execute-api:{info.region}:{ACCOUNT_ID}:{api.id}/{target.stage}/{info.method.upper()}"
                  f"{resource_path}")
    sources = [s.strip() for s in (authorizer.identity_source or "method.request.header.Authorization").split(",")]
    if kind == "TOKEN":
        header = sources[0].rsplit(".", 1)[-1]
        token = info.headers.get(header)
        if not token:
            return _answer(401, "message", "Unauthorized"), None
        pattern = authorizer.identity_validation_expression
        if pattern and not re.fullmatch(pattern, token):
            return _answer(401, "message", "Unauthorized"), None
        event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
    else:
        for source in sources:
            name = source.rsplit(".", 1)[-1]
            if ".header." in source and not info.headers.get(name):
                return _answer(401, "message", "Unauthorized"), None
            if ".querystring." in source and name not in info.request.args:
                return _answer(401, "message", "Unauthorized"), None
        event = {"type": "REQUEST", "methodArn": method_arn, "resource": resource_path, "path": target.path,
                 "httpMethod": info.method, "headers": dict(info.headers.items()),
                 "queryStringParameters": dict(info.request.args.items()), "pathParameters": params or {},
                 "stageVariables": stage_variables, "requestContext": context}
    fn, why = integrations.lambda_function(integrations.substitute_stage_variables(authorizer.authorizer_uri or "",
                                                                                stage_variables))
    if fn is None:
        return _answer(500, "message", "Internal server error"), None
    base = f"arn:aws:execute-api:{info.region}:{ACCOUNT_ID}:{api.id}/authorizers/{authorizer.id}"
    if not authorizer.authorizer_credentials and not integrations.permission_allows(fn, [base]):
        return _answer(500, "message", "Internal server error"), None
    invocation = integrations.run_lambda(fn, event)
    if invocation is None:
        return _answer(500, "message", "Internal server error"), None
    try:
        result = json.loads(invocation.payload)
    except ValueError:
        result = None
    if invocation.errored:
        message = result.get("errorMessage") if isinstance(result, dict) else ""
        if message == "Unauthorized":
            return _answer(401, "message", "Unauthorized"), None
        return _answer(500, "message", "Internal server error"), None
    if not isinstance(result, dict) or not isinstance(result.get("policyDocument"), dict):
        return _answer(500, "message", "Internal server error"), None
    from ..iam.policy import evaluate

    decision = evaluate([("authorizer policy", result["policyDocument"])], "execute-api:Invoke", method_arn)
    if not decision.allowed:
        if decision.explicit_deny:
            return _answer(403, "Message", "User is not authorized to access this resource with an explicit deny"), None
        return _answer(403, "Message", "User is not authorized to access this resource"), None
    granted = dict(result.get("context") or {})
    granted["principalId"] = result.get("principalId")
    return None, granted
