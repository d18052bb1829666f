"""Mapping templates: the common Velocity (VTL) cases API Gateway learners write.

Supported: ``$input.body``, ``$input.json('$…')``, ``$input.path('$…')``, ``$input.params('x')`` (path, query,
header), ``$input.params().path|querystring|header``, ``$context.*``, ``$stageVariables.*``, ``$util.escapeJavaScript``,
``$util.base64Encode/Decode``, ``$util.urlEncode/Decode``, ``#set($x = …)`` with those values, and ``$!{…}``/``${…}``
forms. ``#if``/``#foreach`` are not evaluated: their lines are left out and the result says so in
``unsupported`` so the caller can report it.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

_CALL = re.compile(
    r"\$!?(?P<brace>\{)?(?P<name>input\.json|input\.path|input\.params|util\.escapeJavaScript|util\.base64Encode|"
    r"util\.base64Decode|util\.urlEncode|util\.urlDecode|util\.parseJson)\((?P<arg>[^()]*(?:\([^()]*\)[^()]*)*)\)(?(brace)\})"
)
_VAR = re.compile(r"\$!?(?P<brace>\{)?(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)(?(brace)\})")
_SET = re.compile(r"^\s*#set\s*\(\s*\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.+?)\s*\)\s*$")


@dataclass
class RequestData:
    body: str
    path_params: dict
    query: dict
    headers: dict
    context: dict
    stage_variables: dict
    unsupported: list[str] = field(default_factory=list)


def _json_path(document, path: str):
    """A small JSONPath: ``$``, ``$.a.b``, ``$.a[0]``, ``$['a']``."""
    path = path.strip().strip("'\"")
    if not path.startswith("$"):
        return None
    current = document
    for part in re.findall(r"\.([A-Za-z_0-9-]+)|\[(\d+)\]|\['([^']+)'\]", path[1:]):
        key = part[0] or part[2]
        try:
            current = current[int(part[1])] if part[1] else current[key]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def _lookup(name: str, data: RequestData, local: dict):
    parts = name.split(".")
    if parts[0] in local:
        value = local[parts[0]]
        for part in parts[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    if parts[0] == "input" and parts[1:] == ["body"]:
        return data.body
    if parts[0] == "context":
        value = data.context
    elif parts[0] == "stageVariables":
        value = data.stage_variables
    else:
        return None
    for part in parts[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _string(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _call(name: str, arg: str, data: RequestData, local: dict):
    literal = arg.strip()
    if literal[:1] in "'\"":
        literal = literal[1:-1]
    elif literal.startswith("$"):
        literal = _string(_evaluate_expr(literal, data, local))
    if name in ("input.json", "input.path"):
        try:
            document = json.loads(data.body) if data.body else {}
        except ValueError:
            document = {}
        found = _json_path(document, literal or "$")
        return json.dumps(found) if name == "input.json" else found
    if name == "input.params":
        if not arg.strip():
            return {"path": data.path_params, "querystring": data.query, "header": data.headers}
        for source in (data.path_params, data.query, data.headers):
            if literal in source:
                return source[literal]
        lowered = {k.lower(): v for k, v in data.headers.items()}
        return lowered.get(literal.lower(), "")
    if name == "util.escapeJavaScript":
        return json.dumps(literal)[1:-1].replace("'", "\\'")
    if name == "util.base64Encode":
        return base64.b64encode(literal.encode()).decode()
    if name == "util.base64Decode":
        return base64.b64decode(literal.encode()).decode("utf-8", "replace")
    if name == "util.urlEncode":
        return quote(literal, safe="")
    if name == "util.urlDecode":
        return unquote(literal)
    if name == "util.parseJson":
        try:
            return json.loads(literal)
        except ValueError:
            return None
    return None


def _evaluate_expr(expr: str, data: RequestData, local: dict):
    expr = expr.strip()
    found = _CALL.fullmatch(expr)
    if found:
        return _call(found["name"], found["arg"], data, local)
    found = _VAR.fullmatch(expr)
    if found:
        return _lookup(found["name"], data, local)
    if expr[:1] in "'\"":
        return expr[1:-1]
    return expr


def render(template: str, data: RequestData) -> str:
    local: dict = {}
    out = []
    for line in template.splitlines(keepends=True):
        stripped = line.strip()
        set_match = _SET.match(stripped)
        if set_match:
            local[set_match["name"]] = _evaluate_expr(set_match["value"], data, local)
            continue
        if stripped.startswith("#") and not stripped.startswith("##"):
            data.unsupported.append(stripped.split("(")[0])
            continue
        if stripped.startswith("##"):
            continue

        def call(found):
            return _string(_call(found["name"], found["arg"], data, local))

        line = _CALL.sub(call, line)

        def var(found):
            value = _lookup(found["name"], data, local)
            if value is None and not found.group(0).startswith("$!"):
                return "" if found["name"].split(".")[0] in ("context", "stageVariables", "input") else found.group(0)
            return _string(value)

        out.append(_VAR.sub(var, line))
    return "".join(out)
