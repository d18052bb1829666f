"""``gailab --class DB``: the app for instructors, on a class store (no local cloud is started)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from . import i18n
from .i18n import t


class ClassApp(App):
    """The class screen as an app. ``store`` is an open :class:`~gailab.labs.classroom.classstore.ClassStore`."""

    TITLE = "gailab"
    CSS_PATH = str(Path(__file__).with_name("gailab.tcss"))
    BINDINGS = [
        Binding("ctrl+l", "toggle_language", "language", id="language"),
        Binding("ctrl+q", "quit", "quit", id="quit", priority=True),
    ]

    def __init__(self, store, lang: str | None = None):
        super().__init__()
        self.store = store
        i18n.set_lang(i18n.detect(lang))

    def on_mount(self) -> None:
        from .app import localize_bindings
        from .screens.classroom import ClassScreen

        localize_bindings(self)
        self.push_screen(ClassScreen(self.store))

    def action_toggle_language(self) -> None:
        from .app import localize_screen

        i18n.set_lang("pt-BR" if i18n.get_lang() == "en" else "en")
        for screen in self.screen_stack:
            localize_screen(screen)
            if hasattr(screen, "apply_language"):
                screen.apply_language()
            screen.refresh_bindings()
        self.notify(t("lang.switched"), timeout=3)


def run_class_app(store, lang: str | None = None) -> int:
    app = ClassApp(store, lang=lang)
    app.run()
    return int(app.return_code or 0)
