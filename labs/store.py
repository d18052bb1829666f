"""Attempts, check results, learners and events in SQLite (``<home>/gailab.db``) or any SQLAlchemy URL.

SQLite runs in WAL mode with foreign keys on, and every write transaction starts with ``BEGIN IMMEDIATE`` and a
busy timeout, so two graders writing the same file queue up instead of failing or losing rows. The schema version
lives in ``gailab_meta``: an older database is upgraded in place, a newer one is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Field, Session, SQLModel, create_engine, select

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be used (newer schema, unreadable file); the message says what to do."""


class Meta(SQLModel, table=True):
    __tablename__ = "gailab_meta"
    key: str = Field(primary_key=True)
    value: str


class Learner(SQLModel, table=True):
    __tablename__ = "learners"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    created_at: datetime


class LabVersion(SQLModel, table=True):
    """One definition of a lab: the same id and version with other content is another row (tamper evidence)."""

    __tablename__ = "labs"
    __table_args__ = (UniqueConstraint("lab_id", "version", "content_hash"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    lab_id: str = Field(index=True)
    version: str
    content_hash: str


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"
    id: Optional[int] = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learners.id"), nullable=False, index=True))
    lab_ref: int = Field(sa_column=Column(Integer, ForeignKey("labs.id"), nullable=False))
    lab_id: str = Field(index=True)
    started_at: datetime
    finished_at: datetime
    total: int
    maximum: int
    pass_mark: int
    passed: bool
    status: str
    cloud_reachable: bool
    endpoint: Optional[str] = None
    grader_version: str = ""
    report_json: str
    report_sha256: Optional[str] = None  # schema 2


class CheckResultRow(SQLModel, table=True):
    __tablename__ = "check_results"
    id: Optional[int] = Field(default=None, primary_key=True)
    attempt_id: int = Field(sa_column=Column(Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False,
                                             index=True))
    step_id: str
    check_id: str
    status: str
    points: int
    max_points: int
    message: str
    expected: Optional[str] = None
    actual: Optional[str] = None
    hint: Optional[str] = None
    duration_ms: float = 0.0


class Event(SQLModel, table=True):
    __tablename__ = "events"
    id: Optional[int] = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learners.id"), nullable=False, index=True))
    lab_id: str = Field(index=True)
    kind: str
    detail: str = "{}"
    at: datetime


@dataclass
class Progress:
    lab_id: str
    best_score: int
    maximum: int
    passed: bool
    last_attempt: datetime | None
    attempts: int
    status: str  # "not-started" | "in-progress" | "passed"
    errors: int = 0  # attempts that could not grade (cloud unreachable, a check that could not run): not a score


def default_url(home: Path | None = None) -> str:
    if os.environ.get("GAILAB_DB"):
        return os.environ["GAILAB_DB"]
    from gailab.simulator.core.home import resolve_home

    return f"sqlite:///{resolve_home(home) / 'gailab.db'}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _report_hash(report_json: str) -> str:
    return "sha256:" + hashlib.sha256(report_json.encode()).hexdigest()


def _without_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@", 1)[-1] if "@" in url else url


def _reason(exc: Exception) -> str:
    """The driver's own words (SQLAlchemy's wrapper adds the SQL and a link), on one line."""
    if "No module named" in str(exc) or "Can't load plugin" in str(exc):
        if "psycopg" in str(exc) or "postgres" in str(exc):
            return "PostgreSQL needs the psycopg driver: pip install 'gailab[postgres]'"
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


def _migrate_1_to_2(conn) -> None:
    """Schema 2 adds attempts.report_sha256 (a digest of the stored report) and fills it for old rows."""
    conn.execute(text("ALTER TABLE attempts ADD COLUMN report_sha256 VARCHAR"))
    for attempt_id, report_json in conn.execute(text("SELECT id, report_json FROM attempts")).fetchall():
        conn.execute(text("UPDATE attempts SET report_sha256 = :h WHERE id = :i"),
                     {"h": _report_hash(report_json), "i": attempt_id})


MIGRATIONS = {1: _migrate_1_to_2}  # from version n to n + 1


class Store:
    """The grader's database. ``Store(url)`` or ``Store(home=...)`` (``<home>/gailab.db``); ``GAILAB_DB`` wins."""

    def __init__(self, url: str | None = None, home: Path | None = None):
        self.url = url or default_url(home)
        self.shown_url = _without_password(self.url)  # what messages print: CI logs must not show a password
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite and ":///" in self.url and not self.url.endswith(":memory:"):
            Path(self.url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}} if self.is_sqlite else {}
        try:
            self.engine = create_engine(self.url, **kwargs)
        except Exception as exc:
            raise StoreError(f"cannot open the database {self.shown_url}: {_reason(exc)}") from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        try:
            self._prepare_patiently()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot use the database {self.shown_url}: {_reason(exc)}") from None

    def _prepare_patiently(self) -> None:
        """SQLite answers "database is locked" at once, without its busy handler, while another process is
        switching a new file to WAL or recovering it; those moments are short, so try again until the busy
        timeout instead of failing a grader that opens the class database at the same time as another."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._prepare()
                return
            except OperationalError as exc:
                if not self.is_sqlite or "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _prepare(self) -> None:
        with self.engine.begin() as conn:  # one immediate transaction: two first openers do not race
            if conn.dialect.name == "postgresql":  # the same on PostgreSQL: one opener creates or upgrades at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(4242424200)"))
            tables = set(self.engine.dialect.get_table_names(conn))
            found = None
            if "gailab_meta" in tables:
                row = conn.execute(text("SELECT value FROM gailab_meta WHERE key = 'schema_version'")).first()
                found = int(row[0]) if row else None
            if found is not None and found > SCHEMA_VERSION:
                raise StoreError(
                    f"the database {self.shown_url} was written by a newer gailab (schema {found}; this gailab reads up to "
                    f"{SCHEMA_VERSION}). Upgrade gailab, or use another database with --db."
                )
            if found is not None:
                while found < SCHEMA_VERSION:
                    MIGRATIONS[found](conn)
                    found += 1
            SQLModel.metadata.create_all(conn, tables=[m.__table__ for m in _MODELS])
            conn.execute(text("DELETE FROM gailab_meta WHERE key = 'schema_version'"))
            conn.execute(text("INSERT INTO gailab_meta (key, value) VALUES ('schema_version', :v)"),
                         {"v": str(SCHEMA_VERSION)})

    def schema_version(self) -> int:
        with Session(self.engine) as session:
            return int(session.get(Meta, "schema_version").value)

    # -- writing ----------------------------------------------------------------------------------------------
    def _learner(self, session: Session, name: str) -> Learner:
        learner = session.exec(select(Learner).where(Learner.name == name)).first()
        if learner is None:
            learner = Learner(name=name, created_at=_utc(datetime.now(timezone.utc)))
            session.add(learner)
            session.flush()
        return learner

    def record(self, report) -> int:
        """Store one graded attempt with its check results; returns the attempt id."""
        payload = json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True)
        with Session(self.engine) as session:
            learner = self._learner(session, report.learner)
            lab = session.exec(select(LabVersion).where(
                LabVersion.lab_id == report.lab_id, LabVersion.version == report.lab_version,
                LabVersion.content_hash == report.lab_content_hash)).first()
            if lab is None:
                lab = LabVersion(lab_id=report.lab_id, version=report.lab_version, content_hash=report.lab_content_hash)
                session.add(lab)
                session.flush()
            attempt = Attempt(
                learner_id=learner.id, lab_ref=lab.id, lab_id=report.lab_id, started_at=_utc(report.started_at),
                finished_at=_utc(report.finished_at), total=report.total, maximum=report.maximum,
                pass_mark=report.pass_mark, passed=report.passed, status=report.status,
                cloud_reachable=report.cloud_reachable, endpoint=report.endpoint,
                grader_version=report.grader_version, report_json=payload, report_sha256=_report_hash(payload),
            )
            session.add(attempt)
            session.flush()
            for r in report.results:
                session.add(CheckResultRow(
                    attempt_id=attempt.id, step_id=r.step_id, check_id=r.check_id, status=r.status, points=r.points,
                    max_points=r.max_points, message=r.message("en"), hint=r.hint("en") or None,
                    expected=None if r.expected is None else json.dumps(r.expected, default=str),
                    actual=None if r.actual is None else json.dumps(r.actual, default=str), duration_ms=r.duration_ms,
                ))
            attempt_id = attempt.id
            session.commit()
            return attempt_id

    def record_event(self, learner: str, lab_id: str, kind: str, detail: dict | None = None) -> int:
        """A solve, reset or hint: the gradebook shows who skipped ahead."""
        with Session(self.engine) as session:
            row = Event(learner_id=self._learner(session, learner).id, lab_id=lab_id, kind=kind,
                        detail=json.dumps(detail or {}, default=str), at=_utc(datetime.now(timezone.utc)))
            session.add(row)
            session.flush()
            event_id = row.id
            session.commit()
            return event_id

    # -- reading ----------------------------------------------------------------------------------------------
    def _rows(self, model, learner: str | None, lab_id: str | None) -> list:
        """Rows of ``model`` (Attempt or Event), optionally of one learner and one lab, oldest first."""
        with Session(self.engine) as session:
            query = select(model)
            if learner is not None:
                query = query.join(Learner, Learner.id == model.learner_id).where(Learner.name == learner)
            if lab_id is not None:
                query = query.where(model.lab_id == lab_id)
            return list(session.exec(query.order_by(model.id)).all())

    def attempts(self, learner: str | None = None, lab_id: str | None = None) -> list[Attempt]:
        return self._rows(Attempt, learner, lab_id)

    def check_results(self, attempt_id: int) -> list[CheckResultRow]:
        with Session(self.engine) as session:
            return list(session.exec(select(CheckResultRow).where(CheckResultRow.attempt_id == attempt_id)
                                     .order_by(CheckResultRow.id)).all())

    def events(self, learner: str | None = None, lab_id: str | None = None) -> list[Event]:
        return self._rows(Event, learner, lab_id)

    def learners(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(select(Learner.name).order_by(Learner.name)).all())

    def progress(self, learner: str) -> dict[str, Progress]:
        """Per lab: best score, passed, last attempt, number of attempts and a status for the lab browser."""
        out: dict[str, Progress] = {}
        for a in self.attempts(learner=learner):
            p = out.get(a.lab_id) or Progress(a.lab_id, 0, a.maximum, False, None, 0, "in-progress")
            if a.status == "error" and not a.passed:
                p.errors += 1  # what could not be graded is no 0: it does not count as a score
            else:
                p.best_score = max(p.best_score, a.total)
            p.maximum = a.maximum
            p.passed = p.passed or a.passed
            p.attempts += 1
            p.last_attempt = _aware(a.finished_at)
            p.status = "passed" if p.passed else "in-progress"
            out[a.lab_id] = p
        for e in self.events(learner=learner):
            if e.lab_id not in out and e.kind != "reset":
                out[e.lab_id] = Progress(e.lab_id, 0, 0, False, None, 0, "in-progress")
        return out

    def gradebook(self) -> list[dict]:
        """One row per learner and lab: what an instructor exports as CSV."""
        rows = []
        for name in self.learners():
            events = self.events(learner=name)
            for lab_id, p in sorted(self.progress(name).items()):
                graded = p.attempts - p.errors
                rows.append({
                    "learner": name, "lab": lab_id, "best_score": p.best_score if graded else None,
                    "maximum": p.maximum, "passed": p.passed, "attempts": p.attempts, "not_graded": p.errors,
                    "last_attempt": p.last_attempt.isoformat(timespec="seconds") if p.last_attempt else "",
                    "solved_with_reference": any(e.kind == "solve" and e.lab_id == lab_id for e in events),
                })
        return rows

    def close(self) -> None:
        self.engine.dispose()


_MODELS = [Meta, Learner, LabVersion, Attempt, CheckResultRow, Event]


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (IMMEDIATE), see _sqlite_begin
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":  # switching needs a lock; once is enough
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")
