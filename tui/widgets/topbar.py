"""The one-line bar at the top of every screen: where you are on the left, the cloud's state on the right."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..i18n import follow_language, t

_STATE = {"starting": ("◌", "cloud.starting", "-starting"), "ready": ("●", "cloud.ready", "-ready"),
          "down": ("●", "cloud.down", "-down")}


class CloudStatus(Static):
    """● cloud ready / ◌ cloud starting… / ● cloud down (the reason is in the tooltip and a notification)."""

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)
        self.watch(self.app, "cloud_state", self._update)
        self.watch(self.app, "cloud_reason", self._update)

    def _update(self, *_):
        state = self.app.cloud_state
        icon, key, cls = _STATE.get(state, _STATE["down"])
        self.set_classes(cls)
        self.update(f"{icon} {t(key)}")
        self.tooltip = self.app.cloud_reason or None

    def apply_language(self) -> None:
        self._update()


class TopBar(Horizontal):
    def __init__(self, left: str = "", middle: str = "", **kwargs):
        super().__init__(**kwargs)
        self._left = left
        self._middle = middle

    def compose(self) -> ComposeResult:
        yield Static(self._left, id="topbar-left", markup=False)
        yield Static(self._middle, id="topbar-middle", markup=False)
        yield CloudStatus(id="cloud-status")

    def set_left(self, text: str | Text) -> None:
        self.query_one("#topbar-left", Static).update(text)

    def set_middle(self, text: str | Text) -> None:
        self.query_one("#topbar-middle", Static).update(text)
