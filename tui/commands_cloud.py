"""``gailab serve`` and ``gailab env``."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import signal
import sys
import threading
import time


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="run the local cloud in the foreground",
        description="Run the local cloud (S3, KMS, IAM, STS, Lambda, API Gateway, CloudWatch, SageMaker and the "
        "simulated Bedrock) on one loopback endpoint. State survives restarts (journal in <home>/cloud/).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4566, help="port (default 4566; 0 picks a free one)")
    serve.add_argument("--fresh", action="store_true", help="start empty (the old journal is kept aside)")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the cloud has no authentication: anyone who reaches it can use it)",
    )
    serve.add_argument(
        "--bedrock-latency",
        choices=["off", "realistic"],
        default=None,
        help="simulate each model's time to first token and tokens/s (default off)",
    )
    serve.add_argument("--no-supervisor", action="store_true",
                       help="run the cloud in this process only (by default a supervisor restarts it if it is killed)")
    serve.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    serve.add_argument("--pace", type=float, default=None, help=argparse.SUPPRESS)  # a throwaway cloud's faster waits
    serve.add_argument("--no-checkpoints", action="store_true",
                       help="replay the whole journal at start and take no checkpoints")
    serve.set_defaults(func=cmd_serve)

    env = commands.add_parser(
        "env",
        parents=[common],
        help="print the exports that point AWS tools at the local cloud",
        description="Print shell exports for AWS_ENDPOINT_URL, dummy credentials and the region. "
        'Use: eval "$(gailab env)"',
    )
    env.add_argument("--endpoint", help="the cloud's URL (default: the running one for this home, else :4566)")
    env.add_argument("--shell", choices=["sh", "fish", "powershell"], default="sh")
    env.add_argument("--lab", metavar="LAB", help="mark this shell's calls as the lab's (what the app's Terminal "
                     "does), so 'gailab lab reset LAB' also forgets their ledger records")
    env.set_defaults(func=cmd_env)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    from gailab.simulator.client import clear_state, forget_aws_settings, write_state
    from gailab.simulator.core.home import env_exports, resolve_home

    from .errors import CliError, UsageError, say
    from .i18n import number

    forget_aws_settings()  # the local cloud never reads the user's AWS profile (a missing one breaks botocore)
    if not (0 <= args.port <= 65535):
        raise UsageError("serve.bad_port", port=args.port)
    if not _is_loopback(args.host):
        if not args.allow_remote:
            raise UsageError("serve.not_loopback", host=args.host)
        print(say("warn.remote", host=args.host), file=sys.stderr)
    home = resolve_home(args.home)
    (home / "cloud").mkdir(parents=True, exist_ok=True)
    from gailab.simulator.core.home import HomeInUse, bind_listener

    if args.listen_fd is None and not args.no_supervisor:
        try:
            listener = bind_listener(args.host, args.port)
        except OSError as exc:
            raise _bind_error(exc, args) from None
        return _supervise(args, home, listener)  # (imports nothing of the cloud: it starts in its own process)
    from gailab.simulator.core.server import Cloud

    settings = {}
    if args.bedrock_latency:
        settings["bedrock_latency"] = args.bedrock_latency
    if args.pace:
        settings["pace"] = args.pace
    cloud = Cloud(home, host=args.host, port=args.port, fresh=args.fresh, verbose=args.verbose, settings=settings,
                  listen_fd=args.listen_fd, checkpoints=not args.no_checkpoints)
    started = time.perf_counter()
    try:
        cloud.start()
    except HomeInUse as exc:
        raise CliError("cloud.home_in_use", 2, detail=exc) from None
    except OSError as exc:
        raise _bind_error(exc, args) from None
    supervised = os.environ.get("GAILAB_SUPERVISED") == "1"
    write_state(home, cloud.endpoint, os.getppid() if supervised else None)  # stopping the supervisor stops all

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent() -> None:
            while not stop.wait(0.5):
                if os.getppid() != parent:
                    stop.set()

        threading.Thread(target=watch_parent, daemon=True).start()

    print(say("serve.ready", endpoint=cloud.endpoint), flush=True)
    print(say("serve.home", home=home))
    print(
        say(
            "serve.journal",
            records=cloud.replayed,
            replay=number(cloud.replay_seconds, digits=2),
            started=number(time.perf_counter() - started, digits=2),
        )
    )
    for warning in cloud.warnings:
        print(say("serve.warning", detail=warning), file=sys.stderr)
    print(say("serve.point"))
    for key, value in env_exports(cloud.endpoint).items():
        print(f"  export {key}={shlex.quote(value)}")
    print(say("serve.stop_hint"), flush=True)
    try:
        # A timed wait: a signal the kernel hands to another thread only runs its Python handler once the main
        # thread wakes, and an untimed wait may never wake.
        while not stop.wait(0.25):
            pass
    finally:
        cloud.stop()
        clear_state(home)
        print(say("serve.stopped"), flush=True)
    return 0


def _bind_error(exc: OSError, args: argparse.Namespace):
    from .errors import CliError

    if exc.errno == errno.EADDRINUSE:
        return CliError("cloud.port_in_use", 2, port=args.port, host=args.host)
    if exc.errno == errno.EADDRNOTAVAIL:
        return CliError("cloud.no_address", 2, host=args.host)
    return CliError("cloud.cannot_start", 2, detail=exc)


def _supervise(args: argparse.Namespace, home, listener) -> int:
    """Serve under the supervisor (simulator/core/supervisor.py), which keeps ``listener`` across restarts."""
    from gailab.simulator.core import supervisor

    port = listener.getsockname()[1]

    def command(restarts: int) -> list[str]:
        cmd = [sys.executable, "-m", "gailab.tui.cli", "serve", "--host", args.host, "--port", str(port),
               "--home", str(home), "--listen-fd", str(listener.fileno()), "--exit-with-parent"]
        if args.fresh and not restarts:  # a restart brings the journal back, never a fresh start
            cmd.append("--fresh")
        if args.verbose:
            cmd.append("--verbose")
        if args.allow_remote:
            cmd.append("--allow-remote")
        if args.bedrock_latency:
            cmd += ["--bedrock-latency", args.bedrock_latency]
        if args.pace:
            cmd += ["--pace", str(args.pace)]
        if args.no_checkpoints:
            cmd.append("--no-checkpoints")
        return cmd

    listener.set_inheritable(True)
    from .errors import MESSAGES
    from .i18n import get_lang

    words = {key: MESSAGES[f"supervisor.{key}"][1 if get_lang() == "pt-BR" else 0] for key in supervisor.MESSAGES}
    return supervisor.run(command, listener.fileno(), exit_with_parent=args.exit_with_parent, messages=words)


def cmd_env(args: argparse.Namespace) -> int:
    from gailab.simulator.client import find_endpoint, reachable
    from gailab.simulator.core.home import env_exports, resolve_home

    from .errors import UsageError, say

    home = resolve_home(args.home)
    try:
        endpoint = find_endpoint(home, args.endpoint, aws_endpoint=False)
    except ValueError as exc:
        raise UsageError("cloud.bad_endpoint", detail=exc) from None
    if not reachable(endpoint, timeout=1.0):
        # The exports are still printed: they are right once the cloud runs there.
        print(f"gailab: {say('env.no_cloud', endpoint=endpoint, home=home)}", file=sys.stderr)
    exports = env_exports(endpoint)
    if args.lab:
        from gailab.labs.manifest import ID_RE
        from gailab.simulator.client import lab_app_id

        if not ID_RE.match(args.lab):
            raise UsageError("env.bad_lab", lab=args.lab)
        exports["AWS_SDK_UA_APP_ID"] = lab_app_id(args.lab)
    for key, value in exports.items():
        if args.shell == "fish":
            print(f"set -gx {key} {shlex.quote(value)};")
        elif args.shell == "powershell":
            print(f"$Env:{key} = '{value}'")
        else:
            print(f"export {key}={shlex.quote(value)}")
    return 0
