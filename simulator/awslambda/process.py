"""One worker subprocess seen from the server: spawn it, talk JSON lines to it, read its output, kill it.

The worker runs in its own session so a kill takes its children (fork bombs included) with it. Its output is
read with a cap, so 10 MB of prints cost the server nothing but a pipe drain.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

WORKER_SCRIPT = str(Path(__file__).with_name("worker.py"))
#: Output kept per invocation (head); beyond it only the last TAIL bytes are kept.
LOG_HEAD = 256 * 1024
LOG_TAIL = 8 * 1024

_SIGNAL_TEXT = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGKILL: "killed",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGILL: "illegal instruction",
}


class Output:
    """An invocation's output: the first LOG_HEAD bytes and the last LOG_TAIL, with a count of what fell out."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def add(self, data: bytes) -> None:
        room = LOG_HEAD - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > LOG_TAIL:
                cut = len(self.tail) - LOG_TAIL
                self.dropped += cut
                del self.tail[:cut]

    def text(self) -> str:
        text = self.head.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[the local cloud dropped {self.dropped} bytes of output here]\n"
        return text + self.tail.decode("utf-8", "replace")


class WorkerDied(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WorkerTimeout(Exception):
    pass


_close_lock = threading.Lock()


class WorkerProcess:
    """A started worker. Not thread-safe: one invocation at a time (the pool guarantees it)."""

    def __init__(self, env: dict[str, str], cwd: str, mode: str = "none"):
        #: The sandbox mode: with one, this process is the launcher (sandbox.py), not the worker itself.
        self.mode = mode
        req_r, self._req_w = os.pipe()
        self._res_r, res_w = os.pipe()
        self.marker = b"\x1egailab-" + os.urandom(8).hex().encode() + b"\x1e"
        self.proc = subprocess.Popen(
            [sys.executable, "-E", WORKER_SCRIPT, str(req_r), str(res_w), self.marker.decode()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(req_r, res_w),
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
        os.close(req_r)
        os.close(res_w)
        self._out_fd = self.proc.stdout.fileno()
        os.set_blocking(self._out_fd, False)
        os.set_blocking(self._res_r, False)
        self._res_buf = bytearray()
        self._pending_out = bytearray()
        self.dead = False
        self.ready = False
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for the worker's "ready" (its sandbox built, boto3 imported): the platform's time, not the
        function's. Raises WorkerDied or WorkerTimeout."""
        if self.ready:
            return
        answer, _ = self.request(None, time.monotonic() + timeout)
        self.ready = bool(answer.get("ready"))

    def request(self, message: dict, deadline: float) -> tuple[dict, Output]:
        """Send one message; return the answer and the output written until the marker.

        Raises WorkerTimeout past the deadline, WorkerDied when the process ends first (with AWS's wording).
        """
        try:
            data = (json.dumps(message) + "\n").encode() if message is not None else b""
            view = memoryview(data)
            while view:
                view = view[os.write(self._req_w, view) :]
        except OSError:
            raise WorkerDied(self.exit_reason()) from None
        output = Output()
        answer, marked = None, False
        held = bytes(self._pending_out)  # output that arrived after the previous marker
        self._pending_out.clear()
        keep = len(self.marker) - 1

        def scan(chunk: bytes) -> bool:
            nonlocal held
            buf = held + chunk
            at = buf.find(self.marker)
            if at >= 0:
                output.add(buf[:at])
                self._pending_out += buf[at + len(self.marker) :]
                held = b""
                return True
            output.add(buf[:-keep] if len(buf) > keep else b"")
            held = buf[-keep:] if len(buf) > keep else buf
            return False

        marked = scan(b"")
        sel = selectors.DefaultSelector()
        sel.register(self._out_fd, selectors.EVENT_READ, "out")
        sel.register(self._res_r, selectors.EVENT_READ, "res")
        try:
            while answer is None or not marked:
                wait = deadline - time.monotonic()
                if answer is not None:
                    wait = min(wait, 2.0)  # the marker precedes the answer; never wait long for it
                if wait <= 0:
                    if answer is not None:
                        break
                    output.add(held)
                    raise WorkerTimeout(output)
                events = sel.select(wait)
                if not events and answer is not None:
                    break
                for key, _ in events:
                    if key.data == "out":
                        chunk = self._read(self._out_fd)
                        if chunk is None:
                            sel.unregister(self._out_fd)
                            output.add(held)
                            held, marked = b"", True
                        elif marked:
                            self._pending_out += chunk
                        elif chunk:
                            marked = scan(chunk)
                    else:
                        chunk = self._read(self._res_r)
                        if chunk is None:
                            if answer is None:
                                output.add(held)
                                held = b""
                                self._drain(output)
                                died = WorkerDied(self.exit_reason())
                                died.output = output  # type: ignore[attr-defined]
                                raise died
                            sel.unregister(self._res_r)
                            continue
                        self._res_buf += chunk
                        if b"\n" in self._res_buf:
                            line, _, rest = bytes(self._res_buf).partition(b"\n")
                            self._res_buf = bytearray(rest)
                            answer = json.loads(line)
        finally:
            sel.close()
        return answer, output

    def _drain(self, output: Output) -> None:
        """Read what a dead worker left in its pipe (its last words belong in the log)."""
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            chunk = self._read(self._out_fd)
            if chunk is None:
                return
            if chunk:
                at = chunk.find(self.marker)
                output.add(chunk if at < 0 else chunk[:at])
            else:
                time.sleep(0.005)

    @staticmethod
    def _read(fd: int) -> bytes | None:
        """A chunk, b"" when nothing is ready, None at end of file."""
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return b""
        except OSError:
            return None
        return data if data else None

    def exit_reason(self) -> str:
        """AWS's words for how the runtime process ended."""
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        self.dead = True
        if code is None:
            return "Runtime exited without providing a reason"
        if code < 0:
            sig = signal.Signals(-code)
            return f"Runtime exited with error: signal: {_SIGNAL_TEXT.get(sig, sig.name.lower())}"
        return f"Runtime exited with error: exit status {code}"

    def left_processes(self) -> list[int]:
        """Processes the handler left behind (background work AWS would freeze; we retire the environment).

        The tree is launcher → init → worker with namespaces, launcher → worker with Landlock, and the worker
        alone without a sandbox: anything else in it is the handler's."""
        tree = _descendants(self.pid)
        ours = {"namespaces": 2, "landlock": 1}.get(self.mode, 0)
        return tree[ours:]

    def kill(self) -> None:
        """Kill the worker and everything it started: its process group, and (without a PID namespace, whose end
        takes everything in it) each descendant that left the group."""
        self.dead = True
        stragglers = [] if self.mode == "namespaces" else _descendants(self.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in stragglers:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # Once only: a second os.close of these numbers would close whatever file reused them meanwhile (a kill
        # from a reset and another from the pool, say) - another thread's open journal file got EBADF that way.
        with _close_lock:
            fds, self._req_w, self._res_r = (self._req_w, self._res_r), -1, -1
        for fd in fds:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        try:
            self.proc.stdout.close()
        except OSError:
            pass


def _descendants(pid: int) -> list[int]:
    """Every descendant of ``pid``, parents before children (Linux /proc; empty elsewhere)."""
    found: list[int] = []
    queue = [pid]
    while queue:
        current = queue.pop(0)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
            found += children
            queue += children
    return found
