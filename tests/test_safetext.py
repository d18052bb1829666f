"""Exports a spreadsheet or a terminal cannot be tricked by: formula cells and control sequences neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from gailab.labs.safetext import csv_cell, csv_text, terminal_text


@pytest.mark.parametrize("raw", ["=cmd()", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =HYPERLINK(\"x\")"])
def test_formula_cells_get_an_apostrophe(raw):
    assert csv_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["Ana", "ana@example.com", "'quoted", "", "a=b", "Zé - turma A"])
def test_plain_text_is_left_alone(raw):
    assert csv_cell(raw) == raw


def test_numbers_and_booleans_are_values_not_text():
    assert csv_cell(-5) == -5 and csv_cell(True) is True and csv_cell(None) is None
    assert csv_cell("a\0b") == "ab" and csv_cell("\0=1") == "'=1"


def test_a_csv_document_reads_back_with_every_formula_neutralised():
    body = csv_text(["learner", "score"], [{"learner": "=cmd()", "score": 90}, ["=\"quote,comma\"", -1]])
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [["learner", "score"], ["'=cmd()", "90"], ["'=\"quote,comma\"", "-1"]]


def test_terminal_text_shows_control_sequences_instead_of_running_them():
    assert terminal_text("ana\x1b[2Jx") == "ana\\x1b[2Jx"
    assert terminal_text("a\u202eb\x07c\x9bd\x7f") == "a\\u202eb\\x07c\\x9bd\\x7f"
    assert terminal_text("a\tb\nc") == "a b\\x0ac"
    assert terminal_text("a\nb", keep_newlines=True) == "a\nb"
    assert terminal_text("João Ñandú 日本") == "João Ñandú 日本"
    assert terminal_text(12) == "12"
