"""Quiz answers: stored in the lab only as salted hashes; the learner's answers live in ``answers.json``.

``answer = "sha256:<salt>:<digest>"`` with digest = sha256("<salt>:<lab id>:<question id>:<canon>"): the sorted
option indexes for single and multiple choice, ``seq:`` and the indexes in order for ordering and matching.
The salt keeps equal answers of different questions from sharing a hash; with a handful of options a hash
cannot stop a determined learner (okpy's locked tests have the same limit) — it keeps answers out of plain sight.
The same smallness lets a reference solution answer without the answers being written anywhere:
:func:`reference_answers` finds each answer by trying the question's possible answers against its hash.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import secrets
from pathlib import Path

from .checks import Fail, Pass
from .text import T

ANSWERS_FILE = "answers.json"
KINDS = ("single", "multiple", "order", "match")
ORDERED_KINDS = ("order", "match")
SEARCH_LIMIT = 200_000  # possible answers a question may have (a match of 6 prompts to 7 options: 117,649)


def _digest(salt: str, lab_id: str, question_id: str, indexes, ordered: bool = False) -> str:
    if ordered:
        canon = "seq:" + ",".join(str(int(i)) for i in indexes)
    else:
        canon = ",".join(str(i) for i in sorted(set(int(i) for i in indexes)))
    return hashlib.sha256(f"{salt}:{lab_id}:{question_id}:{canon}".encode()).hexdigest()


def hash_answer(lab_id: str, question_id: str, indexes, salt: str | None = None, ordered: bool = False) -> str:
    """The manifest value for a question whose answer is ``indexes`` (0-based): the correct options (single,
    multiple), the options in the right order (order), or the option of each prompt (match) — ``ordered`` for
    the last two."""
    salt = salt or secrets.token_hex(16)
    return f"sha256:{salt}:{_digest(salt, lab_id, question_id, indexes, ordered)}"


def is_correct(lab_id: str, question_id: str, answer_hash: str, indexes, ordered: bool = False) -> bool:
    _, salt, digest = answer_hash.split(":")
    return secrets.compare_digest(_digest(salt, lab_id, question_id, indexes, ordered), digest)


def possible_answers(question):
    """Every well-formed answer to ``question`` (what a learner could submit), lazily."""
    n = len(question.options("en"))
    if question.kind == "single":
        return ([i] for i in range(n))
    if question.kind == "multiple":
        sizes = [question.choose] if question.choose else range(1, n + 1)
        return (list(c) for size in sizes for c in itertools.combinations(range(n), size))
    if question.kind == "order":
        return (list(p) for p in itertools.permutations(range(n)))
    return (list(p) for p in itertools.product(range(n), repeat=len(question.prompts("en"))))


def answer_space(question) -> int:
    n = len(question.options("en"))
    if question.kind == "single":
        return n
    if question.kind == "multiple":
        return math.comb(n, question.choose) if question.choose else 2 ** n - 1
    if question.kind == "order":
        return math.factorial(n)
    return n ** len(question.prompts("en"))


def find_answer(lab_id: str, question) -> list[int] | None:
    """The answer whose hash is the question's (None when no well-formed answer has it: a broken hash)."""
    if answer_space(question) > SEARCH_LIMIT:
        return None
    ordered = question.kind in ORDERED_KINDS
    return next((a for a in possible_answers(question)
                 if is_correct(lab_id, question.id, question.answer, a, ordered)), None)


def reference_answers(lab) -> dict[str, list[int]]:
    """Every question's answer, recovered from the hashes (for reference solutions: no answer in plain text)."""
    found = {}
    for step in lab.steps:
        for question in (step.quiz.questions if step.quiz else []):
            answer = find_answer(lab.id, question)
            if answer is None:
                raise ValueError(f"question {question.id!r} of {lab.id}: no answer of its kind matches its hash")
            found[question.id] = answer
    return found


def answer_from_env(workspace: Path | None = None) -> dict[str, list[int]]:
    """For a reference solution: answer every question of the lab in ``GAILAB_LAB_DIR`` into the workspace's
    ``answers.json`` (``GAILAB_WORKSPACE`` or ``workspace``)."""
    import os

    from .manifest import load_lab

    if not os.environ.get("GAILAB_LAB_DIR"):
        raise ValueError("GAILAB_LAB_DIR is not set: run this from a lab's solution (gailab lab solve)")
    lab = load_lab(os.environ["GAILAB_LAB_DIR"])
    where = Path(workspace or os.environ.get("GAILAB_WORKSPACE") or ".")
    answers = reference_answers(lab)
    kinds = {q.id: q.kind for s in lab.steps if s.quiz for q in s.quiz.questions}
    for question_id, indexes in answers.items():
        save_answer(where, question_id, indexes, ordered=kinds[question_id] in ORDERED_KINDS)
    return answers


class AnswersFileError(ValueError):
    """answers.json cannot be read; ``text`` says why in both languages."""

    def __init__(self, text: T):
        super().__init__(text.en)
        self.text = text


