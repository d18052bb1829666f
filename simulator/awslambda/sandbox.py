"""Containment of a Lambda execution environment, with what the platform offers without privileges.

Standard library only (the worker imports it by path, before anything else, while it is still one thread).
The server passes the plan in ``GAILAB_SANDBOX`` (JSON); :func:`start` runs in the worker process as it starts
and returns the process that goes on to serve invocations; :func:`enter_function` runs when the environment is
initialised for one function, before its code is imported, and locks the process down.

Linux, with user namespaces (or as root): ``server → launcher → init (pid 1) → worker``.

* **launcher** stays outside: it watches the server (exits, killing everything, when the server is gone), opens
  connections to the local cloud for the sandbox (network namespace: the handler's ``127.0.0.1:<port>`` is a
  forwarder in *init*), and exits with the worker's own status, so the server sees a segfault as a segfault.
* **init** is pid 1 of a new PID namespace: it reaps orphans and forwards connections; when it ends, the kernel
  kills everything in the namespace, so no process outlives its environment.
* **worker** runs the handler in a new mount namespace: a fresh root with the system, Python and its packages
  read-only, the function's code at ``/var/task`` (read-only), layers under ``/opt``, its own ``/tmp`` (a tmpfs of
  ``EphemeralStorage`` MB) and ``/proc`` of its own PID namespace: the home folder (journal, store, ``serve.json``,
  the admin token), other functions' code and the server's processes are not there. Then it gives up every
  capability (as root: it becomes an unprivileged user), sets no_new_privs, enters a Landlock domain (no writes
  outside ``/tmp``; TCP only to the cloud's port, no listening; no signals out of the domain) and a seccomp
  filter (no ptrace, no new namespaces or mounts, no kernel keyring, BPF, perf or module calls).

Linux without user namespaces: ``server → launcher → worker`` with Landlock (files, TCP, signal scoping where the
kernel has them), seccomp, PR_SET_DUMPABLE, a child subreaper and RLIMITs; ``/tmp`` is a per-environment folder
(``TMPDIR``). macOS and others: RLIMITs and the process group only; the supervisor restarts a killed server.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import select
import signal
import socket
import struct
import sys

# -- syscalls ----------------------------------------------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 38, 36
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2

# Newer syscalls have one number on every architecture (asm-generic).
_COMMON = {
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "pidfd_getfd": 438,
    "clone3": 435,
    "landlock_create_ruleset": 444,
    "landlock_add_rule": 445,
    "landlock_restrict_self": 446,
}
_NR = {  # the syscalls the seccomp filter refuses, and the ones we call by number
    "x86_64": {
        "unshare": 272,
        "setns": 308,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "ptrace": 101,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "kexec_load": 246,
        "kexec_file_load": 320,
        "init_module": 175,
        "finit_module": 313,
        "delete_module": 176,
        "bpf": 321,
        "perf_event_open": 298,
        "userfaultfd": 323,
        "keyctl": 250,
        "add_key": 248,
        "request_key": 249,
        "open_by_handle_at": 304,
        "name_to_handle_at": 303,
        "iopl": 172,
        "ioperm": 173,
        "reboot": 169,
        "swapon": 167,
        "swapoff": 168,
        "acct": 163,
        "chroot": 161,
        "clone": 56,
        "seccomp": 317,
        "capset": 126,
    },
    "aarch64": {
        "unshare": 97,
        "setns": 268,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "ptrace": 117,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "kexec_load": 104,
        "kexec_file_load": 294,
        "init_module": 105,
        "finit_module": 273,
        "delete_module": 106,
        "bpf": 280,
        "perf_event_open": 241,
        "userfaultfd": 282,
        "keyctl": 219,
        "add_key": 217,
        "request_key": 218,
        "open_by_handle_at": 265,
        "name_to_handle_at": 264,
        "reboot": 142,
        "swapon": 224,
        "swapoff": 225,
        "acct": 89,
        "chroot": 51,
        "clone": 220,
        "seccomp": 277,
        "capset": 91,
    },
}
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_ARCH = platform.machine() if platform.machine() in _NR else None


class SandboxError(OSError):
    pass


def _check(result: int, what: str) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise SandboxError(err, f"{what}: {os.strerror(err)}")
    return result


def _syscall(name: str, *args) -> int:
    assert _libc is not None and _ARCH is not None
    return _libc.syscall(_NR[_ARCH].get(name) or _COMMON[name], *args)


def _prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    assert _libc is not None
    return _libc.prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4), ctypes.c_ulong(arg5))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    assert _libc is not None
    result = _libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(result, f"mount {source or fstype} on {target}")


def _umount(target: str) -> None:
    assert _libc is not None
    _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


# -- what this kernel allows -----------------------------------------------------------------------------------------
def landlock_abi() -> int:
    """Landlock's ABI version (0: not available)."""
    if _libc is None or _ARCH is None:
        return 0
    version = _syscall("landlock_create_ruleset", None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(0, version)


def probe() -> dict:
    """What containment this machine offers (for the docs table and ``/_gailab/lambda``)."""
    info = {
        "platform": sys.platform,
        "arch": platform.machine(),
        "root": hasattr(os, "geteuid") and os.geteuid() == 0,
        "landlock": landlock_abi(),
        "seccomp": _ARCH is not None,
        "namespaces": False,
    }
    if _libc is None:
        return info
    pid = os.fork()
    if pid == 0:  # try in a child: unshare changes the caller for good
        try:
            flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET
            if os.geteuid() != 0:
                flags |= CLONE_NEWUSER
            os._exit(0 if _libc.unshare(flags) == 0 else 1)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    info["namespaces"] = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return info


# -- the plan ------------------------------------------------------------------------------------------------------------
class Plan:
    """What the server asks for (``GAILAB_SANDBOX``)."""

    def __init__(self, data: dict):
        self.mode = data.get("mode", "none")  # namespaces | landlock | none
        self.port = int(data.get("port") or 0)
        self.host = data.get("host", "127.0.0.1")
        self.readable = [p for p in data.get("readable", []) if os.path.isdir(p)]
        self.hidden = list(data.get("hidden", []))
        self.stage = data.get("stage")  # the server's lambda folder (code and layers of every function)
        self.uid = int(data.get("uid", 65534))
        self.gid = int(data.get("gid", 65534))
        self.tmp_root = data.get("tmp_root")  # landlock mode: per-environment /tmp folders live here

    @classmethod
    def from_env(cls) -> "Plan":
        raw = os.environ.pop("GAILAB_SANDBOX", "")
        return cls(json.loads(raw)) if raw else cls({})


# -- start: launcher, init, worker --------------------------------------------------------------------------------------
def start(plan: Plan) -> "Box":
    """Called first thing in the worker process. Returns in the process that serves invocations."""
    if plan.mode == "none" or _libc is None:
        return Box(plan, "none")
    ctl_launcher, ctl_init = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    namespaces = plan.mode == "namespaces"
    if namespaces:
        try:
            _new_user_and_pid_namespaces()  # the launcher keeps the host's network: it opens connections there
        except SandboxError:
            namespaces = False  # fall back to Landlock only
    child = os.fork()
    if child:
        ctl_init.close()
        _launcher(child, ctl_launcher, plan)  # never returns
    ctl_launcher.close()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the launcher's one thread: dies with it
    if namespaces:
        assert _libc is not None
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        worker = os.fork()
        if worker:
            _init(worker, ctl_init, plan)  # never returns
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        ctl_init.close()
        box = Box(plan, "namespaces")
        box.build_root()
        return box
    ctl_init.close()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of the handler come back to us (and are killed with us)
    return Box(plan, "landlock")


def _new_user_and_pid_namespaces() -> None:
    """A user namespace (unless root) and a PID namespace for the children to come; the rest is init's."""
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWPID
    if uid != 0:
        flags |= CLONE_NEWUSER
    assert _libc is not None
    _check(_libc.unshare(flags), "unshare")
    if uid != 0:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")


def _launcher(child: int, ctl: socket.socket, plan: Plan) -> None:
    """Outside every namespace: connect the sandbox to the cloud, watch the server, pass on the exit status."""
    try:
        server = os.getppid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        _close_except({ctl.fileno(), devnull})
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        status: int | None = None
        while True:
            try:
                pid, raw = os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                pid, raw = child, 0
            if pid == child:
                ctl.setblocking(False)
                try:  # init reports the worker's status just before it exits
                    data = ctl.recv(5)
                    if data[:1] == b"X" and len(data) == 5:
                        status = struct.unpack("!i", data[1:])[0]
                except OSError:
                    pass
                status = raw if status is None else status
                break
            if os.getppid() != server:  # the server is gone (even by SIGKILL): so is everything of ours
                os.kill(child, signal.SIGKILL)
                os._exit(1)
            ready, _, _ = select.select([ctl], [], [], 0.25)
            if ready:
                data = ctl.recv(5)
                if not data:
                    continue
                if data[:1] == b"C":  # a connection to the cloud, please
                    try:
                        conn = socket.create_connection((plan.host, plan.port), timeout=5)
                        socket.send_fds(ctl, [b"+"], [conn.fileno()])
                        conn.close()
                    except OSError:
                        ctl.sendall(b"-")
                elif data[:1] == b"X" and len(data) == 5:  # the worker's wait status, from init
                    status = struct.unpack("!i", data[1:])[0]
        _exit_like(status)
    except BaseException:
        os._exit(1)


def _exit_like(status: int) -> None:
    """End this process the way the worker ended (a signal as that signal), so the server reads AWS's reason."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ValueError, OSError, ImportError):
            pass
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _close_except(keep: set[int]) -> None:
    for entry in os.listdir("/proc/self/fd"):
        fd = int(entry)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _init(worker: int, ctl: socket.socket, plan: Plan) -> None:
    """pid 1 of the sandbox: reap, forward connections to the cloud, report the worker's end to the launcher."""
    try:
        _prctl(PR_SET_DUMPABLE, 0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        _close_except({ctl.fileno(), devnull})
        _loopback_up()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", plan.port))
        listener.listen(64)
        _Forwarder(listener, ctl, worker).run()
    except BaseException:
        pass
    os._exit(1)


def _loopback_up() -> None:
    """``ip link set lo up`` in the new network namespace."""
    import fcntl

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH14s", b"lo", flags | 0x1, b""))  # SIOCSIFFLAGS, IFF_UP
    finally:
        sock.close()


class _Forwarder:
    """init's loop: accept on the sandbox's 127.0.0.1:<port>, splice each connection to one the launcher opened."""

    def __init__(self, listener: socket.socket, ctl: socket.socket, worker: int):
        self.listener, self.ctl, self.worker = listener, ctl, worker
        self.waiting: list[socket.socket] = []  # inner connections waiting for their outer one
        self.peer: dict[int, socket.socket] = {}
        self.sockets: dict[int, socket.socket] = {}
        self.pending: dict[int, bytes] = {}

    def run(self) -> None:
        import selectors

        sel = self.sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ, "accept")
        sel.register(self.ctl, selectors.EVENT_READ, "ctl")
        while True:
            self._reap()
            for key, _ in sel.select(0.2):
                if key.data == "accept":
                    self._accept()
                elif key.data == "ctl":
                    self._outer()
                else:
                    self._pump(key.fileobj)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.worker:
                try:
                    self.ctl.sendall(b"X" + struct.pack("!i", status))
                except OSError:
                    pass
                os._exit(0)

    def _accept(self) -> None:
        try:
            inner, _ = self.listener.accept()
        except OSError:
            return
        self.waiting.append(inner)
        self.ctl.sendall(b"C")

    def _outer(self) -> None:
        import selectors

        try:
            msg, fds, _, _ = socket.recv_fds(self.ctl, 1, 1)
        except OSError:
            os._exit(1)
        if not msg:
            os._exit(1)
        inner = self.waiting.pop(0) if self.waiting else None
        if inner is None:
            for fd in fds:
                os.close(fd)
            return
        if msg != b"+" or not fds:
            inner.close()
            return
        outer = socket.socket(fileno=fds[0])
        for sock in (inner, outer):
            sock.setblocking(False)
            self.sockets[sock.fileno()] = sock
            self.sel.register(sock, selectors.EVENT_READ, "data")
        self.peer[inner.fileno()] = outer
        self.peer[outer.fileno()] = inner

    def _pump(self, sock: socket.socket) -> None:
        other = self.peer.get(sock.fileno())
        try:
            data = sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data or other is None:
            self._close(sock)
            return
        try:
            other.setblocking(True)
            other.sendall(data)
            other.setblocking(False)
        except OSError:
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        for one in (sock, self.peer.get(sock.fileno())):
            if one is None:
                continue
            fd = one.fileno()
            if fd < 0:
                continue
            try:
                self.sel.unregister(one)
            except (KeyError, ValueError):
                pass
            self.peer.pop(fd, None)
            self.sockets.pop(fd, None)
            one.close()


# -- the worker's side ---------------------------------------------------------------------------------------------------
SYSTEM_DIRS = ("/usr", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin")
NEW_ROOT = "/tmp/root"  # on our own tmpfs over /tmp, in our own mount namespace


def _in_tmp(path: str) -> bool:
    """Whether ``path`` lies below /tmp, which the sandbox replaces with a tmpfs of its own."""
    return path.startswith("/tmp/")


class Box:
    """The worker's containment: its root (namespaces) and what :meth:`enter_function` locks down."""

    def __init__(self, plan: Plan, mode: str):
        self.plan = plan
        self.mode = mode
        self.task_root: str | None = None

    # namespaces: a fresh root, before boto3 is imported (the spare worker does this ahead of need)
    def build_root(self) -> None:
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        # What the new root shows, opened now: the root is built on a tmpfs over /tmp, which hides the host's.
        sources: list[tuple[str, int]] = []
        system = [d for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
        wanted = system + [
            p
            for p in sorted(set(self.plan.readable))
            if not any(p == d or p.startswith(d.rstrip("/") + "/") for d in system)
        ]
        for path in wanted:
            sources.append((path, os.open(path, os.O_PATH | os.O_CLOEXEC)))
        # A Python installed under /tmp (a venv in a temporary checkout) is bound after the root's own /tmp is
        # mounted, which would hide it otherwise.
        in_tmp = [(path, fd) for path, fd in sources if _in_tmp(path)]
        sources = [(path, fd) for path, fd in sources if not _in_tmp(path)]
        stage = None
        if self.plan.stage and os.path.isdir(self.plan.stage):
            stage = os.open(self.plan.stage, os.O_PATH | os.O_CLOEXEC)
        links = {d: os.readlink(d) for d in SYSTEM_DIRS if os.path.islink(d)}
        devices = {
            name: os.open(f"/dev/{name}", os.O_PATH | os.O_CLOEXEC)
            for name in ("null", "zero", "full", "random", "urandom")
        }
        _mount("gailab-build", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=700")
        os.makedirs(NEW_ROOT)
        _mount("gailab-root", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
        for path, target in links.items():
            os.symlink(target, NEW_ROOT + path)
        for path, fd in sources:
            self._bind(f"/proc/self/fd/{fd}", NEW_ROOT + path)
            os.close(fd)
        if stage is not None:
            self._bind(f"/proc/self/fd/{stage}", NEW_ROOT + "/.gailab/stage")
            os.close(stage)
        for hidden in self.plan.hidden:  # a home inside a readable folder (a venv in the home...)
            if os.path.isdir(NEW_ROOT + hidden):
                _mount("hidden", NEW_ROOT + hidden, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=000")
        self._dev(devices)
        for path in ("/proc", "/tmp", "/var/task", "/opt", "/.oldroot"):
            os.makedirs(NEW_ROOT + path, exist_ok=True)
        _mount("proc", NEW_ROOT + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount("gailab-tmp", NEW_ROOT + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777")
        for path, fd in in_tmp:
            self._bind(f"/proc/self/fd/{fd}", NEW_ROOT + path)
            os.close(fd)
        assert _libc is not None
        os.chdir(NEW_ROOT)
        _check(_syscall("pivot_root", b".", b".oldroot"), "pivot_root")
        os.chdir("/")
        _umount("/.oldroot")
        os.rmdir("/.oldroot")

    @staticmethod
    def _bind(source: str, target: str) -> None:
        if os.path.isdir(source):  # (a /proc/self/fd link follows to what it names)
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _mount(source, target, None, MS_BIND | MS_REC)
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)

    def _dev(self, devices: dict[str, int]) -> None:
        dev = NEW_ROOT + "/dev"
        os.makedirs(dev, exist_ok=True)
        _mount("gailab-dev", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
        for name, fd in devices.items():
            open(f"{dev}/{name}", "a").close()
            _mount(f"/proc/self/fd/{fd}", f"{dev}/{name}", None, MS_BIND)
            os.close(fd)
        os.makedirs(dev + "/shm")
        _mount("gailab-shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
        for name, target in (
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ):
            os.symlink(target, f"{dev}/{name}")

    # every mode: what one function's environment may see and do, then locked
    def enter_function(self, code: str, layers: list[str], tmp_mb: int) -> dict:
        """Mount (or allow) the function's code, layers and /tmp, then drop every privilege. Returns the paths the
        worker uses: ``task_root``, ``layers`` (their new paths) and ``tmp``."""
        if self.mode == "namespaces":
            self.task_root = "/var/task"
            stage = "/.gailab/stage"
            self._bind(stage + "/" + code, "/var/task")
            mounted = []
            for index, layer in enumerate(layers):
                target = f"/opt/layer-{index + 1}" if len(layers) > 1 else "/opt"
                self._bind(stage + "/" + layer, target)
                mounted.append(target)
            _umount(stage)
            # The function's own /tmp; a Python under /tmp (see build_root) stays visible, read-only, on top of it.
            keep = [
                (path, os.open(path, os.O_PATH | os.O_CLOEXEC))
                for path in sorted(set(self.plan.readable))
                if _in_tmp(path) and os.path.isdir(path)
            ]
            _mount("gailab-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={max(1, tmp_mb)}m,mode=1777")
            for path, fd in keep:
                self._bind(f"/proc/self/fd/{fd}", path)
                os.close(fd)
            paths = {"task_root": "/var/task", "layers": mounted, "tmp": "/tmp"}
            self._drop_privileges()
            self._landlock(writable=["/tmp", "/dev"], readable=["/"])
        elif self.mode == "landlock":
            stage = self.plan.stage or ""
            tmp = os.path.join(self.plan.tmp_root or "/tmp", f"env-{os.getpid()}")
            os.makedirs(tmp, mode=0o700, exist_ok=True)
            paths = {
                "task_root": os.path.join(stage, code),
                "layers": [os.path.join(stage, layer) for layer in layers],
                "tmp": tmp,
            }
            self._drop_privileges()
            readable = [d for d in SYSTEM_DIRS if os.path.isdir(d)] + self.plan.readable + [paths["task_root"]]
            self._landlock(writable=[tmp, "/dev/null", "/dev/shm"], readable=readable + paths["layers"] + ["/proc"])
        else:
            return {"task_root": None, "layers": None, "tmp": None}
        self._seccomp()
        return paths

    def _drop_privileges(self) -> None:
        _prctl(PR_SET_DUMPABLE, 0)
        for cap in range(64):  # the bounding set first (it needs CAP_SETPCAP), so no exec gets one back
            if _prctl(PR_CAPBSET_DROP, cap) != 0 and ctypes.get_errno() == errno.EINVAL:
                break
        if os.geteuid() == 0 and self.mode == "namespaces" and not _in_user_namespace():
            # Real root in namespaces of its own: become an unprivileged user of our own (RLIMIT_NPROC binds it).
            os.setgroups([])
            os.setresgid(self.plan.gid, self.plan.gid, self.plan.gid)
            os.setresuid(self.plan.uid, self.plan.uid, self.plan.uid)
        header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = ctypes.create_string_buffer(24)  # two zeroed __user_cap_data_struct: no capability at all
        _syscall("capset", ctypes.c_char_p(header), data)
        _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")

    def _landlock(self, writable: list[str], readable: list[str]) -> None:
        abi = landlock_abi()
        if abi <= 0:
            return
        read = 1 | 4 | 8  # EXECUTE, READ_FILE, READ_DIR
        write_bits = 2 | 16 | 32 | 128 | 256 | 512 | 1024 | 4096 | 64 | 2048  # write, remove, make *
        if abi >= 2:
            write_bits |= 8192  # REFER
        if abi >= 3:
            write_bits |= 16384  # TRUNCATE
        fs_handled = read | write_bits
        if abi >= 5:
            fs_handled |= 32768  # IOCTL_DEV: handled, granted on /dev (terminals, /dev/null)
        net_handled = 1 | 2 if abi >= 4 else 0  # BIND_TCP, CONNECT_TCP
        scoped = 1 | 2 if abi >= 6 else 0  # abstract unix sockets, signals
        attr = struct.pack("=QQQ", fs_handled, net_handled, scoped)
        size = 8 if abi < 4 else (16 if abi < 6 else 24)
        buf = ctypes.create_string_buffer(attr[:size], size)
        ruleset = _check(
            _syscall("landlock_create_ruleset", buf, ctypes.c_size_t(size), ctypes.c_uint32(0)),
            "landlock_create_ruleset",
        )
        try:
            for path, access in [(p, read) for p in readable] + [
                (p, read | write_bits | (fs_handled & 32768)) for p in writable
            ]:
                if not os.path.exists(path):
                    continue
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                try:
                    if not os.path.isdir(path):  # a file: only the file rights apply
                        access &= 1 | 2 | 4 | 16384 | 32768
                    rule = ctypes.create_string_buffer(struct.pack("=Qi", access & fs_handled, fd), 12)
                    _check(_syscall("landlock_add_rule", ruleset, 1, rule, 0), f"landlock rule {path}")
                finally:
                    os.close(fd)
            if net_handled and self.plan.port:
                rule = ctypes.create_string_buffer(struct.pack("=QQ", 2, self.plan.port), 16)  # CONNECT to the cloud
                _check(_syscall("landlock_add_rule", ruleset, 2, rule, 0), "landlock net rule")
            _check(_syscall("landlock_restrict_self", ruleset, 0), "landlock_restrict_self")
        finally:
            os.close(ruleset)

    def _seccomp(self) -> None:
        if _ARCH is None:
            return
        numbers = {**_COMMON, **_NR[_ARCH]}
        denied = [
            "unshare",
            "setns",
            "mount",
            "umount2",
            "pivot_root",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "keyctl",
            "add_key",
            "request_key",
            "open_by_handle_at",
            "name_to_handle_at",
            "reboot",
            "swapon",
            "swapoff",
            "acct",
            "chroot",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
            "pidfd_getfd",
        ]
        if _ARCH == "x86_64":
            denied += ["iopl", "ioperm"]
        ld_w_abs, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
        allow, eperm, enosys = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
        kill = 0x80000000  # SECCOMP_RET_KILL_PROCESS: a foreign architecture's calls
        prog = [(ld_w_abs, 0, 0, 4), (jeq, 1, 0, _AUDIT_ARCH[_ARCH]), (ret, 0, 0, kill), (ld_w_abs, 0, 0, 0)]
        if _ARCH == "x86_64":
            prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # the x32 ABI
        for name in denied:
            prog += [(jeq, 0, 1, numbers[name]), (ret, 0, 0, eperm)]
        prog += [(jeq, 0, 1, numbers["clone3"]), (ret, 0, 0, enosys)]  # libc falls back to clone, which we read
        namespaces = (
            CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | 0x02000080
        )
        prog += [(jeq, 0, 3, numbers["clone"]), (ld_w_abs, 0, 0, 16), (jset, 0, 1, namespaces), (ret, 0, 0, eperm)]
        prog += [(ret, 0, 0, allow)]
        raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
        filters = ctypes.create_string_buffer(raw, len(raw))
        fprog = struct.pack("=HxxxxxxQ", len(prog), ctypes.addressof(filters))
        fprog_buf = ctypes.create_string_buffer(fprog, len(fprog))
        # SECCOMP_SET_MODE_FILTER with TSYNC: every thread of the worker gets it.
        _check(_syscall("seccomp", 1, 1, fprog_buf), "seccomp")


def _in_user_namespace() -> bool:
    try:
        with open("/proc/self/uid_map") as f:
            return f.read().split() != ["0", "0", "4294967295"]
    except OSError:
        return False
