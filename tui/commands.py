"""The command palette's one provider: every action of the app, Textual's own (theme, quit, screenshot,
maximize) included, in the current language; a search that finds nothing says so in that language too."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .i18n import t


class GailabCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        screen = self.screen  # the screen under the palette
        lab_screen = getattr(screen, "is_lab_screen", False)
        items: list[tuple[str, object, str]] = []

        def screen_action(name: str):
            return partial(screen.run_action, name)

        if lab_screen:
            items += [
                (t("cmd.check"), screen_action("check"), "ctrl+k"),
                (t("cmd.hint"), screen_action("hint"), "f4"),
                (t("cmd.solve"), screen_action("solve"), ""),
                (t("cmd.reset"), screen_action("reset"), ""),
                (t("cmd.new_file"), screen_action("new_file"), ""),
                (t("cmd.layout"), screen_action("toggle_layout"), "f2"),
                (t("cmd.watch"), screen_action("toggle_watch"), ""),
                (t("cmd.catalog"), screen_action("back"), "esc"),
            ]
            if screen.lab.deploy:
                items.append((t("cmd.deploy"), screen_action("deploy"), "ctrl+d"))
            for tab in screen.tab_ids():
                items.append((t("cmd.tab", tab=t(f"lab.tab.{tab}")), partial(screen.show_tab, tab), ""))
        for lab in app.labs:
            items.append((t("cmd.open", title=lab.title(app.lang)), partial(app.open_lab, lab.id), lab.id))
        items += [
            (t("cmd.language"), app.action_toggle_language, "ctrl+l"),
            (t("cmd.latency"), app.action_toggle_latency, ""),
            (t("cmd.exports"), app.action_copy_exports, ""),
            (t("cmd.help"), app.action_help, "f1"),
            (t("cmd.restart_cloud"), app.action_restart_cloud, "ctrl+r"),
            (t("cmd.theme"), app.action_change_theme, ""),
        ]
        if screen.maximized is not None:
            items.append((t("cmd.minimize"), screen.action_minimize, ""))
        elif screen.focused is not None and screen.focused.allow_maximize:
            items.append((t("cmd.maximize"), screen.action_maximize, ""))
        items += [
            (t("cmd.screenshot"), lambda: app.set_timer(0.1, app.take_screenshot), ""),
            (t("cmd.quit"), app.action_quit, "ctrl+q"),
        ]
        return items

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for name, callback, help_text in self._commands():
            score = max(matcher.match(name), matcher.match(help_text) if help_text else 0)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(name), callback, help=help_text or None)
        if not found and query.strip():
            yield Hit(0.0001, t("cmd.no_match", query=query.strip()), lambda: None)
