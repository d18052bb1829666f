"""The gailab terminal app: it owns the local cloud's child process, the labs, the store and the language.

The cloud starts in the background (a child ``gailab serve`` on a free port, or ``GAILAB_ENDPOINT``, or an
``endpoint=`` given by tests) and the app is interactive before it is ready. The child dies with the app: it is
stopped on unmount and at exit, and the kernel's parent-death signal covers a crash. The child is spawned from the
main thread on purpose: the parent-death signal fires when the *thread* that forked exits.
"""

from __future__ import annotations

import atexit
import json
import os
from pathlib import Path

from gailab.labs.learner import default_learner
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.signal import Signal

from . import i18n
from .commands import GailabCommands
from .i18n import localize_bindings, localize_screen, t


WATCH_SECONDS = 3  # how often a cloud the app does not own is checked (and a new one for the home looked for)


class GailabApp(App):
    """The whole app. ``endpoint`` (tests) or ``GAILAB_ENDPOINT`` skips starting a cloud."""

    TITLE = "gailab"
    CSS_PATH = str(Path(__file__).with_name("gailab.tcss"))
    COMMANDS = {GailabCommands}  # Textual's own commands are in it too, in the learner's language
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "help", id="help"),
        Binding("ctrl+l", "toggle_language", "language", id="language"),
        Binding("ctrl+q", "quit", "quit", id="quit", priority=True),
        Binding("ctrl+p", "command_palette", "commands", id="commands", show=False, priority=True),
        Binding("ctrl+r", "restart_cloud", "restart cloud", id="restart_cloud", priority=True),
    ]

    cloud_state: reactive[str] = reactive("starting")
    cloud_reason: reactive[str] = reactive("")
    endpoint: reactive[str | None] = reactive(None)
    lang: reactive[str] = reactive("en")  # the learner's language; screens follow ``language_changed``

    class LabsLoaded(Message):
        def __init__(self, labs: list, error: str | None) -> None:
            super().__init__()
            self.labs = labs
            self.error = error

    class CloudChanged(Message):
        def __init__(self, state: str, endpoint: str | None, reason: str, attached: bool = False) -> None:
            super().__init__()
            self.state = state
            self.endpoint = endpoint
            self.reason = reason
            self.attached = attached

    def __init__(self, home: str | Path | None = None, lang: str | None = None, endpoint: str | None = None,
                 spawn_cloud: bool = True, labs_dirs: list[Path] | None = None):
        super().__init__()
        from gailab.simulator.core.home import resolve_home
        from gailab.simulator.core.memory import limit_malloc_arenas

        limit_malloc_arenas()  # before the app's worker threads make arenas of their own

        self.home = resolve_home(home)
        self.language_changed: Signal[str] = Signal(self, "language-changed")
        self.labs_changed: Signal[list] = Signal(self, "labs-changed")
        self.set_reactive(GailabApp.lang, i18n.detect(lang))
        self.given_endpoint = endpoint or os.environ.get("GAILAB_ENDPOINT") or None
        self.spawn_cloud = spawn_cloud
        self.labs_dirs = labs_dirs
        self.cloud_process = None
        self.attached = False  # using a cloud another gailab started for this home
        self._atexit = False
        self.labs: list = []
        self.labs_error: str | None = None
        self.learner = default_learner()
        self._store = None
        self.shell_sessions: dict = {}  # lab id -> ShellSession: the Terminal tab's state survives leaving a lab
        self.cloud_history = ["starting"]  # every state the status went through (tests and the help screen)
        self._settings_path = self.home / "tui.json"
        saved = self._load_settings()
        if saved.get("theme") in self.available_themes:
            self.theme = saved["theme"]

    # --- settings ----------------------------------------------------------------------------------------
    def _load_settings(self) -> dict:
        try:
            return json.loads(self._settings_path.read_text())
        except (OSError, ValueError):
            return {}

    def watch_theme(self, theme: str) -> None:
        try:
            self._settings_path.write_text(json.dumps({"theme": theme}))
        except OSError:
            pass

    @property
    def store(self):
        """The SQLite store (created on first use, from a worker thread)."""
        if self._store is None:
            from gailab.labs.store import Store

            self._store = Store(home=self.home)
        return self._store

    # --- the cloud: start, attach, watch, restart -----------------------------------------------------------
    def on_mount(self) -> None:
        from .screens.catalog import CatalogScreen

        localize_bindings(self)
        self.push_screen(CatalogScreen())
        # The cloud's child and the catalog's loading compete with the first frame for two busy cores (and the
        # loader for the GIL): they start once the first frame is on the terminal.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        self.load_labs()
        if self.given_endpoint:
            self.endpoint = self.given_endpoint.rstrip("/")
            self.check_cloud()
        elif self.spawn_cloud:
            self.connect_cloud()
        else:
            self.set_cloud("down", None, "no cloud configured")
        # A cloud we did not start may stop (or a new one for this home start) at any time.
        self.set_interval(WATCH_SECONDS, self._watch_tick)

    def connect_cloud(self) -> None:
        """Attach to the cloud already serving this home (another gailab, a gailab serve), else start one."""
        from gailab.simulator.client import read_state

        state = read_state(self.home)
        if state is not None:
            self.attached = True
            self.endpoint = state["endpoint"].rstrip("/")
            self.check_cloud()
            return
        self.start_cloud()

    def start_cloud(self) -> None:
        """``gailab serve`` as our child (spawned from the main thread: the parent-death signal is per thread)."""
        from gailab.simulator.core.process import CloudProcess

        self.attached = False
        self.set_cloud("starting", None, "")
        try:
            self.cloud_process = CloudProcess(self.home, port=0)
            self.cloud_process.on_restart = self._cloud_restarted  # its supervisor brought it back
            self.cloud_process.spawn()
        except OSError as exc:
            self.set_cloud("down", None, str(exc))
            return
        if not self._atexit:
            self._atexit = True
            atexit.register(self._stop_cloud)
        self.wait_for_cloud(self.cloud_process)

    def _owns_live_cloud(self) -> bool:
        proc = self.cloud_process
        return proc is not None and proc.alive()

    def _watch_tick(self) -> None:
        if not self._owns_live_cloud() and self.cloud_state != "starting":
            self.check_cloud()

    @work(thread=True, exclusive=True, group="cloud", exit_on_error=False)
    def wait_for_cloud(self, proc) -> None:
        from gailab.simulator.client import CloudUnavailable, running_endpoint

        try:
            endpoint = proc.wait_ready(timeout=60)
        except CloudUnavailable as exc:
            other = running_endpoint(self.home)  # lost a race with another gailab starting for this home
            if other:
                self.post_message(self.CloudChanged("ready", other, "", attached=True))
            else:
                self.post_message(self.CloudChanged("down", None, str(exc)))
            return
        self.post_message(self.CloudChanged("ready", endpoint, ""))
        proc.proc.wait()  # the child's life; this thread ends with it
        if proc.state != "stopped":
            self.post_message(self.CloudChanged("down", None, proc.reason or "the local cloud exited"))

    @work(thread=True, exclusive=True, group="cloud-watch", exit_on_error=False)
    def check_cloud(self) -> None:
        """Is the cloud we use alive? If not, has a cloud for this home started meanwhile?"""
        from gailab.simulator.client import CloudUnavailable, health, running_endpoint

        endpoint = self.endpoint
        try:
            if not endpoint:
                raise CloudUnavailable("no local cloud")
            health(endpoint, timeout=3)
        except CloudUnavailable as exc:
            other = None if self.given_endpoint else running_endpoint(self.home)
            if other:
                self.post_message(self.CloudChanged("ready", other, "", attached=True))
            elif self.cloud_state != "down":
                self.post_message(self.CloudChanged("down", endpoint, str(exc)))
            return
        if self.cloud_state != "ready":
            self.post_message(self.CloudChanged("ready", endpoint, ""))

    def action_restart_cloud(self) -> None:
        if self.cloud_state == "ready":
            self.notify(t("cloud.already_ready"))
            return
        if self.given_endpoint:
            self.notify(t("cloud.external", endpoint=self.given_endpoint), severity="warning", timeout=10)
            return
        if self._owns_live_cloud() or self.cloud_state == "starting":
            return
        self.notify(t("cloud.restarting"), timeout=4)
        self.start_cloud()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "restart_cloud":
            return self.cloud_state == "down"  # shown (and ctrl+r taken) only when there is something to restart
        return True

    def _cloud_restarted(self, reason: str) -> None:
        """From the cloud's output reader: say that the cloud was killed and is back (with all the work)."""
        cause = reason.rsplit(" ", 1)[-1]  # SIGKILL, or an exit code
        # the words are chosen on the app's thread: this reader thread is no worker and knows no language
        self.call_from_thread(lambda: self.notify(t("cloud.restarted", cause=cause), severity="warning", timeout=10))

    def on_gailab_app_cloud_changed(self, message: CloudChanged) -> None:
        if message.attached:
            self.attached = True
            if message.endpoint != self.endpoint:
                self.notify(t("cloud.attached", endpoint=message.endpoint), timeout=6)
        self.set_cloud(message.state, message.endpoint, message.reason)

    def set_cloud(self, state: str, endpoint: str | None, reason: str) -> None:
        if endpoint:
            self.endpoint = endpoint
        self.cloud_reason = reason
        was = self.cloud_state
        self.cloud_state = state
        if state != was:
            self.cloud_history.append(state)
        if state == "ready" and was == "down":
            self.notify(t("cloud.ready_note"), timeout=4)
        if state == "down" and was != "down":
            self.notify(t("cloud.down_restart", reason=reason), severity="error", timeout=15)
        self.refresh_bindings()

    def cloud_ready(self, warn: bool = True) -> bool:
        if self.cloud_state == "ready" and self.endpoint:
            return True
        if warn:
            key = "cloud.not_ready" if self.cloud_state == "starting" else "cloud.down_reason"
            self.notify(t(key, reason=self.cloud_reason), severity="warning")
        return False

    @work(thread=True, exclusive=True, group="labs", exit_on_error=False)
    def load_labs(self) -> None:
        try:
            from gailab.labs.catalog import load_catalog

            labs = load_catalog(self.labs_dirs)
        except Exception as exc:  # a broken catalog is shown, not raised
            self.post_message(self.LabsLoaded([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.LabsLoaded(labs, None))

    def on_gailab_app_labs_loaded(self, message: LabsLoaded) -> None:
        self.labs = message.labs
        self.labs_error = message.error
        self.labs_changed.publish(self.labs)

    def shell_session(self, lab_id: str, workspace: Path):
        """The lab's shell session (working folder, variables, history), kept while the app runs."""
        from .shell import ShellSession

        session = self.shell_sessions.get(lab_id)
        if session is None or session.workspace != Path(workspace):
            session = self.shell_sessions[lab_id] = ShellSession(workspace, lab=lab_id)
        return session

    def lab_by_id(self, lab_id: str):
        return next((lab for lab in self.labs if lab.id == lab_id), None)

    # --- stop --------------------------------------------------------------------------------------------
    def _stop_cloud(self) -> None:
        proc = self.cloud_process
        if proc is not None and proc.alive():
            proc.stop(timeout=5)

    def on_unmount(self) -> None:
        self._stop_cloud()

    # --- actions -----------------------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("palette.placeholder")))

    def search_themes(self) -> None:
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=t("palette.themes")))

    def take_screenshot(self) -> None:
        """An SVG of the screen in ``<home>/screenshots`` (Textual's own would say so in English)."""
        try:
            folder = self.home / "screenshots"
            folder.mkdir(exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(t("screenshot.saved", path=path), timeout=8)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_language(self) -> None:
        self.switch_language("pt-BR" if self.lang == "en" else "en")

    def switch_language(self, lang: str) -> None:
        self.lang = i18n.normalize(lang) or "en"

    def watch_lang(self, lang: str) -> None:
        """Every binding on every screen gets its words again; screens and widgets redraw through the signal."""
        localize_bindings(self)
        for screen in self.screen_stack:
            localize_screen(screen)
            screen.refresh_bindings()
        self.language_changed.publish(lang)
        self.notify(t("lang.switched"), timeout=3)

    def open_lab(self, lab_id: str) -> None:
        from .screens.lab import LabScreen

        lab = self.lab_by_id(lab_id)
        if lab is None:
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(LabScreen(lab))

    def action_copy_exports(self) -> None:
        if not self.cloud_ready():
            return
        from gailab.simulator.core.home import env_exports

        text = "\n".join(f"export {k}={v}" for k, v in env_exports(self.endpoint).items())
        self.copy_to_clipboard(text)
        self.notify(text, title=t("exports.copied"), timeout=12)

    def action_toggle_latency(self) -> None:
        if self.cloud_ready():
            self._toggle_latency()

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _toggle_latency(self) -> None:
        from . import cloudops

        try:
            current = cloudops.bedrock_settings(self.endpoint).get("latency", "off")
            new = "off" if current == "realistic" else "realistic"
            settings = cloudops.bedrock_settings(self.endpoint, {"latency": new})
        except Exception as exc:
            self.call_from_thread(self.notify, t("latency.failed", error=cloudops.describe_error(exc)),
                                  severity="error")
            return
        key = "latency.on" if settings.get("latency") == "realistic" else "latency.off"
        self.call_from_thread(self.notify, t(key))


def run_app(home: str | None = None, lang: str | None = None) -> int:
    """Entry point of ``gailab`` with no command."""
    app = GailabApp(home=home, lang=lang)
    try:
        app.run()
    finally:
        app._stop_cloud()
    return int(app.return_code or 0)
