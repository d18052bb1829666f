"""``gailab labs``, ``gailab grade`` and ``gailab lab ...`` (the grader's command line)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the lab commands to the parser (filled in by the grader's issue)."""
