"""A lab's starter files in the learner's language: one source per file, its comments tagged by language.

A line whose text (after its indentation and any ``#``) starts with ``[en]`` or ``[pt-BR]`` belongs to that
language: the workspace gets it without the tag in that language and not at all in the other. Untagged lines (the
code) are the same in both, so the starter fails the checks the same way in either language. A source stays valid
Python or shell, so the author can still run and lint it::

    # [en] TODO 1: create the bucket BUCKET (s3.create_bucket).
    # [pt-BR] TODO 1: crie o bucket BUCKET (s3.create_bucket).
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import tokenize
from pathlib import Path

from .langlint import en_problems, pt_problems
from .text import LANGS, norm_lang

TAG = re.compile(r"^(?P<lead>[ \t]*(?:#+[ \t]*)?)\[(?P<lang>en|pt-BR)\] ?")
TAGGED = re.compile(r"^[ \t]*(?:#+[ \t]*)?\[(?:en|pt-BR)\]", re.MULTILINE)
SKIP = shutil.ignore_patterns("__pycache__")


def resolve(text: str, lang: str) -> str:
    """``text`` with only ``lang``'s tagged lines, their tags removed."""
    lang = norm_lang(lang)
    out = []
    for line in text.splitlines(keepends=True):
        m = TAG.match(line)
        if m is None:
            out.append(line)
        elif m["lang"] == lang:
            out.append(m["lead"] + line[m.end():])
    return "".join(out)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # a binary file is copied as it is


def copy_starter(source: Path, dest: Path, lang: str) -> None:
    """Copy a starter folder into ``dest`` (created; may exist) with every text file resolved to ``lang``."""
    shutil.copytree(source, dest, ignore=SKIP, dirs_exist_ok=True)
    for path in Path(dest).rglob("*"):
        if path.is_file():
            text = _text(path)
            if text is not None and TAGGED.search(text):
                path.write_text(resolve(text, lang), encoding="utf-8")


def comments(name: str, text: str) -> list[str]:
    """The comments a learner reads in a file: a Python file's comments and docstrings (and other string
    statements), a shell script's comments (not its ``#!``); nothing for data files (JSON, text)."""
    if name.endswith(".py"):
        found = []
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type == tokenize.COMMENT:
                    found.append(tok.string.lstrip("#").strip())
            found += [node.value.value for node in ast.walk(ast.parse(text))
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                      and isinstance(node.value.value, str)]
        except (SyntaxError, tokenize.TokenError):
            return []  # a file that does not parse is reported by lint_starter
        return [c for c in found if c]
    if name.endswith(".sh"):
        return [line.strip().lstrip("#").strip() for line in text.splitlines()
                if line.strip().startswith("#") and not line.startswith("#!")]
    return []


def _code(name: str, text: str) -> str:
    """What runs, comments and docstrings aside, for comparing the two languages' files."""
    if name.endswith(".py"):
        tree = ast.parse(text)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                body[0] = ast.Pass()
        return ast.dump(tree)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def lint_starter(folder: Path) -> list[tuple[Path, str]]:
    """Problems of a starter folder as (file, message): a comment in the wrong language, a tag on a line that is
    code, a file whose two languages do not parse or differ in their code."""
    problems: list[tuple[Path, str]] = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        source = _text(path)
        if source is None:
            continue
        versions = {lang: resolve(source, lang) for lang in LANGS}
        try:
            codes = {_code(path.name, text) for text in versions.values()}
        except SyntaxError as exc:
            problems.append((path, f"does not parse once resolved: {exc}"))
            continue
        if len(codes) > 1:
            problems.append((path, "a language tag is on a line of code: the en and pt-BR versions differ in "
                                   "more than comments"))
        for lang, text in versions.items():
            check = pt_problems if lang == "pt-BR" else en_problems
            for comment in comments(path.name, text):
                for line in comment.splitlines():
                    problems += [(path, f"{lang}: {p}") for p in check(path.name, line)]
    return problems
