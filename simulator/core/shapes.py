"""Validate a request against botocore's model of the operation, with the wording AWS's front end uses.

Services we write ourselves (Knowledge Bases, SageMaker endpoints...) check required members, enums, lengths,
ranges and patterns here instead of by hand, so a learner gets the message real AWS sends:
``1 validation error detected: Value 'X' at 'a.b' failed to satisfy constraint: Member must satisfy enum value set:
[...]``. boto3 checks types and required members before sending; raw HTTP clients and the ``aws`` CLI with JSON
input reach this.
"""

from __future__ import annotations

import functools
import re


def service_model(name: str):
    """The service's botocore model: the cloud's one copy (awserrors)."""
    from .awserrors import service_model as shared

    return shared(name)


def input_shape(service: str, operation: str):
    return service_model(service).operation_model(operation).input_shape


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """The pattern compiled, or None for Java-only syntax (``\\p{L}``...) that Python cannot check."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return str(value)[:100]
    return str(value)


def problems(shape, value, path: str = "") -> list[str]:
    """Every constraint ``value`` breaks, as AWS phrases each one (``Value ... at 'path' ...``)."""
    found: list[str] = []
    _check(shape, value, path, found)
    return found


def _fail(found: list[str], value, path: str, what: str) -> None:
    shown = "null" if value is None else f"'{_shown(value)}'"
    found.append(f"Value {shown} at '{path}' failed to satisfy constraint: Member must {what}")


def _check(shape, value, path: str, found: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if getattr(shape, "is_document_type", False) or meta.get("document"):
        return  # free-form JSON (filter values, model fields)
    if kind == "structure":
        if not isinstance(value, dict):
            _fail(found, value, path, "be a structure")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                _fail(found, None, f"{path}.{name}" if path else name, "not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], f"{path}.{name}" if path else name, found)
        return
    if kind == "list":
        if not isinstance(value, list):
            _fail(found, value, path, "be a list")
            return
        _length(found, value, path, meta)
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}.{i + 1}.member", found)
        return
    if kind == "map":
        if not isinstance(value, dict):
            _fail(found, value, path, "be a map")
            return
        _length(found, value, path, meta)
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}", found)
        return
    if kind == "string":
        if not isinstance(value, str):
            _fail(found, value, path, "be a string")
            return
        enum = meta.get("enum")
        if enum and value not in enum:
            _fail(found, value, path, f"satisfy enum value set: [{', '.join(enum)}]")
            return
        _length(found, value, path, meta)
        pattern = meta.get("pattern")
        compiled = _regex(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            _fail(found, value, path, f"satisfy regular expression pattern: {pattern}")
        return
    if kind in ("integer", "long", "float", "double"):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (kind in ("integer", "long") and value != int(value))
        ):
            _fail(found, value, path, "be a number" if kind in ("float", "double") else "be an integer")
            return
        if "min" in meta and value < meta["min"]:
            _fail(found, value, path, f"have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            _fail(found, value, path, f"have value less than or equal to {meta['max']}")
        return
    if kind == "boolean" and not isinstance(value, bool):
        _fail(found, value, path, "be a boolean")


def _length(found: list[str], value, path: str, meta: dict) -> None:
    if "min" in meta and len(value) < meta["min"]:
        _fail(found, value, path, f"have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        _fail(found, value, path, f"have length less than or equal to {meta['max']}")


def message(found: list[str]) -> str:
    """AWS's summary line for a list of problems."""
    noun = "error" if len(found) == 1 else "errors"
    return f"{len(found)} validation {noun} detected: " + "; ".join(found)


def _lower_first(problem: str) -> str:
    """JSON 1.1 services (SageMaker...) name members in messages with a lower-case first letter."""
    return re.sub(
        r" at '([^']*)'",
        lambda m: " at '" + ".".join(p[:1].lower() + p[1:] for p in m[1].split(".")) + "'",
        problem,
        count=1,
    )


def check(service: str, operation: str, params: dict, *, lower_first: bool = False) -> str | None:
    """The ValidationException message for a request, or None when it passes."""
    found = problems(input_shape(service, operation), params)
    if lower_first:
        found = [_lower_first(p) for p in found]
    return message(found) if found else None
