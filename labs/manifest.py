"""A lab's manifest (``lab.toml``): the schema, the loader, and errors that name the file and the field.

A lab is a folder: ``lab.toml``, ``instructions.en.md``, ``instructions.pt-BR.md`` (one ``## … {#step-id}``
section per step), ``checks.py``, ``starter/``, ``solution/`` and ``mistakes/``. Loading only parses and
checks the data; :mod:`gailab.labs.validate` also proves the solution, starter and mistakes against a cloud.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .deploy import DeploySpec, parse_deploy
from .text import LANGS, T, norm_lang

MANIFEST = "lab.toml"
SCHEMA_VERSION = 1
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?$")
ANSWER_RE = re.compile(r"^sha256:[0-9a-f]{32}:[0-9a-f]{64}$")
SECTION_RE = re.compile(r"^##\s+(.*?)\s*\{#([a-z0-9-]+)\}\s*$", re.M)
RESOURCE_KINDS = ("buckets", "objects", "kms_aliases", "roles", "functions", "rest_apis", "alarms", "log_groups",
                  "endpoints")


class LabError(Exception):
    """One problem in a lab's definition: the file, the field and what is wrong."""

    def __init__(self, file: Path | str, field: str, message: str):
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{self.file}: {field}: {message}" if field else f"{self.file}: {message}")


