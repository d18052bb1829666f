"""Errors the command line prints as one line (kept apart so ``python -m gailab.tui.cli`` shares the classes)."""


class UsageError(Exception):
    """A bad argument or input: printed as one line, exit 2."""


class CliError(Exception):
    """A failure with its own exit code, printed as one line."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code
