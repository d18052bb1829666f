"""The command line speaks the learner's language: statuses and errors of the real ``gailab`` (a subprocess) in
pt-BR hold no English sentence, and in en no Portuguese one; the language comes from --lang or the locale. The
help of every command too (``--help``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from langcheck import en_problems, pt_problems

LOCALES = {"pt-BR": "pt_BR.UTF-8", "en": "en_US.UTF-8"}


def gailab(tmp_path, lang: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GAILAB_", "LC_"))}
    env.update(LANG=LOCALES[lang], GAILAB_HOME=str(tmp_path / "home"), GAILAB_LEARNER="ana")
    return subprocess.run([sys.executable, "-m", "gailab.tui.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


def assert_language(lang: str, text: str) -> None:
    check = pt_problems if lang == "pt-BR" else en_problems
    problems = [p for line in text.splitlines() if line.strip() for p in check("cli", line)]
    assert not problems, "\n".join(problems)


EXPECTED = {
    "no_cloud": {"pt-BR": "gailab: nenhuma nuvem responde em http://127.0.0.1:{port}; inicie uma com 'gailab serve'",
                 "en": "gailab: no cloud answers at http://127.0.0.1:{port}; start one with 'gailab serve'"},
    "env_note": {"pt-BR": "gailab: observação: nenhuma nuvem local responde em", "en": "gailab: note: no local cloud"},
    "unknown_lab": {"pt-BR": "gailab: não existe o lab 'nope-lab'; labs conhecidos: ",
                    "en": "gailab: no lab 'nope-lab'; known labs: "},
    "missing_folder": {"pt-BR": "não existe", "en": "does not exist"},
    "not_a_folder": {"pt-BR": "não é uma pasta", "en": "is not a folder"},
    "status": {"pt-BR": "não iniciado", "en": "not-started"},
    "valid": {"pt-BR": "ok    s3-genai-storage: a definição é válida", "en": "ok    s3-genai-storage: definition is valid"},
}


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_statuses_and_errors_follow_the_locale(tmp_path, lang):
    port = closed_port()
    done = gailab(tmp_path, lang, "lab", "reset", "s3-genai-storage", "--endpoint", f"http://127.0.0.1:{port}")
    assert done.returncode == 3 and done.stderr.strip() == EXPECTED["no_cloud"][lang].format(port=port)
    errors = [done.stderr]

    done = gailab(tmp_path, lang, "env", "--endpoint", f"http://127.0.0.1:{port}")
    assert done.returncode == 0 and done.stderr.startswith(EXPECTED["env_note"][lang])
    errors.append(done.stderr)

    done = gailab(tmp_path, lang, "grade", "nope-lab")
    assert done.returncode == 2 and done.stderr.startswith(EXPECTED["unknown_lab"][lang])
    assert "s3-genai-storage" in done.stderr
    errors.append(done.stderr)

    done = gailab(tmp_path, lang, "grade", "s3-genai-storage", "--workspace", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and EXPECTED["missing_folder"][lang] in done.stderr
    errors.append(done.stderr)
    (tmp_path / "answers.json").write_text("{}")
    done = gailab(tmp_path, lang, "grade", "s3-genai-storage", "--workspace", str(tmp_path / "answers.json"))
    assert done.returncode == 2 and EXPECTED["not_a_folder"][lang] in done.stderr
    errors.append(done.stderr)

    done = gailab(tmp_path, lang, "labs")
    assert done.returncode == 0 and EXPECTED["status"][lang] in done.stdout
    statuses = [done.stdout]
    from gailab.labs.catalog import BUILTIN

    done = gailab(tmp_path, lang, "lab", "validate", "--lint-only", str(BUILTIN / "s3-genai-storage"))
    assert done.returncode == 0 and done.stdout.strip() == EXPECTED["valid"][lang]
    statuses.append(done.stdout)
    for text in errors + statuses:
        assert_language(lang, text)


def test_lang_option_wins_over_the_locale(tmp_path):
    done = gailab(tmp_path, "en", "grade", "nope-lab", "--lang", "pt-BR")
    assert done.returncode == 2 and done.stderr.startswith(EXPECTED["unknown_lab"]["pt-BR"])


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_mistyped_command_or_option_is_said_in_the_learners_language(tmp_path, lang):
    expected = {"pt-BR": ["gailab: erro: argumento COMANDO: opção inválida: 'grde' (escolha entre ",
                          "gailab grade: erro: estes argumentos são obrigatórios: LAB",
                          "gailab grade: erro: argumento --timeout: valor float inválido: 'abc'"],
                "en": ["gailab: error: argument COMMAND: invalid choice: 'grde' (choose from ",
                       "gailab grade: error: the following arguments are required: LAB",
                       "gailab grade: error: argument --timeout: invalid float value: 'abc'"]}[lang]
    for args, line in zip([["grde"], ["grade"], ["grade", "x", "--timeout", "abc"]], expected):
        done = gailab(tmp_path, lang, *args)
        usage, error = done.stderr.strip().splitlines()[0], done.stderr.strip().splitlines()[-1]
        assert done.returncode == 2 and error.startswith(line), done.stderr
        assert usage.startswith("uso: gailab" if lang == "pt-BR" else "usage: gailab")
        assert_language(lang, error.split("(", 1)[0])


def test_the_teachers_class_commands_speak_pt_br_too(tmp_path):
    db = tmp_path / "turma.db"
    done = gailab(tmp_path, "pt-BR", "class", "verify", "--db", str(db))
    assert done.returncode == 2 and done.stderr.startswith(f"gailab: não há armazenamento de turma em {db}; crie um")
    done = gailab(tmp_path, "pt-BR", "class", "init", "turma", "--lab", "s3-genai-storage", "--lab",
                  "s3-genai-storage", "--db", str(db))
    assert done.returncode == 2 and done.stderr.strip() == "gailab: um lab foi informado duas vezes"
    done = gailab(tmp_path, "pt-BR", "class", "init", "turma", "--lab", "s3-genai-storage@2026-12-20", "--db", str(db))
    assert done.returncode == 0 and "turma 'turma' em " in done.stdout
    done = gailab(tmp_path, "pt-BR", "class", "verify", "--db", str(db))
    assert done.returncode == 0 and done.stdout.startswith("a cadeia está íntegra: ")
    for text in (done.stdout,):
        assert_language("pt-BR", text)


def test_the_app_and_the_command_line_choose_the_language_alike():
    from gailab.labs.text import env_lang
    from gailab.tui import i18n
    from gailab.tui.errors import cli_lang

    cases = [({"GAILAB_LANG": "pt-BR", "LANG": "en_US.UTF-8"}, "pt-BR"), ({"LC_ALL": "de_DE.UTF-8", "LANG": "pt_BR"},
             "pt-BR"), ({"LC_ALL": "C.UTF-8", "LANG": "pt_BR.UTF-8"}, "en"), ({}, "en")]
    for environ, lang in cases:
        assert env_lang(environ) == i18n.detect(None, environ) == cli_lang(None, environ) == lang, environ
    assert cli_lang("pt-BR", {"LANG": "en_US"}) == i18n.detect("pt-BR", {"LANG": "en_US"}) == "pt-BR"


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of the real parser (a new one is covered without touching this test)."""
    import argparse

    from gailab.tui.cli import build_parser

    paths: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        paths.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return paths


