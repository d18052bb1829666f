"""``gailab labs``, ``gailab grade``, ``gailab lab validate|solve|reset`` and ``gailab gradebook``.

Exit codes (design.md): 0 passed / ok, 1 failed, 2 usage or lab-definition error, 3 cloud unreachable,
4 the setup command of ``gailab grade --setup`` failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import CliError, UsageError, say


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    labs_dir = argparse.ArgumentParser(add_help=False)
    labs_dir.add_argument("--labs-dir", metavar="DIR", action="append", type=Path, default=[],
                          help="also load labs from this folder (a lab folder or a folder of labs; repeatable)")
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=["en", "pt-BR"], default=argparse.SUPPRESS,
                      help="language of messages (default from LC_ALL/LANG)")
    endpoint = argparse.ArgumentParser(add_help=False)
    endpoint.add_argument("--endpoint", metavar="URL",
                          help="the cloud to use (default: GAILAB_ENDPOINT, the running gailab serve, "
                               "AWS_ENDPOINT_URL, then http://127.0.0.1:4566)")

    p = commands.add_parser("labs", parents=[common, labs_dir, lang], help="list the labs",
                            description="List the labs in suggested order, with your progress.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--db", metavar="URL", help="the store (default: GAILAB_DB or <home>/gailab.db)")
    p.add_argument("--learner", metavar="NAME", help="whose progress (default: GAILAB_LEARNER or the user)")
    p.set_defaults(func=cmd_labs)

    g = commands.add_parser(
        "grade", parents=[common, labs_dir, lang, endpoint], help="grade a lab (exit 0 passed, 1 failed, 3 no cloud, 4 setup failed)",
        description="Grade a lab against a cloud and record the attempt. CI recipe: "
                    "gailab grade LAB --fresh --setup './deploy.sh' --format junit --output results.xml",
    )
    g.add_argument("lab", metavar="LAB", help="lab id (or a path to a lab folder)")
    g.add_argument("--profile", help="grade a real AWS account through this profile instead of a local cloud")
    g.add_argument("--workspace", metavar="DIR", type=Path,
                   help="the learner's files, e.g. answers.json (default <home>/workspaces/<lab>)")
    g.add_argument("--learner", metavar="NAME", help="default: GAILAB_LEARNER or the user name")
    g.add_argument("--format", choices=["text", "json", "junit"], default="text")
    g.add_argument("--output", metavar="FILE", type=Path, help="write the report there (text also goes to stdout)")
    g.add_argument("--db", metavar="URL", help="the store (default: GAILAB_DB or <home>/gailab.db)")
    g.add_argument("--no-record", action="store_true", help="do not store the attempt")
    g.add_argument("--fresh", action="store_true",
                   help="grade in a throwaway local cloud: prerequisites' reference solutions, then --setup")
    g.add_argument("--setup", metavar="CMD", help="bash command run first with the cloud's environment and this "
                   "Python's python/aws/gailab first on PATH (exit 4 when it fails)")
    g.add_argument("--timeout", type=float, default=10.0, help="seconds per check (default 10)")
    g.set_defaults(func=cmd_grade)

    lab = commands.add_parser("lab", help="author and manage labs: validate, solve, reset")
    sub = lab.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    v = sub.add_parser("validate", parents=[common, labs_dir],
                       help="lint lab folders and prove them (solution passes, starter fails, mistakes fail)")
    v.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    v.add_argument("--lint-only", action="store_true", help="check the definition only; start no cloud")
    v.set_defaults(func=cmd_validate)
    s = sub.add_parser("solve", parents=[common, labs_dir, endpoint, lang],
                       help="apply the reference solution (and the prerequisites') to the cloud")
    s.add_argument("lab", metavar="LAB")
    s.add_argument("--learner", metavar="NAME")
    s.add_argument("--db", metavar="URL")
    s.add_argument("--no-prerequisites", action="store_true", help="apply only this lab's solution")
    s.set_defaults(func=cmd_solve)
    r = sub.add_parser("reset", parents=[common, labs_dir, endpoint, lang],
                       help="remove the lab's resources from the cloud and restore the starter workspace")
    r.add_argument("lab", metavar="LAB")
    r.add_argument("--learner", metavar="NAME")
    r.add_argument("--db", metavar="URL")
    r.set_defaults(func=cmd_reset)

    d = sub.add_parser("deploy", parents=[common, labs_dir, endpoint, lang],
                       help="deploy the lab's Lambda function from the workspace (what Ctrl+D does in the app)")
    d.add_argument("lab", metavar="LAB")
    d.add_argument("--workspace", metavar="DIR", type=Path,
                   help="where the source files are (default <home>/workspaces/<lab>)")
    d.add_argument("--profile", help="deploy to a real AWS account through this profile")
    d.set_defaults(func=cmd_deploy)

    n = sub.add_parser("new", parents=[common],
                       help="scaffold a lab that lab validate already proves (see docs/labs.md)")
    n.add_argument("lab_id", metavar="ID", help="lowercase letters, digits and dashes")
    n.add_argument("--dir", metavar="DIR", type=Path, default=Path("."), help="where to create it (default .)")
    n.add_argument("--title-en", metavar="TEXT")
    n.add_argument("--title-pt", metavar="TEXT")
    n.set_defaults(func=cmd_new)

    h = sub.add_parser("hash-answer", parents=[common, labs_dir],
                       help="print the salted hash of a quiz answer, for a lab's manifest")
    h.add_argument("lab_id", metavar="LAB_ID")
    h.add_argument("question_id", metavar="QUESTION_ID")
    h.add_argument("indexes", metavar="INDEX", type=int, nargs="+",
                   help="the correct options, from 0 (order: every option first to last; match: one per prompt)")
    h.add_argument("--ordered", action="store_true", default=None,
                   help="keep the order (ordering and matching questions; found from the lab when it exists)")
    h.set_defaults(func=cmd_hash_answer)

    b = commands.add_parser("gradebook", parents=[common], help="export every learner's best results (CSV)")
    b.add_argument("--format", choices=["csv", "text", "json"], default="csv")
    b.add_argument("--db", metavar="URL", help="the store (default: GAILAB_DB or <home>/gailab.db)")
    b.add_argument("--output", metavar="FILE", type=Path)
    b.set_defaults(func=cmd_gradebook)


# -- helpers ------------------------------------------------------------------------------------------------
def _lang(args) -> str:
    from .errors import cli_lang

    return cli_lang(getattr(args, "lang", None))


def _home(args) -> Path:
    from gailab.simulator.core.home import resolve_home

    return resolve_home(getattr(args, "home", None))


def _load(args):
    from gailab.labs.catalog import LabNotFound, get_lab
    from gailab.labs.manifest import LabDefinitionError

    try:
        return get_lab(args.lab, args.labs_dir)
    except LabNotFound as exc:
        known = ", ".join(exc.known) or say("reset.nothing")
        raise UsageError("lab.not_found", lab=exc.lab_id, known=known) from None
    except LabDefinitionError as exc:
        raise CliError("lab.broken", 2, lab=args.lab, detail=exc) from None


def _endpoint(args) -> str:
    from gailab.simulator.client import find_endpoint

    try:
        return find_endpoint(_home(args), args.endpoint)
    except ValueError as exc:
        raise UsageError("cloud.bad_endpoint", detail=exc) from None


def _store(args):
    from gailab.labs.store import Store, StoreError

    try:
        return Store(getattr(args, "db", None), home=_home(args))
    except StoreError as exc:
        raise CliError("store.broken", 2, detail=exc) from None


def _learner(args) -> str:
    from gailab.labs.grader import default_learner

    return getattr(args, "learner", None) or default_learner()


# -- commands -----------------------------------------------------------------------------------------------
def cmd_labs(args) -> int:
    from gailab.labs.catalog import load_catalog

    lang = _lang(args)
    labs = load_catalog(args.labs_dir)
    progress = {}
    try:
        from gailab.labs.store import Store

        progress = Store(args.db, home=_home(args)).progress(_learner(args))
    except Exception:
        pass  # listing labs never fails because of the store
    rows = []
    for lab in labs:
        p = progress.get(lab.id)
        rows.append({"id": lab.id, "version": lab.version, "title": lab.title(lang), "summary": lab.summary(lang),
                     "minutes": lab.minutes, "points": lab.max_points, "passMark": lab.pass_mark,
                     "prerequisites": lab.prerequisites, "sections": lab.sections, "path": str(lab.path),
                     "status": p.status if p else "not-started", "bestScore": p.best_score if p else 0})
    if args.json:
        print(json.dumps({"labs": rows}, ensure_ascii=False, indent=2))
        return 0
    width = max([len(r["id"]) for r in rows] + [2])
    for r in rows:
        after = f"  ({say('labs.after', labs=', '.join(r['prerequisites']))})" if r["prerequisites"] else ""
        print(f"{r['id']:<{width}}  {r['minutes']:>3} min  {say('status.' + r['status']):<13}  {r['title']}{after}")
    return 0


def cmd_grade(args) -> int:
    from gailab.labs.grader import grade
    from gailab.labs.sandbox import Sandbox, SandboxUnavailable
    from gailab.labs.solutions import SolutionError
    from gailab.labs.workspace import workspace_for

    lab = _load(args)
    lang = _lang(args)
    if args.fresh and (args.endpoint or args.profile):
        raise UsageError("grade.fresh_conflict")
    if args.timeout <= 0:
        raise UsageError("grade.bad_timeout")
    workspace = args.workspace.resolve() if args.workspace else workspace_for(lab, _home(args), lang)
    if args.workspace and not workspace.is_dir():
        raise UsageError("file.not_folder" if workspace.exists() else "file.missing", option="--workspace",
                         path=args.workspace)
    setup = None
    if args.fresh:
        from gailab.simulator.client import forget_aws_settings

        forget_aws_settings()  # a throwaway local cloud, maybe in this process: no AWS profile of the caller's
        try:
            sandbox = Sandbox().start()
        except SandboxUnavailable as exc:
            raise CliError("cloud.sandbox", 3, detail=exc) from None
        try:
            if lab.prerequisites:
                import tempfile

                from gailab.labs.solutions import prerequisite_chain, run_solutions

                with tempfile.TemporaryDirectory(prefix="gailab-prereq-") as tmp:
                    chain = prerequisite_chain(lab, args.labs_dir)
                    try:  # one interpreter for the whole chain
                        run_solutions([(p, Path(tmp) / p.id, None) for p in chain], sandbox.endpoint)
                    except SolutionError as exc:
                        raise CliError("lab.prereq_failed", 2, detail=exc) from None
            if args.setup:
                setup = _setup(args, sandbox.endpoint, workspace, lab.path)
            report = grade(lab, endpoint=sandbox.endpoint, workspace=workspace, learner=_learner(args), lang=lang,
                           timeout=args.timeout)
        finally:
            sandbox.stop()
    else:
        endpoint = None if args.profile else _endpoint(args)
        if args.setup:
            setup = _setup(args, endpoint, workspace, lab.path)
        report = grade(lab, endpoint=endpoint, workspace=workspace, learner=_learner(args), lang=lang,
                       timeout=args.timeout, profile=args.profile)
    report.setup = setup

    if not args.no_record:
        try:
            _store(args).record(report)
        except Exception as exc:
            print(f"gailab: {say('warn.not_recorded', detail=exc)}", file=sys.stderr)

    if args.format == "json":
        body = json.dumps(report.to_json(lang), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "junit":
        body = report.to_junit(lang)
    else:
        body = report.to_text(lang)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(body, encoding="utf-8")
        if args.format != "text":
            sys.stdout.write(report.to_text(lang))
    else:
        sys.stdout.write(body)
    return report.exit_code()


def _setup(args, endpoint: str | None, workspace: Path, lab_dir: Path):
    """Run ``--setup``; a failure is reported on stderr with its output (the CI log shows why) and graded on."""
    from gailab.labs.solutions import run_setup

    outcome = run_setup(args.setup, endpoint, workspace, cwd=Path.cwd(), lab_dir=lab_dir)
    if not outcome.ok:
        print(f"gailab: {say('warn.setup_failed', summary=outcome.summary())}", file=sys.stderr)
        for line in outcome.output.rstrip().splitlines()[-20:]:
            print(f"  | {line}", file=sys.stderr)
    return outcome


def cmd_validate(args) -> int:
    from gailab.labs.catalog import lab_folders
    from gailab.labs.sandbox import Sandbox, SandboxUnavailable
    from gailab.labs.validate import lint, prove

    folders = []
    for path in args.paths:
        found = lab_folders(path) if not (path / "lab.toml").exists() else [path]
        folders.extend(found or [path])  # a folder without lab.toml is reported by lint
    results = [lint(folder) for folder in folders]
    todo = [r for r in results if r.ok]
    if todo and not args.lint_only:
        from gailab.simulator.client import forget_aws_settings

        forget_aws_settings()
        try:
            sandbox = Sandbox().start()
        except SandboxUnavailable as exc:
            raise CliError("cloud.sandbox", 3, detail=exc) from None
        try:
            extra = list(args.labs_dir) + [f.parent for f in folders]
            for r in todo:
                prove(r, sandbox, extra)
        finally:
            sandbox.stop()
    failed = 0
    for r in results:
        name = r.lab.id if r.lab else str(r.path)
        if r.ok:
            print(say("validate.ok", lab=name, proved="; ".join(r.proved) or say("validate.valid")))
        else:
            failed += 1
            print(say("validate.fail", lab=name))
            for e in r.errors:
                print(f"      {e}")
    return 2 if failed else 0


def _reachable_endpoint(args) -> str:
    """The endpoint to act on, or exit 3 when no cloud answers there."""
    from gailab.labs.grader import reachable

    endpoint = _endpoint(args)
    if not reachable(endpoint):
        raise CliError("cloud.unreachable", 3, endpoint=endpoint)
    return endpoint


def _record_event(args, lab, kind: str, detail: dict) -> None:
    """Record a solve/reset in the store; a store problem is a warning, never a lost action."""
    try:
        _store(args).record_event(_learner(args), lab.id, kind, detail)
    except Exception as exc:
        print(f"gailab: {say('warn.event_not_recorded', detail=exc)}", file=sys.stderr)


def cmd_solve(args) -> int:
    from gailab.labs.solutions import SolutionError, solve
    from gailab.labs.workspace import workspace_for

    lab = _load(args)
    endpoint = _reachable_endpoint(args)
    home = _home(args)
    try:
        done = solve(lab, endpoint, workspace_for(lab, home, _lang(args)), with_prerequisites=not args.no_prerequisites,
                     home=home, extra_dirs=args.labs_dir)
    except SolutionError as exc:
        raise CliError("lab.solution_failed", 2, detail=exc) from None
    _record_event(args, lab, "solve", {"labs": done, "endpoint": endpoint})
    print(say("solve.done", labs=", ".join(done), endpoint=endpoint))
    return 0


def cmd_reset(args) -> int:
    from gailab.labs.solutions import reset_lab
    from gailab.labs.workspace import workspace_path

    lab = _load(args)
    endpoint = _reachable_endpoint(args)
    home = _home(args)
    removed = reset_lab(lab, endpoint, workspace_path(lab, home), home, _lang(args))
    _record_event(args, lab, "reset", {"removed": removed})
    print(say("reset.done", lab=lab.id, removed=", ".join(removed) or say("reset.nothing")))
    return 0


def cmd_gradebook(args) -> int:
    rows = _store(args).gradebook()
    fields = ["learner", "lab", "best_score", "maximum", "passed", "attempts", "last_attempt",
              "solved_with_reference", "not_graded"]
    if args.format == "json":
        body = json.dumps({"gradebook": rows}, indent=2) + "\n"
    elif args.format == "csv":
        from gailab.labs.safetext import csv_text

        body = csv_text(fields, rows)  # names like =cmd() stay text in a spreadsheet
    else:
        from gailab.labs.safetext import terminal_text

        body = "".join(f"{terminal_text(r['learner']):<20} {terminal_text(r['lab']):<24} "
                       f"{'—' if r['best_score'] is None else r['best_score']:>3}/{r['maximum']:<3} "
                       f"{say('gradebook.passed') if r['passed'] else '':<8} "
                       f"{say('gradebook.row', attempts=r['attempts'])}"
                       f"{say('gradebook.not_graded', n=n) if (n := r['not_graded']) else ''}"
                       f"  {terminal_text(r['last_attempt'])}\n"
                       for r in rows) or say("gradebook.none") + "\n"
    if args.output:
        args.output.write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)
    return 0


def cmd_hash_answer(args) -> int:
    from gailab.labs.quiz import ORDERED_KINDS, hash_answer

    if any(i < 0 for i in args.indexes):
        raise UsageError("hash.negative")
    ordered = args.ordered
    if ordered is None:  # the lab knows the question's kind when it exists already
        try:
            from gailab.labs.catalog import get_lab

            lab = get_lab(args.lab_id, args.labs_dir)
            kinds = {q.id: q.kind for s in lab.steps if s.quiz for q in s.quiz.questions}
            ordered = kinds.get(args.question_id) in ORDERED_KINDS
        except Exception:
            ordered = False
    print(f'answer = "{hash_answer(args.lab_id, args.question_id, args.indexes, ordered=ordered)}"')
    return 0


def cmd_deploy(args) -> int:
    from gailab.labs.deploy import DeployError, deploy_lab
    from gailab.labs.workspace import workspace_for

    lab = _load(args)
    if lab.deploy is None:
        raise UsageError("lab.no_deploy", lab=lab.id)
    workspace = args.workspace.resolve() if args.workspace else workspace_for(lab, _home(args), _lang(args))
    endpoint = None if args.profile else _reachable_endpoint(args)
    try:
        done = deploy_lab(lab, workspace, endpoint, args.profile)
    except DeployError as exc:
        raise CliError("lab.deploy_failed", 1, function=lab.deploy.function_name, detail=exc) from None
    config = done.configuration
    print(say("deploy.done", action=say(f"deploy.{done.action}"), function=done.function_name,
              files=", ".join(done.files), runtime=config["Runtime"], handler=config["Handler"],
              timeout=config["Timeout"], memory=config["MemorySize"]))
    return 0


def cmd_new(args) -> int:
    from gailab.labs.scaffold import ScaffoldError, create_lab

    try:
        folder = create_lab(args.lab_id, args.dir, args.title_en, args.title_pt)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(say("new.done", folder=folder))
    print(say("new.next", folder=folder))
    return 0
