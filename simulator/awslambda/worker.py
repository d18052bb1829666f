"""The process one Lambda execution environment runs in: stdlib and boto3 only, never gailab.

Started ahead of need (boto3 already imported, so a cold start only imports the handler), then told which
function it serves. It speaks JSON lines: requests on the fd in argv[1], answers on the fd in argv[2]. The
handler's stdout/stderr are the process's, which the runtime reads as the function's log; after each phase we
write argv[3] (a marker) to stdout so the runtime knows where one invocation's output ends.
"""

import json
import os
import sys
import time
import traceback

REQ_FD, RES_FD, MARKER = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
WORKER_PID = os.getpid()
_requests = os.fdopen(REQ_FD, "rb")


def _preload():
    """Import boto3 and warm botocore's loaders, so handlers that create clients start fast."""
    try:
        import boto3

        for service in ("s3", "bedrock-runtime", "sts"):
            boto3.client(
                service,
                region_name="us-east-1",
                endpoint_url="http://127.0.0.1:9",
                aws_access_key_id="x",
                aws_secret_access_key="x",
            )
    except Exception:  # a broken boto3 is the handler's problem, reported when it imports it
        pass


def _send(payload):
    data = (json.dumps(payload) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(RES_FD, view) :]


def _mark():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os.write(1, MARKER)


def _vm_size():
    """This process's address space in bytes (Linux); 0 where /proc is missing (macOS: no RLIMIT_AS then)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_forks(limit):
    """Bound os.fork (root ignores RLIMIT_NPROC): past `limit` forks it fails as the kernel would."""
    import errno
    import mmap
    import struct

    shared = mmap.mmap(-1, 8)
    real_fork = os.fork

    def fork():
        count = struct.unpack("q", shared[:8])[0]
        if count >= limit:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        shared[:8] = struct.pack("q", count + 1)
        return real_fork()

    os.fork = fork


def _install_logging():
    """The Lambda Python runtime's root handler: ``[LEVEL]\\ttimestamp\\trequestId\\tmessage``."""
    import logging

    class Handler(logging.Handler):
        def emit(self, record):
            try:
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                stamp += ".%03dZ" % (record.msecs,)
                message = self.format(record).replace("\n", "\r")
                sys.stdout.write(f"[{record.levelname}]\t{stamp}\t{CURRENT['request_id']}\t{message}\n")
            except Exception:
                self.handleError(record)

    root = logging.getLogger()
    root.addHandler(Handler())
    root.setLevel(logging.WARNING)


CURRENT = {"request_id": ""}


class LambdaContext:
    """What AWS passes as ``context``."""

    def __init__(self, info, deadline):
        self.function_name = info["function_name"]
        self.function_version = info["function_version"]
        self.invoked_function_arn = info["invoked_function_arn"]
        self.memory_limit_in_mb = info["memory_limit_in_mb"]
        self.aws_request_id = info["aws_request_id"]
        self.log_group_name = info["log_group_name"]
        self.log_stream_name = info["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self):
        return f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name}])"


def _stack(tb):
    """The traceback without the runtime's own frames, as Lambda shows it."""
    frames = [f for f in traceback.extract_tb(tb) if f.filename != __file__]
    return traceback.format_list(frames)


def _error(exc, error_type=None, message=None, stack=None):
    return {
        "errorMessage": str(exc) if message is None else message,
        "errorType": error_type or type(exc).__name__,
        "requestId": CURRENT["request_id"],
        "stackTrace": _stack(exc.__traceback__) if stack is None else stack,
    }


def _log_error(err):
    text = f"[ERROR] {err['errorType']}: {err['errorMessage']}"
    if err.get("stackTrace"):
        text += "\nTraceback (most recent call last):\n" + "".join(err["stackTrace"])
    sys.stdout.write(text.rstrip("\n").replace("\n", "\r") + "\n")