class LabDefinitionError(Exception):
    """A lab that cannot be loaded; ``errors`` lists every :class:`LabError` found."""

    def __init__(self, errors: list[LabError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class CheckSpec:
    id: str
    points: int
    _title: T
    _hint: T | None = None
    timeout: float | None = None
    question: "Question | None" = None  # set for quiz checks
    hidden: bool = False  # graded, but a failure shows no expected/actual/hint (otter's hidden tests)
    depends_on: tuple[str, ...] = ()  # earlier checks that must pass before this one can be judged

    def title(self, lang: str = "en") -> str:
        return self._title(lang)

    def hint(self, lang: str = "en") -> str:
        return self._hint(lang) if self._hint else ""


@dataclass
class Question:
    """An exam-style question. ``kind``: ``single`` (one option), ``multiple`` (``choose`` options, or any number),
    ``order`` (every option, in the right order) or ``match`` (for each of ``prompts``, one option)."""

    id: str
    _text: T
    _options: dict[str, list[str]]
    multiple: bool
    answer: str  # "sha256:<salt>:<digest>", see quiz.py
    points: int
    kind: str = "single"
    choose: int | None = None
    _prompts: dict[str, list[str]] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return self._text(lang)

    def options(self, lang: str = "en") -> list[str]:
        return list(self._options[norm_lang(lang)])

    def prompts(self, lang: str = "en") -> list[str]:
        return list(self._prompts.get(norm_lang(lang), []))


@dataclass
class Quiz:
    questions: list[Question]


@dataclass
class Step:
    id: str
    _title: T
    checks: list[CheckSpec]
    _hints: dict[str, list[str]]
    quiz: Quiz | None = None

    def title(self, lang: str = "en") -> str:
        return self._title(lang)

    def hints(self, lang: str = "en") -> list[str]:
        return list(self._hints.get(norm_lang(lang), []))


@dataclass
class Mistake:
    """A near miss: a script (``file``) or a unified diff of the reference solution (``patch``), and the check it
    must make fail."""

    file: Path
    fails: str
    _about: T | None = None
    is_patch: bool = False

    def about(self, lang: str = "en") -> str:
        return self._about(lang) if self._about else ""


@dataclass
class Lab:
    id: str
    version: str
    _title: T
    _summary: T
    sections: list[str]
    minutes: int
    prerequisites: list[str]
    pass_mark: int
    steps: list[Step]
    path: Path
    order: int = 100
    deploy: "DeploySpec | None" = None
    resources: dict[str, list[str]] = field(default_factory=dict)
    solution_script: Path | None = None
    mistakes: list[Mistake] = field(default_factory=list)
    _checks_module: object = None

    def title(self, lang: str = "en") -> str:
        return self._title(lang)

    def summary(self, lang: str = "en") -> str:
        return self._summary(lang)

    @property
    def max_points(self) -> int:
        return sum(c.points for s in self.steps for c in s.checks)

    @property
    def starter_dir(self) -> Path | None:
        d = self.path / "starter"
        return d if d.is_dir() else None

    def instructions_file(self, lang: str) -> Path:
        return self.path / f"instructions.{norm_lang(lang)}.md"

    def instructions(self, lang: str = "en") -> str:
        return self.instructions_file(lang).read_text(encoding="utf-8")

    def step_markdown(self, step_id: str, lang: str = "en") -> str:
        sections = split_sections(self.instructions(lang))
        if step_id not in sections:
            raise KeyError(f"{self.id} has no step {step_id!r} in {self.instructions_file(lang).name}")
        return sections[step_id]

    def all_checks(self) -> list[tuple[Step, CheckSpec]]:
        return [(s, c) for s in self.steps for c in s.checks]

    def check_functions(self) -> dict:
        """The lab's check functions by id (``checks.py``), loaded once."""
        if self._checks_module is None:
            self._checks_module = load_checks_module(self)
        return {
            getattr(fn, "__gailab_check__"): fn
            for fn in vars(self._checks_module).values()
            if callable(fn) and getattr(fn, "__gailab_check__", None)
        }

    def content_hash(self) -> str:
        """sha256 over every file of the lab (names and bytes): which definition graded an attempt."""
        digest = hashlib.sha256()
        for file in sorted(p for p in self.path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(file.relative_to(self.path).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
        return "sha256:" + digest.hexdigest()


def split_sections(markdown: str) -> dict[str, str]:
    """``## Title {#step-id}`` headings cut the instructions into one section per step."""
    matches = list(SECTION_RE.finditer(markdown))
    out = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
        body = markdown[m.end():end].strip()
        out[m.group(2)] = f"## {m.group(1)}\n\n{body}\n"  # the anchor is for authors, not readers
    return out


def load_checks_module(lab: Lab):
    path = lab.path / "checks.py"
    if not path.is_file():
        raise LabDefinitionError([LabError(path, "", "the lab has no checks.py")])
    name = f"gailab_lab_checks_{lab.id.replace('-', '_')}_{abs(hash(str(path))):x}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise LabDefinitionError([LabError(path, "", f"cannot be imported: {type(exc).__name__}: {exc}")]) from None
    return module


class _Reader:
    """Reads typed fields out of the TOML, collecting errors (file + dotted field path) instead of stopping."""

    def __init__(self, file: Path):
        self.file = file
        self.errors: list[LabError] = []

    def err(self, field_: str, message: str) -> None:
        self.errors.append(LabError(self.file, field_, message))

    def get(self, data: dict, key: str, where: str, kind, required=True, default=None):
        name = f"{where}.{key}" if where else key
        if key not in data:
            if required:
                self.err(name, "is required")
            return default
        value = data[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            self.err(name, f"must be {' or '.join(k.__name__ for k in kinds)}, not {type(value).__name__}")
            return default
        return value

    def text(self, data: dict, key: str, where: str, required=True) -> T | None:
        name = f"{where}.{key}" if where else key
        value = self.get(data, key, where, dict, required)
        if value is None:
            return None
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.err(f"{name}.{lang}", "is required (every text exists in en and pt-BR)")
        extra = set(value) - set(LANGS)
        if extra:
            self.err(name, f"unknown language(s) {sorted(extra)}; use en and pt-BR")
        return T(str(value.get("en", "")), str(value.get("pt-BR", "")))


def load_lab(path: str | Path) -> Lab:
    """Parse and check ``<path>/lab.toml``; raises :class:`LabDefinitionError` listing every problem."""
    folder = Path(path).resolve()
    file = folder / MANIFEST
    if not file.is_file():
        raise LabDefinitionError([LabError(file, "", "not found (a lab folder holds lab.toml)")])
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LabDefinitionError([LabError(file, "", f"is not valid TOML: {exc}")]) from None
    r = _Reader(file)
    schema = r.get(data, "schema", "", int, required=False, default=SCHEMA_VERSION)
    if schema is not None and schema > SCHEMA_VERSION:
        r.err("schema", f"is {schema}; this gailab reads lab schema {SCHEMA_VERSION} (upgrade gailab)")
    lab_id = r.get(data, "id", "", str, default="")
    if lab_id and not ID_RE.match(lab_id):
        r.err("id", f"{lab_id!r} must be lowercase letters, digits and dashes")
    if lab_id and lab_id != folder.name:
        r.err("id", f"{lab_id!r} differs from the folder name {folder.name!r}")
    version = r.get(data, "version", "", str, default="0")
    if version and not VERSION_RE.match(version):
        r.err("version", f"{version!r} must look like 1.0 or 1.0.0")
    title = r.text(data, "title", "")
    summary = r.text(data, "summary", "")
    sections = [str(s) for s in r.get(data, "sections", "", list, default=[])]
    minutes = r.get(data, "minutes", "", int, default=0)
    order = r.get(data, "order", "", int, required=False, default=100)
    prereqs = r.get(data, "prerequisites", "", list, required=False, default=[])
    for i, p in enumerate(prereqs):
        if not isinstance(p, str) or not ID_RE.match(p):
            r.err(f"prerequisites[{i}]", f"{p!r} is not a lab id")
    pass_mark = r.get(data, "pass_mark", "", int, default=0)
    raw_deploy = r.get(data, "deploy", "", dict, required=False)
    deploy = parse_deploy(raw_deploy, r.err) if raw_deploy is not None else None
    resources = r.get(data, "resources", "", dict, required=False, default={})
    for kind, names in resources.items():
        if kind not in RESOURCE_KINDS:
            r.err(f"resources.{kind}", f"unknown resource kind; use one of {', '.join(RESOURCE_KINDS)}")
        elif not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            r.err(f"resources.{kind}", "must be a list of names")
    solution = r.get(data, "solution", "", str, required=False)
    solution_script = None
    if solution is not None:
        solution_script = folder / solution
        if not solution_script.is_file():
            r.err("solution", f"{solution} does not exist in the lab folder")

    steps: list[Step] = []
    seen_checks: set[str] = set()
    raw_steps = r.get(data, "steps", "", list, default=[])
    if isinstance(raw_steps, list) and not raw_steps:
        r.err("steps", "a lab has at least one step")
    for i, raw in enumerate(raw_steps):
        where = f"steps[{i}]"
        if not isinstance(raw, dict):
            r.err(where, "must be a table")
            continue
        step_id = r.get(raw, "id", where, str, default=f"step-{i}")
        if step_id in {s.id for s in steps}:
            r.err(f"{where}.id", f"{step_id!r} is used by another step")
        step_title = r.text(raw, "title", where)
        hints = _hints(r, raw, where)
        checks: list[CheckSpec] = []
        for j, rc in enumerate(r.get(raw, "checks", where, list, required=False, default=[])):
            cw = f"{where}.checks[{j}]"
            if not isinstance(rc, dict):
                r.err(cw, "must be a table")
                continue
            cid = r.get(rc, "id", cw, str, default=f"check-{i}-{j}")
            if cid and not ID_RE.match(cid):
                r.err(f"{cw}.id", f"{cid!r} must be lowercase letters, digits and dashes")
            if cid in seen_checks:
                r.err(f"{cw}.id", f"{cid!r} is used by another check")
            seen_checks.add(cid)
            points = r.get(rc, "points", cw, int, default=0)
            if points is not None and points < 0:
                r.err(f"{cw}.points", "must not be negative")
            timeout = r.get(rc, "timeout", cw, (int, float), required=False)
            if timeout is not None and not 0 < timeout <= 600:
                r.err(f"{cw}.timeout", "must be between 0 and 600 seconds")
            hidden = r.get(rc, "hidden", cw, bool, required=False, default=False)
            depends = r.get(rc, "depends_on", cw, list, required=False, default=[])
            for k, dep in enumerate(depends):
                if not isinstance(dep, str) or dep not in seen_checks or dep == cid:
                    r.err(f"{cw}.depends_on[{k}]", f"{dep!r} is not an earlier check of this lab")
            checks.append(CheckSpec(cid, points or 0, r.text(rc, "title", cw) or T(cid),
                                    r.text(rc, "hint", cw, required=not hidden), timeout, None, bool(hidden),
                                    tuple(d for d in depends if isinstance(d, str))))
        quiz = _quiz(r, raw, where, seen_checks)
        if quiz:
            for q in quiz.questions:
                checks.append(CheckSpec(f"quiz-{q.id}", q.points, q._text, None, None, q))
        if not checks:
            r.err(where, "has no checks and no quiz; every step is graded")
        steps.append(Step(step_id, step_title or T(step_id), checks, hints, quiz))

    mistakes = []
    for i, rm in enumerate(r.get(data, "mistakes", "", list, required=False, default=[])):
        mw = f"mistakes[{i}]"
        if not isinstance(rm, dict):
            r.err(mw, "must be a table")
            continue
        mfile = r.get(rm, "file", mw, str, required=False)
        mpatch = r.get(rm, "patch", mw, str, required=False)
        if (mfile is None) == (mpatch is None):
            r.err(mw, "takes either file (a script) or patch (a diff of the reference solution)")
        key, given = ("patch", mpatch) if mpatch is not None else ("file", mfile or "")
        fails = r.get(rm, "fails", mw, str, default="")
        if given and not (folder / given).is_file():
            r.err(f"{mw}.{key}", f"{given} does not exist in the lab folder")
        if fails and fails not in seen_checks:
            r.err(f"{mw}.fails", f"{fails!r} is not a check of this lab")
        about = r.text(rm, "about", mw, required=False)
        mistakes.append(Mistake(folder / given, fails, about, mpatch is not None))

    lab = Lab(lab_id, version, title or T(lab_id), summary or T(""), sections, minutes or 0, list(prereqs),
              pass_mark or 0, steps, folder, order, deploy, resources, solution_script, mistakes)
    if pass_mark is not None and lab.max_points and pass_mark > lab.max_points:
        r.err("pass_mark", f"{pass_mark} is more than the lab's {lab.max_points} points")
    _check_instructions(r, lab)
    if r.errors:
        raise LabDefinitionError(r.errors)
    return lab


def _hints(r: _Reader, raw: dict, where: str) -> dict[str, list[str]]:
    hints = r.get(raw, "hints", where, dict, required=False, default={})
    out = {}
    for lang in LANGS:
        items = hints.get(lang, [])
        if not isinstance(items, list) or not all(isinstance(h, str) for h in items):
            r.err(f"{where}.hints.{lang}", "must be a list of strings")
            items = []
        out[lang] = items
    if hints and len(out["en"]) != len(out["pt-BR"]):
        r.err(f"{where}.hints", f"en has {len(out['en'])} hints and pt-BR {len(out['pt-BR'])}; translate each")
    return out


def _lang_lists(r: _Reader, rq: dict, key: str, qw: str, minimum: int, what: str) -> dict[str, list[str]]:
    raw = r.get(rq, key, qw, dict, default={})
    out: dict[str, list[str]] = {}
    for lang in LANGS:
        items = raw.get(lang) if isinstance(raw, dict) else None
        if not isinstance(items, list) or len(items) < minimum or not all(isinstance(o, str) and o for o in items):
            r.err(f"{qw}.{key}.{lang}", f"must list at least {minimum} {what}")
            items = []
        out[lang] = items
    if out["en"] and out["pt-BR"] and len(out["en"]) != len(out["pt-BR"]):
        r.err(f"{qw}.{key}", f"en and pt-BR list a different number of {what}")
    return out


def _quiz(r: _Reader, raw: dict, where: str, seen: set[str]) -> Quiz | None:
    from .quiz import KINDS

    quiz = r.get(raw, "quiz", where, dict, required=False)
    if quiz is None:
        return None
    questions = []
    for k, rq in enumerate(r.get(quiz, "questions", f"{where}.quiz", list, default=[])):
        qw = f"{where}.quiz.questions[{k}]"
        qid = r.get(rq, "id", qw, str, default=f"q{k}")
        if f"quiz-{qid}" in seen:
            r.err(f"{qw}.id", f"{qid!r} is used by another question or check")
        seen.add(f"quiz-{qid}")
        text = r.text(rq, "text", qw)
        multiple = r.get(rq, "multiple", qw, bool, required=False, default=False)
        kind = r.get(rq, "kind", qw, str, required=False, default="multiple" if multiple else "single")
        if kind not in KINDS:
            r.err(f"{qw}.kind", f"{kind!r} is not a question kind; use {', '.join(KINDS)}")
            kind = "single"
        if multiple and kind != "multiple":
            r.err(f"{qw}.multiple", f"contradicts kind = {kind!r}")
        opts = _lang_lists(r, rq, "options", qw, 3 if kind == "order" else 2, "options")
        prompts: dict[str, list[str]] = {}
        if kind == "match":
            prompts = _lang_lists(r, rq, "prompts", qw, 2, "prompts")
        elif "prompts" in rq:
            r.err(f"{qw}.prompts", "only a match question has prompts")
        choose = r.get(rq, "choose", qw, int, required=False)
        n = len(opts["en"])
        if choose is not None and (kind != "multiple" or not (n and 2 <= choose < n)):
            r.err(f"{qw}.choose", "is for a multiple question: how many of its options to choose (2 to all but one)")
            choose = None
        answer = r.get(rq, "answer", qw, str, default="")
        if answer and not ANSWER_RE.match(answer):
            r.err(f"{qw}.answer", "must be a salted hash 'sha256:<32 hex salt>:<64 hex digest>' (never the answer); "
                  "make it with gailab lab hash-answer")
        points = r.get(rq, "points", qw, int, default=0)
        questions.append(Question(qid, text or T(qid), opts, kind == "multiple", answer, points or 0, kind, choose,
                                  prompts))
    return Quiz(questions)


def _check_instructions(r: _Reader, lab: Lab) -> None:
    step_ids = [s.id for s in lab.steps]
    for lang in LANGS:
        file = lab.instructions_file(lang)
        if not file.is_file():
            r.errors.append(LabError(file, "", f"missing: the instructions in {lang}"))
            continue
        sections = split_sections(file.read_text(encoding="utf-8"))
        for sid in step_ids:
            if sid not in sections:
                r.errors.append(LabError(file, f"## … {{#{sid}}}", f"no section for step {sid!r}"))
        for sid in sections:
            if sid not in step_ids:
                r.errors.append(LabError(file, f"## … {{#{sid}}}", f"section for unknown step {sid!r}"))
