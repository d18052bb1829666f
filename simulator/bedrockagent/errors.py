"""Knowledge Bases' modeled errors: Bedrock's exception (code, message, HTTP status) with this API's statuses."""

from __future__ import annotations

from ..bedrock.errors import BedrockError as KbError


def validation(message: str) -> KbError:
    return KbError("ValidationException", message, 400)


def not_found(message: str) -> KbError:
    return KbError("ResourceNotFoundException", message, 404)


def conflict(message: str) -> KbError:
    """bedrock-agent models ConflictException as 409 (the Bedrock control plane uses 400)."""
    return KbError("ConflictException", message, 409)
