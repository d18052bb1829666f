"""``gailab submit`` (learners) and ``gailab class …`` (instructors): hand work in, collect, regrade, export.

The class store is given by ``--db URL`` or ``GAILAB_CLASS_DB``: a SQLite file (a plain path works too) or a
PostgreSQL URL (``postgresql+psycopg://user@host/db``). ``GAILAB_CLASS_KEY`` (or ``--key-file``) keys the chain.
Exit codes: 0 ok, 1 something was rejected / a chain is broken / a regrade failed, 2 usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, time as dtime, timezone
from pathlib import Path

from .errors import CliError, UsageError, say
from .i18n import number


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    labs_dir = argparse.ArgumentParser(add_help=False)
    labs_dir.add_argument("--labs-dir", metavar="DIR", action="append", type=Path, default=[],
                          help="also load labs from this folder (repeatable)")

    s = commands.add_parser("submit", parents=[common, labs_dir], help="write a submission file for a lab",
                            description="Write one file to hand in: your local cloud's journal, the lab's "
                                        "workspace files, your last report and the app's events for the lab. "
                                        "Your instructor regrades it by rebuilding your cloud.")
    s.add_argument("lab", metavar="LAB")
    s.add_argument("--output", "-o", metavar="FILE", type=Path,
                   help="where to write it (default ./<lab>-<learner>.gailab.zip)")
    s.add_argument("--learner", metavar="ID", help="your id in the class roster (default: GAILAB_LEARNER or the user)")
    s.add_argument("--workspace", metavar="DIR", type=Path, help="the lab's files (default <home>/workspaces/<lab>)")
    s.add_argument("--db", metavar="URL", help="your store, for the report and events (default <home>/gailab.db)")
    s.add_argument("--lang", choices=["en", "pt-BR"], default=argparse.SUPPRESS,
                   help="language of the messages (default from LC_ALL/LANG)")
    s.set_defaults(func=cmd_submit)

    klass = commands.add_parser("class", help="instructors: a class's submissions, regrades and gradebook",
                                description="Collect submissions, regrade them by replaying each learner's cloud, "
                                            "and export a gradebook that shows any later edit.")
    sub = klass.add_subparsers(dest="class_command", metavar="ACTION", required=True)
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", metavar="URL", default=None,
                    help="the class store: a SQLite path or URL, or postgresql+psycopg://… (default GAILAB_CLASS_DB)")
    db.add_argument("--key-file", metavar="FILE", type=Path,
                    help="the class key that signs the chain (default: GAILAB_CLASS_KEY, else no key)")

    p = sub.add_parser("init", parents=[common, db, labs_dir], help="create the class, or change its labs",
                       description="Create a class (or change its labs and due dates). A due date is ISO 8601: "
                                   "2026-12-20 (end of that day) or 2026-12-20T23:59-03:00; without an offset it "
                                   "is this machine's local time.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--lab", metavar="LAB[@DUE]", action="append", required=True, dest="labs",
                   help="a lab of the class, optionally with its due date (repeatable, in course order)")
    p.set_defaults(func=cmd_init)

    r = sub.add_parser("roster", help="the class's learners")
    rsub = r.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    ri = rsub.add_parser("import", parents=[common, db], help="add or update learners from a CSV (id, name, email)")
    ri.add_argument("file", metavar="ROSTER.csv", type=Path)
    ri.set_defaults(func=cmd_roster_import)
    rl = rsub.add_parser("list", parents=[common, db], help="print the roster")
    rl.set_defaults(func=cmd_roster_list)

    c = sub.add_parser("collect", parents=[common, db], help="store submission files (each once)",
                       description="Store submission files in the class, each once by content hash. Files from "
                                   "learners not in the roster or for labs not in the class are rejected (exit 1).")
    c.add_argument("paths", nargs="+", metavar="DIR|FILE", type=Path)
    c.set_defaults(func=cmd_collect)

    g = sub.add_parser("regrade", parents=[common, db, labs_dir], help="regrade submissions by replaying their clouds",
                       description="For each submission not yet graded with the class's labs and this gailab: a "
                                   "fresh local cloud, the learner's journal replayed, every recorded Bedrock call "
                                   "re-run, the lab graded with the submission's files. Ctrl-C stops; run again "
                                   "to resume.")
    g.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    g.add_argument("--lab", metavar="LAB", help="only this lab")
    g.add_argument("--learner", metavar="ID", help="only this learner")
    g.add_argument("--shard", metavar="I/N", help="only the I-th of N shards (CI matrices: 1/4 … 4/4)")
    g.add_argument("--force", action="store_true", help="regrade even the submissions already graded")
    g.add_argument("--retry-errors", action="store_true", help="regrade those whose last regrade was an error")
    g.add_argument("--timeout", type=float, default=10.0, help="seconds per check (default 10)")
    g.set_defaults(func=cmd_regrade)

    b = sub.add_parser("gradebook", parents=[common, db], help="export best and latest scores per learner and lab")
    b.add_argument("--format", choices=["csv", "json", "text"], default="csv")
    b.add_argument("--layout", choices=["rows", "lms"], default="rows",
                   help="rows: one line per learner and lab (every field); lms: one line per learner, one column "
                        "per lab (CSV only)")
    b.add_argument("--output", "-o", metavar="FILE", type=Path)
    b.add_argument("--allow-broken-chain", action="store_true",
                   help="export even when 'class verify' finds edited, inserted or deleted rows")
    b.set_defaults(func=cmd_gradebook)

    st = sub.add_parser("stats", parents=[common, db], help="where the class is stuck: pass rates, most failed checks")
    st.add_argument("--lab", metavar="LAB")
    st.add_argument("--format", choices=["text", "json"], default="text")
    st.set_defaults(func=cmd_stats)

    sh = sub.add_parser("show", parents=[common, db], help="print a learner's regraded report for a lab",
                        description="The regraded report of the learner's latest submission for the lab (or of "
                                    "each with --all), with what the regrade found: forged ledger records, bad "
                                    "journal lines, a reference solution, the learner's own claim.")
    sh.add_argument("learner", metavar="LEARNER")
    sh.add_argument("lab", metavar="LAB")
    sh.add_argument("--all", action="store_true", help="every submission, newest first")
    sh.add_argument("--lang", choices=["en", "pt-BR"], default=argparse.SUPPRESS)
    sh.set_defaults(func=cmd_show)

    v = sub.add_parser("verify", parents=[common, db], help="name every row edited, inserted or deleted after the fact")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.set_defaults(func=cmd_verify)


# -- helpers ------------------------------------------------------------------------------------------------------
def _db_url(args) -> str:
    value = args.db or os.environ.get("GAILAB_CLASS_DB")
    if not value:
        raise UsageError("class.no_db")
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]  # the driver gailab installs
    return value


def _key(args) -> bytes | None:
    if getattr(args, "key_file", None):
        try:
            key = args.key_file.read_bytes().strip()
        except OSError as exc:
            raise UsageError("class.key_unreadable", path=args.key_file, detail=exc.strerror) from None
        if not key:
            raise UsageError("class.key_empty", path=args.key_file)
        return key
    value = os.environ.get("GAILAB_CLASS_KEY")
    return value.encode() if value else None


def _class_store(args, *, require_class: bool = True):
    from gailab.labs.classroom.classstore import ClassError, ClassStore
    from gailab.labs.store import StoreError

    url = _db_url(args)
    if require_class and url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise CliError("class.no_store", 2, path=url[len("sqlite:///"):])
    try:
        store = ClassStore(url, key=_key(args))
    except StoreError as exc:
        raise CliError(str(exc), 2) from None
    if require_class:
        try:
            store.require_class()
        except ClassError as exc:
            store.close()
            raise CliError(str(exc), 2) from None
    return store


def _class_error(fn):
    """ClassError from the store → one line, exit 2."""
    def wrapped(args):
        from gailab.labs.classroom.classstore import ClassError

        try:
            return fn(args)
        except ClassError as exc:
            raise CliError(str(exc), 2) from None
    wrapped.__doc__ = fn.__doc__
    return wrapped


def parse_due(text: str, local_tz=None) -> datetime:
    """An ISO 8601 date (end of that day) or date-time; without an offset, in ``local_tz`` (this machine's)."""
    try:
        if len(text) == 10:
            moment = datetime.combine(datetime.fromisoformat(text).date(), dtime(23, 59, 59))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("class.bad_due", text=text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz) if local_tz else moment.astimezone()
    return moment.astimezone(timezone.utc)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        index, _, count = text.partition("/")
        shard = int(index), int(count)
    except ValueError:
        raise UsageError("class.bad_shard", text=text) from None
    if not 1 <= shard[0] <= shard[1]:
        raise UsageError("class.shard_range", text=text)
    return shard


def _write(body: str, output: Path | None) -> None:
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)