def read_answers(workspace: Path | None) -> dict:
    if workspace is None:
        return {}
    path = Path(workspace) / ANSWERS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnswersFileError(T(f"{ANSWERS_FILE} is not valid JSON ({exc})",
                                 f"{ANSWERS_FILE} não é um JSON válido ({_json_position(exc)})")) from None
    if not isinstance(data, dict):
        raise AnswersFileError(T(f"{ANSWERS_FILE} must hold an object {{\"question id\": [option indexes]}}",
                                 f"{ANSWERS_FILE} deve conter um objeto {{\"id da pergunta\": [índices das opções]}}"))
    return data


def _json_position(exc: Exception) -> str:
    """Where the JSON broke, without the parser's English words."""
    if isinstance(exc, json.JSONDecodeError):
        return f"linha {exc.lineno}, coluna {exc.colno}"
    return type(exc).__name__


def save_answer(workspace: Path, question_id: str, indexes: list[int], ordered: bool = False) -> None:
    """Used by the terminal app and reference solutions; CI writes the file directly. ``ordered`` keeps the
    order (ordering and matching questions)."""
    path = Path(workspace) / ANSWERS_FILE
    try:
        data = read_answers(workspace) if path.exists() else {}
    except AnswersFileError:
        data = {}  # a broken file is replaced by the answers given now
    data[question_id] = [int(i) for i in indexes] if ordered else sorted(set(int(i) for i in indexes))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def grade_question(lab, question, workspace: Path | None):
    """Pass, Fail, or CheckError for a malformed answers file."""
    try:
        answers = read_answers(workspace)
    except AnswersFileError as exc:
        return Fail(exc.text, expected="{}", actual=None,
                    hint=T("Fix answers.json or answer again in the app.",
                           "Corrija o answers.json ou responda de novo no app."))
    given = answers.get(question.id)
    n = len(question.options("en"))
    shape = _shape(question, n)
    if given is None:
        # Expected values stay language-neutral (they are data in the JSON report): the shape of an answer.
        return Fail(T(f"question {question.id!r} is not answered", f"a pergunta {question.id!r} não foi respondida"),
                    expected=shape, actual=None,
                    hint=T(f"Answer it in the app or in {ANSWERS_FILE}: {{\"{question.id}\": "
                           f"{_hint_example(question).en}}}",
                           f"Responda no app ou em {ANSWERS_FILE}: {{\"{question.id}\": "
                           f"{_hint_example(question)('pt-BR')}}}"))
    if isinstance(given, int) and not isinstance(given, bool):
        given = [given]
    if not isinstance(given, list) or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n
                                              for i in given):
        return Fail(T(f"the answer to {question.id!r} must be a list of option indexes 0..{n - 1}",
                      f"a resposta de {question.id!r} deve ser uma lista de índices de opção de 0 a {n - 1}"),
                    expected=shape, actual=given)
    problem = _form_problem(question, given, n)
    if problem is not None:
        return Fail(problem, expected=shape, actual=given)
    if is_correct(lab.id, question.id, question.answer, given, question.kind in ORDERED_KINDS):
        return Pass(actual=given)
    return Fail(T(f"the answer to {question.id!r} is not right", f"a resposta de {question.id!r} não está certa"),
                expected=None, actual=given,  # the right answer is never revealed
                hint=T("Re-read this step's section of the instructions.", "Releia a seção deste passo nas instruções."))


def _shape(question, n: int) -> str:
    """What an answer looks like, in symbols only (it is data in every language): "[a, b] (0..4)"."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if question.kind == "single":
        size = 1
    elif question.kind == "multiple":
        size = question.choose or 0
    elif question.kind == "order":
        size = n
    else:
        size = len(question.prompts("en"))
    items = ", ".join(letters[i % 26] for i in range(size)) if size else "a, …"
    return f"[{items}] (0..{n - 1})"


def _hint_example(question) -> T:
    return {
        "single": T("[option index]", "[índice da opção]"),
        "multiple": T("[option indexes]", "[índices das opções]"),
        "order": T("[option indexes, first to last]", "[índices das opções, do primeiro ao último]"),
        "match": T("[option index for each item, in order]", "[índice da opção de cada item, na ordem]"),
    }[question.kind]


def _form_problem(question, given: list[int], n: int) -> T | None:
    if question.kind == "single" and len(given) != 1:
        return T("choose exactly one option", "escolha exatamente uma opção")
    if question.kind == "multiple":
        if len(set(given)) != len(given):
            return T("an option is chosen twice", "uma opção foi escolhida duas vezes")
        if question.choose and len(given) != question.choose:
            return T(f"choose exactly {question.choose} options", f"escolha exatamente {question.choose} opções")
        if not given:
            return T("choose at least one option", "escolha pelo menos uma opção")
    if question.kind == "order" and sorted(given) != list(range(n)):
        return T(f"put all {n} options in order, each exactly once",
                 f"coloque as {n} opções em ordem, cada uma exatamente uma vez")
    if question.kind == "match" and len(given) != len(question.prompts("en")):
        count = len(question.prompts("en"))
        return T(f"match each of the {count} items to one option", f"associe cada um dos {count} itens a uma opção")
    return None
