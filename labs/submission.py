"""A submission: the one file a learner hands in for a lab, from which an instructor rebuilds and regrades the cloud.

Format version 1 (``docs/class.md``, "The submission format") is a ZIP archive, written byte for byte the same for the same content:

* ``submission.json`` — the manifest: ``format`` ("gailab-submission"), ``formatVersion``, ``lab`` (id, version,
  contentHash), ``learner``, ``gailabVersion``, ``createdAt``, and for every other member its size and sha256,
  then ``contentHash``: sha256 over the canonical JSON of everything above (so over every member too);
* ``journal.jsonl`` — the learner's cloud as journal records (``simulator.core.journal.export_records``);
* ``workspace/…`` — the lab's workspace files (scripts, handler code, ``answers.json``);
* ``report.json`` — the learner's last local report for the lab (kept to compare; a regrade never trusts it);
* ``events.json`` — the app's events for the lab: hints shown, solve, reset.

Readers are a registry by ``formatVersion``: a newer gailab keeps the reader of every older version, and a file
from a newer gailab is refused with both versions named. Nothing in a submission is trusted: sizes are capped,
paths are checked, every member must match its recorded hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

FORMAT = "gailab-submission"
FORMAT_VERSION = 1
SUFFIX = ".gailab.zip"
MAX_FILE_BYTES = 10 * 1024 * 1024  # one workspace file
MAX_WORKSPACE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # everything, uncompressed
MAX_MEMBERS = 5000
SKIPPED_PARTS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache", ".DS_Store"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class SubmissionError(Exception):
    """A submission cannot be written or read; the message says what is wrong, in one line."""


@dataclass
class Submission:
    """A submission read back and checked: what a regrade needs, and the learner's claims kept apart."""

    format_version: int
    lab_id: str
    lab_version: str
    lab_content_hash: str
    learner: str
    gailab_version: str
    created_at: datetime
    content_hash: str
    journal: bytes
    workspace: dict[str, bytes]
    report: dict | None
    events: list[dict]
    manifest: dict = field(repr=False, default_factory=dict)

    def solve_events(self) -> list[dict]:
        """Events that applied this lab's reference solution (a solve of a later lab applies its prerequisites')."""
        return [e for e in self.events if e.get("kind") == "solve"]

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e.get("kind") == kind)

    def extract_workspace(self, destination: Path) -> Path:
        """Write the workspace files under ``destination`` (paths were checked when the file was read)."""
        destination = Path(destination)
        destination.mkdir(parents=True, exist_ok=True)
        for rel, data in self.workspace.items():
            target = destination.joinpath(*PurePosixPath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return destination


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(manifest: dict) -> str:
    """The submission's identity: sha256 over its manifest (which names every member's sha256), hash left out."""
    return sha256(_canonical({k: v for k, v in manifest.items() if k != "contentHash"}))


# -- writing ------------------------------------------------------------------------------------------------------
def workspace_files(folder: Path | None) -> dict[str, bytes]:
    """The files of a workspace folder, by relative POSIX path: regular files only (links are not followed), caches
    and version-control folders left out, within the size limits."""
    if folder is None or not Path(folder).is_dir():
        return {}
    folder = Path(folder)
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in SKIPPED_PARTS for part in rel.parts) or path.suffix == ".pyc":
            continue
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SubmissionError(f"{rel} is {size // 1024 // 1024} MiB; a workspace file may be at most "
                                  f"{MAX_FILE_BYTES // 1024 // 1024} MiB")
        total += size
        if total > MAX_WORKSPACE_BYTES:
            raise SubmissionError(f"the workspace {folder} holds more than {MAX_WORKSPACE_BYTES // 1024 // 1024} MiB")
        files[rel.as_posix()] = path.read_bytes()
    return files