# -- learner ------------------------------------------------------------------------------------------------------
def cmd_submit(args) -> int:
    from gailab.labs import submission
    from gailab.labs.store import StoreError

    from gailab.labs.safetext import terminal_text

    from .commands_labs import _home, _learner, _load
    from .errors import say

    lab = _load(args)
    learner = _learner(args)
    home = _home(args)
    if args.workspace and not args.workspace.is_dir():
        raise UsageError("file.not_folder" if args.workspace.exists() else "file.missing", option="--workspace",
                         path=args.workspace)
    try:
        data = submission.of_lab(lab, learner=learner, home=home, workspace=args.workspace, db_url=args.db)
    except (submission.SubmissionError, StoreError) as exc:
        raise CliError("submit.failed", 2, detail=exc) from None
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in learner)[:60] or "learner"
    output = args.output or Path.cwd() / f"{lab.id}-{safe}{submission.SUFFIX}"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, output)
    sub = submission.read(data)
    records = max(0, sub.journal.count(b"\n") - 1)
    fields = dict(path=output, kib=len(data) // 1024 + 1, lab=lab.id, version=lab.version,
                  learner=learner, records=records, files=len(sub.workspace), events=len(sub.events),
                  hash=sub.content_hash)
    print(terminal_text(say("submit.wrote", **fields)))
    if sub.solve_events():
        print(say("submit.solved"))
    return 0


