"""Bedrock's modeled errors as one exception the service turns into AWS's wire shape."""

from __future__ import annotations


class BedrockError(Exception):
    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def validation(message: str) -> BedrockError:
    return BedrockError("ValidationException", message, 400)


def malformed(detail: str) -> BedrockError:
    """The wording Bedrock uses when a native body fails the model's JSON schema."""
    return validation(f"Malformed input request: {detail}, please reformat your input and try again.")


def not_found(message: str) -> BedrockError:
    return BedrockError("ResourceNotFoundException", message, 404)


def access_denied(message: str) -> BedrockError:
    return BedrockError("AccessDeniedException", message, 403)


def throttled(message: str = "Too many requests, please wait before trying again.") -> BedrockError:
    return BedrockError("ThrottlingException", message, 429)


def conflict(message: str) -> BedrockError:
    return BedrockError("ConflictException", message, 400)
