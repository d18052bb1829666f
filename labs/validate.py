"""``gailab lab validate``: lint a lab's definition, then prove it against a throwaway cloud.

Proof (the rustlings ``dev check`` idea, plus near misses): the reference solution passes every check, the
starter alone does not pass, and each mistake makes exactly its named check fail.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .grader import grade
from .manifest import Lab, LabDefinitionError, LabError, load_lab
from .solutions import SolutionError, prerequisite_chain, run_script


@dataclass
class Validation:
    path: Path
    lab: Lab | None = None
    errors: list[LabError] = field(default_factory=list)
    proved: list[str] = field(default_factory=list)  # what was shown to hold

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
    known = {c.id for _, c in lab.all_checks()}
    for fid in functions:
        if fid not in known:
            result.errors.append(LabError(lab.path / "checks.py", f"@check({fid!r})", "is not listed in lab.toml"))
    if lab.solution_script is None:
        result.errors.append(LabError(manifest, "solution", "is required: a reference solution proves the lab"))
    return result


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

    def scenario(script: Path | None):
        sandbox.reset()
        with tempfile.TemporaryDirectory(prefix=f"gailab-validate-{lab.id}-") as tmp:
            for prereq in prereqs:
                run_script(prereq.solution_script, sandbox.endpoint, Path(tmp) / prereq.id)
            workspace = Path(tmp) / lab.id
            workspace.mkdir()
            if lab.starter_dir:
                import shutil

                shutil.copytree(lab.starter_dir, workspace, dirs_exist_ok=True)
            if script is not None:
                run_script(script, sandbox.endpoint, workspace)
            return grade(lab, endpoint=sandbox.endpoint, workspace=workspace, learner="gailab-validate")

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
        report = scenario(None)
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
        try:
            report = scenario(mistake.file)
        except SolutionError as exc:
            result.errors.append(LabError(mistake.file, f"mistakes[{i}].file", str(exc)))
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
