"""``gailab lab validate``: lint a lab's definition, then prove it against a throwaway cloud.

Lint (no cloud): the manifest, every check has a function and every function a check, the starter's comments
(each language's version speaks only that language and runs the same code: :mod:`gailab.labs.starter`), the
``[deploy]`` table's
files exist in the starter and the solution, each patch mistake applies to the reference solution, and each
question's hash is an answer of its kind (the reference solution can find it).

Proof (the rustlings ``dev check`` idea, plus near misses): the reference solution passes every check, the
starter alone (deployed as the app deploys it, when the lab has a function) does not pass, and each mistake makes
its named check fail.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import patch, quiz
from .grader import grade
from .manifest import Lab, LabDefinitionError, LabError, load_lab
from .solutions import SolutionError, prerequisite_chain, run_solution, run_solutions
from .starter import copy_starter, lint_starter


@dataclass
class Validation:
    path: Path
    lab: Lab | None = None
    errors: list[LabError] = field(default_factory=list)
    proved: list[str] = field(default_factory=list)  # what was shown to hold
    reports: list = field(default_factory=list)  # (scenario, Report) of each run: solution, starter, mistakes

    @property
    def ok(self) -> bool:
        return not self.errors


def lint(path: Path) -> Validation:
    result = Validation(Path(path))
    try:
        lab = load_lab(path)
    except LabDefinitionError as exc:
        result.errors.extend(exc.errors)
        return result
    result.lab = lab
    manifest = lab.path / "lab.toml"
    try:
        functions = lab.check_functions()
    except LabDefinitionError as exc:
        result.errors.extend(exc.errors)
        return result
    for i, step in enumerate(lab.steps):
        for j, spec in enumerate(c for c in step.checks if c.question is None):
            if spec.id not in functions:
                result.errors.append(LabError(manifest, f"steps[{i}].checks[{j}].id",
                                              f"check {spec.id!r} does not exist: no function in checks.py is marked "
                                              f"@check({spec.id!r})"))
        for k, question in enumerate(step.quiz.questions if step.quiz else []):
            if question.answer and quiz.find_answer(lab.id, question) is None:
                result.errors.append(LabError(manifest, f"steps[{i}].quiz.questions[{k}].answer",
                                              f"no {question.kind} answer of {question.id!r} has this hash; make it "
                                              f"with gailab lab hash-answer {lab.id} {question.id} INDEX…"
                                              + (" --ordered" if question.kind in quiz.ORDERED_KINDS else "")))
    known = {c.id for _, c in lab.all_checks()}
    for fid in functions:
        if fid not in known:
            result.errors.append(LabError(lab.path / "checks.py", f"@check({fid!r})", "is not listed in lab.toml"))
    if lab.solution_script is None:
        result.errors.append(LabError(manifest, "solution", "is required: a reference solution proves the lab"))
    if lab.deploy is not None:
        for name in lab.deploy.source_files:
            if lab.starter_dir is None or not (lab.starter_dir / name).exists():
                result.errors.append(LabError(manifest, "deploy.source_files",
                                              f"{name} is not in starter/: the learner deploys the workspace"))
    if lab.starter_dir is not None:
        for path, problem in lint_starter(lab.starter_dir):
            result.errors.append(LabError(path, "starter", problem))
    for i, mistake in enumerate(lab.mistakes):
        if mistake.is_patch and lab.solution_script is not None:
            with tempfile.TemporaryDirectory(prefix="gailab-lint-") as tmp:
                try:
                    patched_solution(lab, mistake.file, Path(tmp))
                except patch.PatchError as exc:
                    result.errors.append(LabError(mistake.file, f"mistakes[{i}].patch", str(exc)))
    return result


def patched_solution(lab: Lab, patch_file: Path, into: Path) -> Path:
    """Copy the reference solution's folder into ``into``, apply the patch; returns the copied solution script."""
    folder = lab.solution_script.parent
    copy = Path(into) / folder.name
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
    patch.apply(patch_file, lab.path, copy, folder)
    return copy / lab.solution_script.relative_to(folder)


def mistake_script(lab: Lab, mistake, into: Path) -> Path:
    """The script that makes the near miss: its own, or a copy of the reference solution with its patch applied."""
    return patched_solution(lab, mistake.file, Path(into)) if mistake.is_patch else mistake.file


