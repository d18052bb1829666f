"""Quiz answers: stored in the lab only as salted hashes; the learner's answers live in ``answers.json``.

``answer = "sha256:<salt>:<digest>"`` with digest = sha256("<salt>:<lab id>:<question id>:<sorted indexes>").
The salt keeps equal answers of different questions from sharing a hash; with a handful of options a hash
cannot stop a determined learner (okpy's locked tests have the same limit) — it keeps answers out of plain sight.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

from .checks import Fail, Pass
from .text import T

ANSWERS_FILE = "answers.json"


def _digest(salt: str, lab_id: str, question_id: str, indexes) -> str:
    canon = ",".join(str(i) for i in sorted(set(int(i) for i in indexes)))
    return hashlib.sha256(f"{salt}:{lab_id}:{question_id}:{canon}".encode()).hexdigest()


def hash_answer(lab_id: str, question_id: str, indexes, salt: str | None = None) -> str:
    """The manifest value for a question whose correct options are ``indexes`` (0-based)."""
    salt = salt or secrets.token_hex(16)
    return f"sha256:{salt}:{_digest(salt, lab_id, question_id, indexes)}"


def is_correct(lab_id: str, question_id: str, answer_hash: str, indexes) -> bool:
    _, salt, digest = answer_hash.split(":")
    return secrets.compare_digest(_digest(salt, lab_id, question_id, indexes), digest)


def read_answers(workspace: Path | None) -> dict:
    if workspace is None:
        return {}
    path = Path(workspace) / ANSWERS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold an object {{\"question id\": [option indexes]}}")
    return data


def save_answer(workspace: Path, question_id: str, indexes: list[int]) -> None:
    """Used by the terminal app; CI writes the file directly."""
    path = Path(workspace) / ANSWERS_FILE
    data = read_answers(workspace) if path.exists() else {}
    data[question_id] = sorted(set(int(i) for i in indexes))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def grade_question(lab, question, workspace: Path | None):
    """Pass, Fail, or CheckError for a malformed answers file."""
    try:
        answers = read_answers(workspace)
    except ValueError as exc:
        return Fail(T(str(exc), f"{exc} (JSON inválido)"), expected="a JSON object", actual="invalid",
                    hint=T("Fix answers.json or answer again in the app.",
                           "Corrija o answers.json ou responda de novo no app."))
    given = answers.get(question.id)
    n = len(question.options("en"))
    if given is None:
        # Expected values stay language-neutral (they are data in the JSON report): the option indexes.
        return Fail(T(f"question {question.id!r} is not answered", f"a pergunta {question.id!r} não foi respondida"),
                    expected=f"[0..{n - 1}]", actual=None,
                    hint=T(f"Answer it in the app or in {ANSWERS_FILE}: {{\"{question.id}\": [option index]}}",
                           f"Responda no app ou em {ANSWERS_FILE}: {{\"{question.id}\": [índice da opção]}}"))
    if isinstance(given, int):
        given = [given]
    if not isinstance(given, list) or not all(isinstance(i, int) and 0 <= i < n for i in given):
        return Fail(T(f"answer to {question.id!r} must be a list of option indexes 0..{n - 1}",
                      f"a resposta de {question.id!r} deve ser uma lista de índices de 0 a {n - 1}"),
                    expected=f"[0..{n - 1}]", actual=given)
    if not question.multiple and len(given) != 1:
        return Fail(T("choose exactly one option", "escolha exatamente uma opção"), expected=1, actual=len(given))
    if is_correct(lab.id, question.id, question.answer, given):
        return Pass(actual=given)
    return Fail(T(f"the answer to {question.id!r} is not right", f"a resposta de {question.id!r} não está certa"),
                expected=None, actual=given,  # the right answer is never revealed
                hint=T("Re-read this step's section of the instructions.", "Releia a seção deste passo nas instruções."))