def build(*, lab_id: str, lab_version: str, lab_content_hash: str, learner: str, gailab_version: str,
          journal: bytes, workspace: dict[str, bytes], report: dict | None, events: list[dict],
          created_at: datetime | None = None) -> bytes:
    """The bytes of a version-1 submission."""
    created = (created_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    members: dict[str, bytes] = {"journal.jsonl": journal}
    for rel, data in sorted(workspace.items()):
        members["workspace/" + rel] = data
    if report is not None:
        members["report.json"] = _canonical(report)
    members["events.json"] = _canonical(events)
    manifest = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "lab": {"id": lab_id, "version": lab_version, "contentHash": lab_content_hash},
        "learner": learner,
        "gailabVersion": gailab_version,
        "createdAt": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "members": {name: {"size": len(data), "sha256": sha256(data)} for name, data in members.items()},
    }
    manifest["contentHash"] = content_hash(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("submission.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode())] + \
                sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# -- reading ------------------------------------------------------------------------------------------------------
def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (bool(name) and not name.startswith("/") and "\\" not in name and ".." not in path.parts
            and ":" not in path.parts[0] and "" not in name.split("/"))


def _read_members(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SubmissionError(f"not a gailab submission: not a ZIP archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SubmissionError(f"the submission has {len(infos)} files; at most {MAX_MEMBERS} are read")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise SubmissionError(f"the submission unpacks to more than {MAX_TOTAL_BYTES // 1024 // 1024} MiB")
        members: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            if not _safe_member(info.filename):
                raise SubmissionError(f"the submission holds an unsafe path {info.filename!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SubmissionError(f"the submission holds a symbolic link {info.filename!r}")
            if info.filename in members:
                raise SubmissionError(f"the submission holds {info.filename!r} twice")
            try:
                with archive.open(info) as handle:
                    content = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise SubmissionError(f"{info.filename} in the submission cannot be read: {exc}") from None
            if len(content) != info.file_size:
                raise SubmissionError(f"{info.filename} in the submission is not the size its header says")
            members[info.filename] = content
    return members


def _json_member(members: dict[str, bytes], name: str):
    try:
        return json.loads(members[name])
    except (ValueError, UnicodeDecodeError) as exc:
        raise SubmissionError(f"{name} in the submission is not JSON: {exc}") from None


def _read_v1(manifest: dict, members: dict[str, bytes]) -> Submission:
    listed = manifest.get("members")
    lab = manifest.get("lab")
    if not isinstance(listed, dict) or not isinstance(lab, dict):
        raise SubmissionError("submission.json lacks 'members' or 'lab'")
    for key in ("id", "version", "contentHash"):
        if not isinstance(lab.get(key), str):
            raise SubmissionError(f"submission.json: lab.{key} must be a string")
    for key in ("learner", "gailabVersion", "createdAt", "contentHash"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            raise SubmissionError(f"submission.json: {key} must be a non-empty string")
    if content_hash(manifest) != manifest["contentHash"]:
        raise SubmissionError("submission.json does not match its contentHash: the file was edited after it was "
                              "written")
    extra = sorted(set(members) - set(listed) - {"submission.json"})
    if extra:
        raise SubmissionError(f"the submission holds files its manifest does not list: {', '.join(extra[:5])}")
    for name, meta in listed.items():
        if name not in members:
            raise SubmissionError(f"the submission lacks {name}, which its manifest lists")
        if not isinstance(meta, dict) or sha256(members[name]) != meta.get("sha256"):
            raise SubmissionError(f"{name} does not match its sha256 in submission.json: it was changed after "
                                  "the submission was written")
    if "journal.jsonl" not in members or "events.json" not in members:
        raise SubmissionError("the submission lacks journal.jsonl or events.json")
    try:
        created = datetime.fromisoformat(manifest["createdAt"].replace("Z", "+00:00"))
    except ValueError:
        raise SubmissionError(f"submission.json: createdAt {manifest['createdAt']!r} is not an ISO 8601 time") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    events = _json_member(members, "events.json")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise SubmissionError("events.json must be a list of objects")
    report = _json_member(members, "report.json") if "report.json" in members else None
    if report is not None and not isinstance(report, dict):
        raise SubmissionError("report.json must be an object")
    workspace = {name[len("workspace/"):]: data for name, data in members.items() if name.startswith("workspace/")}
    return Submission(
        format_version=1, lab_id=lab["id"], lab_version=lab["version"], lab_content_hash=lab["contentHash"],
        learner=manifest["learner"], gailab_version=manifest["gailabVersion"], created_at=created,
        content_hash=manifest["contentHash"], journal=members["journal.jsonl"], workspace=workspace, report=report,
        events=events, manifest=manifest,
    )


#: One reader per format version; a later gailab adds its reader here and keeps the older ones.
READERS: dict[int, Callable[[dict, dict[str, bytes]], Submission]] = {1: _read_v1}


def read(data: bytes) -> Submission:
    """Read and check a submission's bytes; raises SubmissionError naming the first problem."""
    members = _read_members(data)
    if "submission.json" not in members:
        raise SubmissionError("not a gailab submission: it has no submission.json")
    manifest = _json_member(members, "submission.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SubmissionError("not a gailab submission: submission.json does not say format \"gailab-submission\"")
    version = manifest.get("formatVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SubmissionError("submission.json: formatVersion must be an integer")
    reader = READERS.get(version)
    if reader is None:
        newest = max(READERS)
        if version > newest:
            raise SubmissionError(f"the submission was written by a newer gailab (format {version}; this gailab reads "
                                  f"up to {newest}). Upgrade gailab to read it.")
        raise SubmissionError(f"submission format {version} is unknown")
    return reader(manifest, members)


def read_file(path: Path) -> Submission:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TOTAL_BYTES:
            raise SubmissionError(f"{path.name} is larger than {MAX_TOTAL_BYTES // 1024 // 1024} MiB")
        return read(path.read_bytes())
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None


def of_lab(lab, *, learner: str, home: Path, workspace: Path | None = None, db_url: str | None = None,
           created_at: datetime | None = None) -> bytes:
    """A submission of ``lab`` from a learner's home: its cloud's journal, the lab's workspace (or ``workspace``),
    the learner's last report and the app's events for the lab from the store (``db_url``, else the home's)."""
    from gailab.simulator.core.journal import JournalError, encode_records, export_records

    from .grader import grader_version
    from .store import Store
    from .workspace import workspace_for

    try:
        journal = encode_records(export_records(Path(home) / "cloud"))
    except (JournalError, OSError) as exc:
        raise SubmissionError(f"the local cloud's journal cannot be read: {exc}") from None
    folder = Path(workspace) if workspace is not None else workspace_for(lab, home)  # as `gailab grade` reads it
    store = Store(db_url, home=home)
    try:
        attempts = store.attempts(learner=learner, lab_id=lab.id)
        report = json.loads(attempts[-1].report_json) if attempts else None
        events = [
            {"kind": e.kind, "lab": e.lab_id, "at": _iso(e.at), "detail": json.loads(e.detail or "{}")}
            for e in store.events(learner=learner)
            if e.lab_id == lab.id or (e.kind == "solve" and lab.id in (json.loads(e.detail or "{}").get("labs") or []))
        ]
    finally:
        store.close()
    return build(lab_id=lab.id, lab_version=lab.version, lab_content_hash=lab.content_hash(), learner=learner,
                 gailab_version=grader_version(), journal=journal, workspace=workspace_files(folder), report=report,
                 events=events, created_at=created_at)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