def _load_handler(spec):
    """Import the handler as the Lambda runtime does, with its error types and messages."""
    import importlib

    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as exc:
        return None, _error(exc, "Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}", [])
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except MemoryError:
        raise
    except ImportError as exc:
        return None, _error(exc, "Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}", [])
    except SyntaxError as exc:
        where = f'  File "{exc.filename}" Line {exc.lineno}\n        {(exc.text or "").strip()}\n'
        return None, _error(exc, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {exc}", [where])
    except Exception as exc:
        return None, _error(exc)
    handler = getattr(module, fname, None)
    if handler is None:
        return None, _error(None, "Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'", [])
    return handler, None


def _init(msg):
    import resource

    paths, cwd = msg["paths"], msg["cwd"]
    if BOX is not None and BOX.mode != "none":
        # The function's code, layers and /tmp in the sandbox; then every privilege goes (sandbox.py).
        placed = BOX.enter_function(msg["code"], msg["layers"], msg.get("tmp_mb", 512))
        paths = [placed["task_root"]]
        for layer in placed["layers"]:
            paths += [layer + "/python", layer + "/python/lib/" + msg["runtime"] + "/site-packages"]
        cwd = placed["task_root"]
        msg["env"]["LAMBDA_TASK_ROOT"] = placed["task_root"]
        msg["env"]["TMPDIR"] = placed["tmp"]
    os.environ.update(msg["env"])
    time.tzset()
    for path in reversed(paths):
        sys.path.insert(0, path)
    os.chdir(cwd)
    if msg.get("nproc"):
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (msg["nproc"], msg["nproc"]))
        except (ValueError, OSError):
            pass
    if msg.get("nproc_forks"):
        _limit_forks(msg["nproc_forks"])
    baseline = _vm_size()
    if msg.get("memory_bytes") and baseline:
        limit = baseline + msg["memory_bytes"]
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    started = time.perf_counter()
    CURRENT["request_id"] = ""
    handler, err = _load_handler(msg["handler"])
    if err is not None:
        _log_error(err)
    init_ms = (time.perf_counter() - started) * 1000
    return handler, err, init_ms


def _max_rss_mb():
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // (1024 * 1024) if sys.platform == "darwin" else peak // 1024  # bytes on macOS, KiB on Linux


def _to_json(result):
    try:
        return json.dumps(result), None
    except (TypeError, ValueError) as exc:
        return None, _error(exc, "Runtime.MarshalError", f"Unable to marshal response: {exc}", [])


def _out_of_memory():
    _send({"oom": True})
    _mark()
    os._exit(137)


def _exit_with_server():
    """A worker whose server died (even by SIGKILL) ends too, whatever its handler is doing."""
    import threading

    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="gailab-watchdog", daemon=True).start()


BOX = None


def _contain():
    """Enter the sandbox the server planned (GAILAB_SANDBOX) before anything else runs; see sandbox.py."""
    global BOX, WORKER_PID
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_gailab_sandbox", os.path.join(here, "sandbox.py"))
    sandbox = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sandbox)
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]  # handlers must not import the runtime's own modules by name
    BOX = sandbox.start(sandbox.Plan.from_env())
    WORKER_PID = os.getpid()  # the process that serves (the sandbox forked it)


def main():
    _contain()
    if BOX.mode == "none":
        _exit_with_server()  # otherwise the launcher watches the server and takes us with it
    _preload()
    _mark()
    _send({"ready": True})  # the environment is up: the function's own time starts with its init
    sys.stdout.reconfigure(line_buffering=True)
    _install_logging()
    handler = None
    for line in _requests:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg["op"] == "init":
            try:
                handler, err, init_ms = _init(msg)
            except MemoryError:
                _out_of_memory()
            _mark()
            _send({"init_ms": init_ms, "error": err, "max_memory_mb": _max_rss_mb()})
        elif msg["op"] == "invoke":
            ctx_info = msg["context"]
            CURRENT["request_id"] = ctx_info["aws_request_id"]
            os.environ["_X_AMZN_TRACE_ID"] = msg.get("trace_id", "")
            context = LambdaContext(ctx_info, time.monotonic() + msg["timeout"])
            started = time.perf_counter()
            body, err = None, None
            try:
                try:
                    result = handler(json.loads(msg["event"]), context)
                finally:
                    if os.getpid() != WORKER_PID:  # a forked child left the handler: it must not answer
                        os._exit(0)
                body, err = _to_json(result)
                result = None
            except MemoryError:
                _out_of_memory()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                _mark()
                _send({"exit": code})
                os._exit(code)
            except BaseException as exc:
                err = _error(exc)
            duration = (time.perf_counter() - started) * 1000
            if err is not None:
                _log_error(err)
            _mark()
            _send({"body": body, "error": err, "duration_ms": duration, "max_memory_mb": _max_rss_mb()})


if __name__ == "__main__":
    main()