def run_mistake(lab: Lab, mistake, endpoint: str | None, workspace: Path | None):
    """Apply one near miss to a cloud: its script, or the reference solution with its patch applied."""
    with tempfile.TemporaryDirectory(prefix=f"gailab-mistake-{lab.id}-") as tmp:
        return run_solution(lab, endpoint, workspace, mistake_script(lab, mistake, Path(tmp)))


def prove(result: Validation, sandbox, extra_dirs=None) -> None:
    """Run solution, starter and mistakes in ``sandbox`` (reset between runs); add what fails to result.errors."""
    lab = result.lab
    assert lab is not None
    manifest = lab.path / "lab.toml"
    try:
        prereqs = prerequisite_chain(lab, extra_dirs)
    except Exception as exc:
        result.errors.append(LabError(manifest, "prerequisites", str(exc)))
        return

    def scenario(script: Path | None = None, mistake=None):
        sandbox.reset()
        with tempfile.TemporaryDirectory(prefix=f"gailab-validate-{lab.id}-") as tmp:
            workspace = Path(tmp) / lab.id
            workspace.mkdir()
            if lab.starter_dir:  # the code is the same in both languages (lint proves it): en stands for both
                copy_starter(lab.starter_dir, workspace, "en")
            if mistake is not None:
                script = mistake_script(lab, mistake, Path(tmp) / "mistake")
            runs = [(prereq, Path(tmp) / prereq.id, None) for prereq in prereqs]
            if script is not None:
                runs.append((lab, workspace, script))
            run_solutions(runs, sandbox.endpoint)  # the prerequisites and the script in one interpreter
            if script is None and lab.deploy is not None:
                _deploy_starter(lab, workspace, sandbox.endpoint, result)
            report = grade(lab, endpoint=sandbox.endpoint, workspace=workspace, learner="gailab-validate")
            name = "starter" if script is None and mistake is None else (mistake.file.name if mistake else "solution")
            result.reports.append((name, report))
            return report

    try:
        report = scenario(lab.solution_script)
        bad = [r for r in report.results if r.status != "pass"]
        for r in bad:
            result.errors.append(LabError(lab.solution_script, f"check {r.check_id}",
                                          f"the reference solution does not pass it ({r.status}): {r.message('en')}"))
        if not bad:
            result.proved.append(f"solution passes {len(report.results)} checks ({report.total}/{report.maximum})")
    except SolutionError as exc:
        result.errors.append(LabError(lab.solution_script, "solution", str(exc)))
    try:
        report = scenario()
        for r in report.results:  # an empty account is the commonest state: checks must judge it, not crash
            if r.status == "error":
                result.errors.append(LabError(lab.path / "checks.py", f"@check({r.check_id!r})",
                                              f"could not run against the starter; a missing resource must be a "
                                              f"fail, not an error: {r.message('en')}"))
        if report.passed:
            result.errors.append(LabError(lab.starter_dir or lab.path, "starter", "the starter alone already passes"))
        else:
            result.proved.append(f"starter alone does not pass ({report.total}/{report.maximum})")
    except SolutionError as exc:
        result.errors.append(LabError(manifest, "prerequisites", str(exc)))
    for i, mistake in enumerate(lab.mistakes):
        key = "patch" if mistake.is_patch else "file"
        try:
            report = scenario(mistake=mistake)
        except (SolutionError, patch.PatchError) as exc:
            result.errors.append(LabError(mistake.file, f"mistakes[{i}].{key}", str(exc)))
            continue
        named = next((r for r in report.results if r.check_id == mistake.fails), None)
        if named is None or named.status != "fail":
            status = named.status if named else "is missing"
            result.errors.append(LabError(mistake.file, f"mistakes[{i}].fails",
                                          f"check {mistake.fails!r} must fail for this mistake, but it is {status}"))
        elif report.passed:
            result.errors.append(LabError(mistake.file, f"mistakes[{i}]", "the mistake passes the lab"))
        else:
            result.proved.append(f"mistake {mistake.file.name} fails {mistake.fails}")


def _deploy_starter(lab: Lab, workspace: Path, endpoint: str, result: Validation) -> None:
    """Deploy the starter as the app's Ctrl+D would: its files must package. Before the lab's role exists a deploy
    cannot work (the learner creates the role first), so that one cause is expected."""
    from .deploy import DeployError, deploy

    try:
        deploy(lab.deploy, workspace, endpoint)
    except DeployError as exc:
        if exc.kind != "role":
            result.errors.append(LabError(lab.starter_dir or lab.path, "deploy",
                                          f"the starter does not deploy as the app deploys it: {exc}"))