# -- instructor ---------------------------------------------------------------------------------------------------
@_class_error
def cmd_init(args) -> int:
    from gailab.labs.catalog import LabNotFound, get_lab

    labs = []
    for item in args.labs:
        lab_id, _, due = item.partition("@")
        try:
            lab = get_lab(lab_id, args.labs_dir)
        except LabNotFound as exc:
            raise UsageError("lab.not_found", lab=exc.lab_id, known=", ".join(exc.known)) from None
        labs.append((lab.id, parse_due(due) if due else None))
    if len({lab_id for lab_id, _ in labs}) != len(labs):
        raise UsageError("class.lab_twice")
    store = _class_store(args, require_class=False)
    changes = store.init_class(args.name, labs)
    print(say("class.init_done", name=args.name, url=store.shown_url,
              changes="; ".join(changes) if changes else say("class.no_change")))
    return 0


@_class_error
def cmd_roster_import(args) -> int:
    from gailab.labs.classroom.classstore import ClassError, parse_roster

    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("class.roster_unreadable", path=args.file, detail=exc) from None
    try:
        rows = parse_roster(text)
    except ClassError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    counts = _class_store(args).import_roster(rows)
    print(say("class.roster_done", **counts))
    return 0


@_class_error
def cmd_roster_list(args) -> int:
    from gailab.labs.safetext import terminal_text

    roster = _class_store(args).roster()
    for learner_id in sorted(roster):
        entry = roster[learner_id]
        print(f"{terminal_text(learner_id):<16} {terminal_text(entry.name):<30} {terminal_text(entry.email)}")
    return 0


