"""The class tables, one schema for SQLite and PostgreSQL. Every table except claims is append-only and chained.

Chained rows carry ``chain_seq`` (their place in the class's one chain), ``chain_prev`` (the previous row's hash)
and ``chain_hash`` (a hash over ``chain_prev`` and the row's content): see :mod:`.chain`. Times are naive UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _when(nullable: bool = False):
    """A naive-UTC time column (TIMESTAMP WITHOUT TIME ZONE on PostgreSQL): stored and read back unchanged."""
    return Field(default=None, sa_column=Column(DateTime(timezone=False), nullable=nullable))


class Chained(SQLModel):
    chain_seq: Optional[int] = Field(default=None, index=True)
    chain_prev: Optional[str] = None
    chain_hash: Optional[str] = None


class ClassSetting(SQLModel, table=True):
    """Key/value: the class name, the chain's head, the fingerprint of the class key."""

    __tablename__ = "class_settings"
    key: str = Field(primary_key=True)
    value: str


class ClassLab(Chained, table=True):
    """A lab of the class and its due date; a later row for the same lab replaces it (init run again)."""

    __tablename__ = "class_labs"
    id: Optional[int] = Field(default=None, primary_key=True)
    lab_id: str = Field(index=True)
    position: int
    due: Optional[datetime] = _when(nullable=True)
    active: bool = True
    set_at: datetime = _when()


class RosterEntry(Chained, table=True):
    """A learner of the class (``learner_id`` is what they submit as); a later row for the same id replaces it."""

    __tablename__ = "class_roster"
    id: Optional[int] = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    name: str
    email: str = ""
    set_at: datetime = _when()


class SubmissionRow(Chained, table=True):
    """One collected submission, stored once (by content hash), with the learner's claims kept for comparison."""

    __tablename__ = "class_submissions"
    id: Optional[int] = Field(default=None, primary_key=True)
    content_hash: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    learner_id: str = Field(index=True)
    lab_id: str = Field(index=True)
    lab_version: str
    lab_content_hash: str
    format_version: int
    gailab_version: str
    created_at: datetime = _when()  # the learner's clock
    collected_at: datetime = _when()
    collected_by: str
    source: str  # the file name it was collected from
    size: int
    solve_events: int
    hint_events: int
    reset_events: int
    claimed_total: Optional[int] = None  # what the learner's own report said: never used as a grade
    claimed_maximum: Optional[int] = None
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ResultRow(Chained, table=True):
    """One regrade of a submission: its rebuilt cloud graded with the class's definition of the lab."""

    __tablename__ = "class_results"
    __table_args__ = (UniqueConstraint("submission_id", "grading_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(sa_column=Column(Integer, ForeignKey("class_submissions.id"), nullable=False,
                                                index=True))
    grading_key: str
    lab_content_hash: str
    grader_version: str
    status: str  # passed | failed | error (the report's) or "invalid" (the submission could not be replayed)
    total: int
    maximum: int
    pass_mark: int
    passed: bool
    solve_detected: bool
    forged_records: int
    journal_problems: int
    detail_json: str  # problems by line, replay warnings, forged ledger records, notes
    report_json: str
    replay_ms: int
    grade_ms: int
    graded_at: datetime = _when()
    graded_by: str


class CheckRow(SQLModel, table=True):
    """One check of a result (part of its result's chained content, so not chained on its own)."""

    __tablename__ = "class_check_results"
    id: Optional[int] = Field(default=None, primary_key=True)
    result_id: int = Field(sa_column=Column(Integer, ForeignKey("class_results.id"), nullable=False, index=True))
    step_id: str
    check_id: str
    status: str
    points: int
    max_points: int
    expected: Optional[str] = None
    actual: Optional[str] = None


class Claim(SQLModel, table=True):
    """A grader working on a submission right now: two graders never regrade the same one at once."""

    __tablename__ = "class_claims"
    __table_args__ = (UniqueConstraint("submission_id", "grading_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    submission_id: int = Field(sa_column=Column(Integer, ForeignKey("class_submissions.id"), nullable=False))
    grading_key: str
    grader: str
    claimed_at: datetime = _when()


CHAINED = {"class_labs": ClassLab, "class_roster": RosterEntry, "class_submissions": SubmissionRow,
           "class_results": ResultRow}
MODELS = [ClassSetting, ClassLab, RosterEntry, SubmissionRow, ResultRow, CheckRow, Claim]
