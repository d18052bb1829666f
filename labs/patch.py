"""Unified diffs for near misses: a mistake is the reference solution with one small change, written as a patch.

``diff -u solution/solve.py mine.py > mistakes/x.diff`` (or ``git diff``) makes one. Paths are relative to the
lab folder (``a/`` and ``b/`` prefixes are accepted); a hunk must match the solution exactly, at its line or
anywhere else in the file when the solution moved, so a stale patch is an error that names the hunk, never a
silent wrong mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(Exception):
    """A patch that cannot be read or does not apply; the message names the file and the hunk."""


@dataclass
class Hunk:
    header: str
    old_start: int
    old: list[str] = field(default_factory=list)  # context and removed lines, without the newline
    new: list[str] = field(default_factory=list)  # context and added lines


@dataclass
class FilePatch:
    path: str  # relative to the lab folder
    hunks: list[Hunk]


def _clean_path(raw: str) -> str | None:
    name = raw.split("\t", 1)[0].strip()
    if name == "/dev/null":
        return None
    if name.startswith(("a/", "b/")):
        name = name[2:]
    return name


def parse(text: str) -> list[FilePatch]:
    """The files and hunks of a unified diff (lines outside them, such as ``diff --git`` headers, are ignored)."""
    lines = text.splitlines()
    patches: list[FilePatch] = []
    i = 0
    while i < len(lines):
        if not (lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")):
            i += 1
            continue
        old, new = _clean_path(lines[i][4:]), _clean_path(lines[i + 1][4:])
        path = old if old is not None and not PurePosixPath(old).is_absolute() else new
        if path is None or PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
            raise PatchError(f"line {i + 1}: the patched file must be a path inside the lab, not {lines[i][4:]!r}")
        i += 2
        hunks: list[Hunk] = []
        while i < len(lines) and lines[i].startswith("@@"):
            m = HUNK_RE.match(lines[i])
            if not m:
                raise PatchError(f"line {i + 1}: malformed hunk header {lines[i]!r}")
            hunk = Hunk(lines[i], int(m.group(1)))
            want_old = int(m.group(2)) if m.group(2) is not None else 1
            want_new = int(m.group(4)) if m.group(4) is not None else 1
            i += 1
            while i < len(lines) and (len(hunk.old) < want_old or len(hunk.new) < want_new):
                line = lines[i]
                tag, body = (line[:1], line[1:]) if line else (" ", "")
                if tag == " ":
                    hunk.old.append(body)
                    hunk.new.append(body)
                elif tag == "-":
                    hunk.old.append(body)
                elif tag == "+":
                    hunk.new.append(body)
                elif tag != "\\":  # "\ No newline at end of file"
                    raise PatchError(f"line {i + 1}: unexpected {line!r} inside {hunk.header}")
                i += 1
            while i < len(lines) and lines[i].startswith("\\"):
                i += 1
            if len(hunk.old) != want_old or len(hunk.new) != want_new:
                raise PatchError(f"{hunk.header}: the hunk is cut short")
            hunks.append(hunk)
        if not hunks:
            raise PatchError(f"{path}: no hunk")
        patches.append(FilePatch(path, hunks))
    if not patches:
        raise PatchError("not a unified diff (no ---/+++ file header)")
    return patches


def apply_text(original: str, hunks: list[Hunk], name: str) -> str:
    """``original`` with every hunk applied, in order."""
    lines = original.splitlines()
    ends_with_newline = original.endswith("\n") or not original
    offset = 0
    for number, hunk in enumerate(hunks, 1):
        start = hunk.old_start - 1 + offset if hunk.old else hunk.old_start + offset
        at = _find(lines, hunk.old, max(start, 0))
        if at is None:
            raise PatchError(f"{name}: hunk {number} ({hunk.header}) does not match the file; the solution "
                             f"changed since the patch was written — make it again with diff -u")
        lines[at:at + len(hunk.old)] = hunk.new
        offset += len(hunk.new) - len(hunk.old) + (at - start)  # later hunks drift as this one did
    return "\n".join(lines) + ("\n" if ends_with_newline and lines else "")


def _find(lines: list[str], block: list[str], start: int) -> int | None:
    """Where ``block`` sits: at ``start`` if it matches there, else the match nearest to it."""
    if not block:
        return min(start, len(lines))
    n = len(block)
    hits = [i for i in range(0, len(lines) - n + 1) if lines[i:i + n] == block]
    return min(hits, key=lambda i: abs(i - start)) if hits else None


def apply(patch_file: Path, lab_dir: Path, into: Path, allowed: Path) -> list[Path]:
    """Apply ``patch_file`` (paths relative to ``lab_dir``) to the copies under ``into`` (a copy of ``lab_dir``'s
    ``allowed`` folder). Only files inside ``allowed`` may change. Returns the files written."""
    try:
        text = Path(patch_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatchError(f"cannot be read: {exc}") from None
    written = []
    allowed_rel = Path(allowed).resolve().relative_to(Path(lab_dir).resolve())
    for file_patch in parse(text):
        rel = Path(file_patch.path)
        if rel.parts[:len(allowed_rel.parts)] != allowed_rel.parts:
            raise PatchError(f"{file_patch.path}: a mistake may change only files under {allowed_rel.as_posix()}/")
        target = Path(into) / rel.relative_to(allowed_rel)
        original = target.read_text(encoding="utf-8") if target.exists() else ""
        if not target.exists() and any(h.old for h in file_patch.hunks):
            raise PatchError(f"{file_patch.path}: the file does not exist in the solution")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(apply_text(original, file_patch.hunks, file_patch.path), encoding="utf-8")
        written.append(target)
    return written