def _submission_files(paths: list[Path]) -> list[Path]:
    from gailab.labs.submission import SUFFIX

    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError("file.missing", path=path)
    return files


@_class_error
def cmd_collect(args) -> int:
    from gailab.labs.safetext import terminal_text

    store = _class_store(args)
    files = _submission_files(args.paths)
    if not files:
        raise UsageError("class.no_submissions", paths=", ".join(map(str, args.paths)))
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            outcome_status, reason, who = "rejected", f"cannot read it: {exc.strerror}", ""
        else:
            outcome = store.collect(data, str(path))
            outcome_status, reason = outcome.status, outcome.reason
            who = f"{outcome.learner} {outcome.lab}".strip()
        counts[outcome_status] += 1
        line = f"{outcome_status:<9} {path.name}" + (f"  {who}" if who else "") + (f": {reason}" if reason else "")
        print(terminal_text(line))
    print(say("class.collect_done", **counts))
    return 1 if counts["rejected"] else 0


class _ProgressLine:
    """Progress and ETA on stderr: one line rewritten in a terminal, a line every 10% (or 15 s) otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_step = -1
        self.last_time = 0.0

    def __call__(self, p) -> None:
        eta = "" if p.eta is None else f", about {int(p.eta) // 60}:{int(p.eta) % 60:02d} left"
        text = (f"regrade {p.done}/{p.total}: {p.passed} passed, {p.failed} failed, {p.errors} errors{eta}")
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            if p.done == p.total:
                self.stream.write("\n")
        else:
            step = p.done * 10 // max(1, p.total)
            if step != self.last_step or time.monotonic() - self.last_time > 15 or p.done == p.total:
                self.stream.write(text + "\n")
                self.last_step, self.last_time = step, time.monotonic()
        self.stream.flush()


@_class_error
def cmd_regrade(args) -> int:
    from gailab.labs.catalog import LabNotFound, get_lab
    from gailab.labs.classroom.regrade import regrade
    from gailab.labs.manifest import LabDefinitionError

    if args.jobs < 1:
        raise UsageError("class.bad_jobs")
    shard = parse_shard(args.shard)
    store = _class_store(args)
    class_labs = [row.lab_id for row in store.labs()]
    if args.lab and args.lab not in class_labs:
        raise UsageError("class.not_a_class_lab", lab=args.lab, labs=", ".join(class_labs))
    labs = {}
    for lab_id in class_labs:
        try:
            labs[lab_id] = get_lab(lab_id, args.labs_dir)
        except (LabNotFound, LabDefinitionError) as exc:
            raise CliError("class.lab_unloadable", 2, lab=lab_id, detail=exc) from None
    summary = regrade(store, labs, jobs=args.jobs, lab=args.lab, learner=args.learner, shard=shard,
                      force=args.force, retry_errors=args.retry_errors, labs_dirs=args.labs_dir,
                      timeout=args.timeout, on_progress=_ProgressLine())
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    if summary.interrupted:
        print(say("class.regrade_stopped", where=where, stored=summary.stored, pending=summary.pending),
              file=sys.stderr)
        return 130
    print(say("class.regrade_done", stored=summary.stored, where=where, seconds=number(summary.seconds, digits=1),
              passed=summary.passed, failed=summary.failed, errors=summary.errors)
          + (say("class.regrade_skipped", n=summary.skipped) if summary.skipped else "")
          + ("" if summary.pending else say("class.regrade_nothing")))
    return 1 if summary.errors else 0


def _broken(store) -> list:
    return store.verify()


@_class_error
def cmd_gradebook(args) -> int:
    from gailab.labs.classroom import gradebook

    store = _class_store(args)
    problems = _broken(store)
    if problems and not args.allow_broken_chain:
        lines = "\n".join(f"  {p.message}" for p in problems)
        raise CliError("class.chain_refused", 1, lines=lines)
    if problems:
        print(f"gailab: {say('class.chain_warning', n=len(problems))}", file=sys.stderr)
    data = gradebook.rows(store)
    if args.layout == "lms" and args.format != "csv":
        raise UsageError("class.lms_csv")
    if args.format == "json":
        body = json.dumps({"class": store.name(), "chainIntact": not problems, "gradebook": data},
                          indent=2, ensure_ascii=False) + "\n"
    elif args.format == "text":
        body = gradebook.to_text(data)
    elif args.layout == "lms":
        body = gradebook.to_lms_csv(store, data)
    else:
        body = gradebook.to_csv(data)
    _write(body, args.output)
    return 0


@_class_error
def cmd_stats(args) -> int:
    from gailab.labs.classroom import gradebook

    store = _class_store(args)
    data = gradebook.stats(store, args.lab)
    if args.format == "json":
        sys.stdout.write(json.dumps({"class": store.name(), "labs": data}, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(gradebook.stats_text(data))
    return 0


@_class_error
def cmd_show(args) -> int:
    """The regraded report of a learner's submission, in the learner-facing language the report was graded in."""
    from gailab.labs.classroom.gradebook import graded_submissions
    from gailab.labs.report import Report
    from gailab.labs.safetext import terminal_text

    from .commands_labs import _lang

    store = _class_store(args)
    lang = _lang(args)

    def shown(key: str, **fields) -> str:
        return terminal_text(say(f"show.{key}", **fields))

    mine = [g for g in graded_submissions(store)
            if g.submission.learner_id == args.learner and g.submission.lab_id == args.lab]
    if not mine:
        raise CliError("show.missing", 1, learner=args.learner, lab=args.lab)
    mine.sort(key=lambda g: (g.submission.created_at, g.submission.id), reverse=True)
    for graded in mine if args.all else mine[:1]:
        sub, result = graded.submission, graded.result
        print(shown("header", learner=sub.learner_id, lab=sub.lab_id, when=sub.created_at.isoformat(timespec="seconds"),
                  hash=sub.content_hash))
        if result is None:
            print(shown("pending"))
            continue
        detail = json.loads(result.detail_json or "{}")
        for verdict in detail.get("forged", []):
            print(shown("forged", line=verdict["line"], why=verdict["why"]))
        for item in detail.get("journalProblems", []) + detail.get("replayWarnings", []):
            print(shown("line", line=item["line"], what=item.get("problem") or item.get("warning")))
        if result.solve_detected:
            print(shown("solve"))
        for note in detail.get("notes", []):
            print(shown("note", note=note))
        report = json.loads(result.report_json or "{}")
        if not report:
            print(f"{result.status}: {terminal_text(detail.get('error', ''))}")
            continue
        if sub.claimed_total is not None and sub.claimed_total != report.get("total"):
            print(shown("claimed", claimed=sub.claimed_total, total=report.get("total")))
        sys.stdout.write(terminal_text(Report.from_json(report).to_text(lang), keep_newlines=True))
    return 0


@_class_error
def cmd_verify(args) -> int:
    from gailab.labs.safetext import terminal_text

    store = _class_store(args)
    problems = store.verify()
    head = store.setting("chain_head") or "0:genesis"
    if args.format == "json":
        sys.stdout.write(json.dumps({"intact": not problems, "head": head,
                                     "problems": [p.__dict__ for p in problems]}, indent=2) + "\n")
    elif problems:
        for p in problems:
            print(terminal_text(p.message))
        print(say("class.chain_broken", n=len(problems)))
    else:
        seq, _, digest = head.partition(":")
        print(say("class.chain_intact", rows=seq, digest=digest))
    return 1 if problems else 0


def open_class_app(args) -> int:
    """``gailab --class DB``: the class screen (the store is opened first, so a bad URL is one line, exit 2)."""
    args.db, args.key_file = args.class_db, None
    store = _class_store(args)
    from .classapp import run_class_app

    return run_class_app(store, lang=args.lang)
