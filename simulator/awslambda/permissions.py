"""A function's resource policy keeps each statement id once, and names the one it cannot find, as Lambda does.

moto appends a second statement with the same id (AddPermission) and answers "No policy is associated" when
RemovePermission names an id the policy lacks; Lambda answers 409 ResourceConflictException and 404 "Statement X is
not found in resource policy." Declared in ``simulator/core/motoseam.py``.
"""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.cache
def _errors():
    """Lambda's two errors, as moto's error class (made once, when first needed: moto loads lazily)."""
    from moto.awslambda.exceptions import LambdaClientError

    class ResourceConflict(LambdaClientError):
        code = 409

        def __init__(self, message: str):
            super().__init__("ResourceConflictException", message)

    class StatementNotFound(LambdaClientError):
        code = 404

        def __init__(self, message: str):
            super().__init__("ResourceNotFoundException", message)

    return ResourceConflict, StatementNotFound


def _for_function(policy) -> bool:
    from moto.awslambda.models import LambdaFunction

    return isinstance(policy.parent, LambdaFunction)


def add_statement(self, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
    """Replacement for moto's ``Policy.add_statement``: an id already in the policy is a conflict."""
    from ..core.motoseam import original

    if _for_function(self):
        try:
            sid = json.loads(raw).get("StatementId")
        except (ValueError, AttributeError):
            sid = None  # moto's own parsing says what is wrong with the body
        if isinstance(sid, str) and any(s.get("Sid") == sid for s in self.statements):
            conflict, _ = _errors()
            raise conflict(
                f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
                "or remove the existing statement."
            )
    return original("moto.awslambda.policy:Policy.add_statement")(self, raw, qualifier)


def del_statement(self, sid: str, revision: str = "") -> None:
    """Replacement for moto's ``Policy.del_statement``: an id the policy lacks is named in the error."""
    from ..core.motoseam import original

    if _for_function(self) and self.statements and not any(s.get("Sid") == sid for s in self.statements):
        if not revision or revision == self.revision:  # a stale RevisionId is moto's PreconditionFailed first
            _, not_found = _errors()
            raise not_found(f"Statement {sid} is not found in resource policy.")
    original("moto.awslambda.policy:Policy.del_statement")(self, sid, revision)
