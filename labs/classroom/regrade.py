"""``gailab class regrade``: every pending submission regraded in N worker processes, resumable, shardable.

Each submission is claimed in the class store before it is handed to a worker (so graders sharing a class never
grade one twice), and its result is stored, with the claim dropped, as soon as it comes back — so Ctrl-C (or a
killed CI runner) loses only the submissions in flight, and the next run resumes with what is left. A worker that
dies or passes the time limit is replaced; the submission it held gets an ``error`` result saying so.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .classstore import ClassStore, Outcome, Pending, grader_name
from .worker import scratch_root

JOB_TIMEOUT = 300.0  # seconds for one submission: replay plus every check


@dataclass
class Progress:
    done: int
    total: int
    passed: int
    failed: int
    errors: int
    elapsed: float
    last: str = ""

    @property
    def eta(self) -> float | None:
        if not self.done or self.done >= self.total:
            return None
        return self.elapsed / self.done * (self.total - self.done)


@dataclass
class Summary:
    pending: int = 0
    stored: int = 0
    skipped: int = 0  # taken by another grader, or stored by one meanwhile
    passed: int = 0
    failed: int = 0
    errors: int = 0  # error or invalid results
    interrupted: bool = False
    seconds: float = 0.0
    replay_ms: list[int] = field(default_factory=list)
    grade_ms: list[int] = field(default_factory=list)


class _Worker:
    def __init__(self, labs_dirs: list[Path], timeout: float, scratch: Path):
        cmd = [sys.executable, "-m", "gailab.labs.classroom.worker", "--timeout", str(timeout),
               "--scratch", str(scratch)]
        for folder in labs_dirs:
            cmd += ["--labs-dir", str(folder)]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True, text=True, bufsize=1)
        self.job: tuple[Pending, str, Path] | None = None
        self.deadline = 0.0
        self.buffer = ""

    def send(self, number: int, pending: Pending, key: str, lab_hash: str, path: Path) -> None:
        self.job = (pending, key, path)
        self.deadline = time.monotonic() + JOB_TIMEOUT
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"job": number, "path": str(path), "lab": pending.lab_id,
                                          "labContentHash": lab_hash}) + "\n")
        self.proc.stdin.flush()

    def stderr_tail(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-3:])

    def stop(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self.log.close()


def regrade(store: ClassStore, labs: dict, *, jobs: int = 1, lab: str | None = None, learner: str | None = None,
            shard: tuple[int, int] | None = None, force: bool = False, retry_errors: bool = False,
            labs_dirs: list[Path] | None = None, timeout: float = 10.0,
            on_progress: Callable[[Progress], None] | None = None) -> Summary:
    """Regrade what is pending in ``store`` with ``labs`` (lab id → Lab, the class's definitions)."""
    from ..grader import grader_version

    version = grader_version()
    hashes = {lab_id: definition.content_hash() for lab_id, definition in labs.items()}
    todo = store.pending(hashes, version, lab=lab, learner=learner, shard=shard, force=force,
                         retry_errors=retry_errors)
    summary = Summary(pending=len(todo))
    started = time.monotonic()
    if not todo:
        return summary
    grader = grader_name()
    workers: list[_Worker] = []
    selector = selectors.DefaultSelector()
    scratch = Path(tempfile.mkdtemp(prefix="gailab-regrade-", dir=scratch_root()))  # jobs and homes; all removed
    queue = list(todo)
    number = 0
    held: set[tuple[int, str]] = set()  # claims taken and not yet turned into results

    def report(last: str) -> None:
        if on_progress:
            on_progress(Progress(summary.stored + summary.skipped, summary.pending, summary.passed, summary.failed,
                                 summary.errors, time.monotonic() - started, last))

    def finish(worker: _Worker, outcome: dict) -> None:
        pending, key, path = worker.job
        worker.job = None
        path.unlink(missing_ok=True)
        held.discard((pending.submission_id, key))
        result = Outcome(**{k: v for k, v in outcome.items() if k in Outcome.__dataclass_fields__})
        if store.record_result(pending.submission_id, key, result, grader, version) is None:
            summary.skipped += 1
        else:
            summary.stored += 1
            if result.status == "passed":
                summary.passed += 1
            elif result.status == "failed":
                summary.failed += 1
            else:
                summary.errors += 1
            if result.replay_ms:
                summary.replay_ms.append(result.replay_ms)
                summary.grade_ms.append(result.grade_ms)
        report(f"{pending.learner_id} {pending.lab_id}: {result.status} {result.total}/{result.maximum}")

    def spawn() -> _Worker:
        worker = _Worker(labs_dirs or [], timeout, scratch)
        selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
        workers.append(worker)
        return worker

    def retire(worker: _Worker, why: str) -> None:
        selector.unregister(worker.proc.stdout)
        workers.remove(worker)
        tail = worker.stderr_tail()
        worker.stop()
        if worker.job is not None:
            finish(worker, {"status": "error", "detail": {"error": why + (f": {tail}" if tail else "")}})

    def feed(worker: _Worker) -> None:
        nonlocal number
        while queue:
            pending = queue.pop(0)
            key = pending.grading_key
            if not store.claim(pending.submission_id, key, grader):
                summary.skipped += 1
                report(f"{pending.learner_id} {pending.lab_id}: taken by another grader")
                continue
            held.add((pending.submission_id, key))
            number += 1
            path = scratch / f"{number}.zip"
            path.write_bytes(store.submission_content(pending.submission_id))
            worker.send(number, pending, key, hashes[pending.lab_id], path)
            return

    try:
        for _ in range(max(1, min(jobs, len(queue)))):
            feed(spawn())
        while any(w.job is not None for w in workers):
            # Wait no longer than the nearest deadline, and enforce deadlines before reading: an answer that comes
            # after its job's deadline is a timeout, however the wake-ups fall.
            now = time.monotonic()
            ready = selector.select(timeout=max(0.0, min([1.0] + [w.deadline - now for w in workers if w.job])))
            for worker in list(workers):
                if worker.job is not None and time.monotonic() > worker.deadline:
                    retire(worker, f"the regrade did not finish within {JOB_TIMEOUT:g} s")
                    if queue:
                        feed(spawn())
            for selected, _ in ready:
                worker = selected.data
                if worker not in workers:  # retired just now
                    continue
                chunk = os.read(worker.proc.stdout.fileno(), 1 << 16).decode("utf-8", "replace")
                if not chunk:
                    retire(worker, f"the regrade worker stopped (exit code {worker.proc.poll()})")
                    if queue:
                        feed(spawn())
                    continue
                worker.buffer += chunk
                while "\n" in worker.buffer and worker.job is not None:
                    line, worker.buffer = worker.buffer.split("\n", 1)
                    finish(worker, json.loads(line)["outcome"])
                    feed(worker)
    except KeyboardInterrupt:
        summary.interrupted = True
        for worker in workers:
            worker.job = None
        for submission_id, key in held:  # what was in flight goes back to the queue of the next run
            store.release(submission_id, key, grader)
    finally:
        for worker in list(workers):
            worker.stop()
        selector.close()
        shutil.rmtree(scratch, ignore_errors=True)  # also the homes of a worker that was killed mid-regrade
        summary.seconds = time.monotonic() - started
    return summary