def parser_texts() -> list[str]:
    """Every help text, description, section title and metavar the English parser shows."""
    import argparse

    from gailab.tui.cli import build_parser

    texts: list[str] = []

    def walk(parser: argparse.ArgumentParser) -> None:
        texts.extend(t for t in (parser.description, parser.epilog) if t)
        texts.extend(group.title for group in parser._action_groups if group.title)
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            texts.extend(t for t in (action.help, action.metavar) if isinstance(t, str))
            if action.metavar is None and action.option_strings and action.nargs != 0 and action.choices is None:
                texts.append(action.dest.upper())
            if isinstance(action, argparse._SubParsersAction):
                texts.extend(choice.help for choice in action._choices_actions if choice.help)
                for sub in action.choices.values():
                    walk(sub)

    walk(build_parser())
    return texts


def test_every_help_text_has_its_pt_br_in_the_catalog():
    from gailab.tui.cli_help import HELP

    texts = parser_texts()
    assert len(texts) > 100 and "positional arguments" in texts and "show this help message and exit" in texts
    missing = sorted({t for t in texts if t not in HELP})
    assert not missing, missing


HELP_EXPECTED = {"pt-BR": ["uso: gailab", "opções:", "-h, --help", "mostra esta ajuda e sai"],
                 "en": ["usage: gailab", "options:", "-h, --help", "show this help message and exit"]}


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_help_of_every_command_is_in_the_learners_language(tmp_path, lang):
    paths = command_paths()
    assert ("grade",) in paths and ("class", "roster", "import") in paths and ("lab", "hash-answer") in paths
    for path in paths:
        done = gailab(tmp_path, lang, *path, "--help")
        assert done.returncode == 0 and not done.stderr, (path, done.stderr)
        for expected in HELP_EXPECTED[lang]:
            assert expected in done.stdout, (path, expected, done.stdout)
        assert_language(lang, done.stdout)
    done = gailab(tmp_path, lang, "grade", "--help")
    words = {"pt-BR": ["argumentos posicionais:", "--timeout SEGUNDOS", "segundos por verificação (padrão: 10)"],
             "en": ["positional arguments:", "--timeout TIMEOUT", "seconds per check (default 10)"]}[lang]
    assert all(w in done.stdout for w in words), done.stdout


def test_the_lang_option_picks_the_help_language_too(tmp_path):
    done = gailab(tmp_path, "en", "lab", "--help", "--lang", "pt-BR")
    assert done.returncode == 0 and done.stdout.startswith("uso: gailab lab"), done.stdout
    assert "AÇÃO" in done.stdout and "opções:" in done.stdout and "options:" not in done.stdout
