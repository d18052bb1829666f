"""The ``gailab`` command line. With no command it opens the terminal app.

Every command honours ``--home`` and ``GAILAB_HOME``. Exit codes (design.md): 0 ok / passed, 1 failed,
2 usage or lab-definition error, 3 cloud unreachable,
4 the setup command of ``gailab grade --setup`` failed. Errors are one readable line on stderr, never a traceback.
Textual is imported only when the app opens, so ``gailab serve`` and ``gailab grade`` start fast.
"""

from __future__ import annotations

import argparse
import sys

from . import commands_class, commands_cloud, commands_costs, commands_labs
from . import i18n
from .cli_help import LocalizedFormatter, localize_parser
from .errors import CliError, UsageError, cli_lang


class Parser(argparse.ArgumentParser):
    """argparse, with its errors (a mistyped command or option) and its help in the learner's language; subcommands
    too (they are built with this class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", LocalizedFormatter)  # "uso:" in pt-BR
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        from .errors import argparse_message

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {argparse_message(message)}\n")


def _lang_argument(argv: list[str]) -> str | None:
    """``--lang X`` (or ``--lang=X``) from the command line, before parsing (its errors speak it already)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser() -> argparse.ArgumentParser:
    home_help = "gailab's data folder (default: GAILAB_HOME or the user data dir)"
    # Subcommands accept --home too; SUPPRESS keeps them from overwriting one given before the command.
    common = Parser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=home_help)
    parser = Parser(
        prog="gailab",
        description="Hands-on labs for the AWS Generative AI fundamentals, on an offline local cloud.",
    )
    parser.add_argument("--version", action="version", version=f"gailab {version()}")
    parser.add_argument("--home", metavar="DIR", default=None, help=home_help)
    parser.add_argument("--lang", choices=["en", "pt-BR"], help="language of the app (default from LC_ALL/LANG)")
    parser.add_argument("--class", dest="class_db", metavar="DB",
                        help="open the class screen on this class store (a SQLite file or postgresql://…)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands_cloud.register(commands, common)
    commands_labs.register(commands, common)
    commands_class.register(commands, common)
    commands_costs.register(commands, common)
    localize_parser(parser)  # the help in the learner's language, set by main() before this
    return parser


def version() -> str:
    """The installed distribution's version (the source tree's pyproject when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("gailab")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    before = i18n.get_lang()
    i18n.set_lang(cli_lang(_lang_argument(sys.argv[1:] if argv is None else argv)))  # the learner's language
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        i18n.set_lang(before)
        raise
    try:
        if args.command is None and args.class_db:
            return commands_class.open_class_app(args)
        if args.command is None:
            return open_app(args)
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"gailab: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"gailab: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    finally:
        i18n.set_lang(before)  # main() called in-process (tests) leaves the default as it found it


def open_app(args: argparse.Namespace) -> int:
    try:
        from .app import run_app
    except ImportError as exc:  # the app is built in its own issue
        raise CliError("app.missing", 2, detail=exc) from None
    return run_app(home=args.home, lang=args.lang)


if __name__ == "__main__":
    sys.exit(main())
