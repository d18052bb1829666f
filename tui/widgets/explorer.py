"""The Explorer tab: a tree of the local cloud's resources, details of the selected one, refresh and delete."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tree

from ..i18n import follow_language, t


class ExplorerPane(Horizontal):
    BINDINGS = [
        Binding("r", "refresh", "refresh", id="refresh"),
        Binding("delete", "delete", "delete", id="delete"),
    ]

    class Listed(Message):
        def __init__(self, groups: dict[str, list | str]) -> None:
            super().__init__()
            self.groups = groups

    class Detailed(Message):
        def __init__(self, key: tuple, rows: list | None, error: str | None) -> None:
            super().__init__()
            self.key = key
            self.rows = rows
            self.error = error

    class Deleted(Message):
        def __init__(self, name: str, error: str | None) -> None:
            super().__init__()
            self.name = name
            self.error = error

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.groups: dict[str, list | str] = {}
        self.selected: tuple | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        tree: Tree = Tree(t("explorer.title"), id="explorer-tree")
        tree.show_root = False
        yield tree
        with VerticalScroll(id="explorer-details-box"):
            yield Static(t("explorer.pick"), id="explorer-details")

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)
        self._build()

    def activate(self) -> None:
        """Called when the tab is shown: list once, then on demand (r)."""
        if not self.loaded:
            self.action_refresh()

    def action_refresh(self) -> None:
        if not self.app.cloud_ready():
            return
        self.loaded = True
        self._list()

    @work(thread=True, exclusive=True, group="explorer", exit_on_error=False)
    def _list(self) -> None:
        from .. import cloudops

        groups: dict[str, list | str] = {}
        for group in cloudops.GROUPS:
            try:
                groups[group] = cloudops.list_group(self.app.endpoint, group)
            except Exception as exc:
                groups[group] = cloudops.describe_error(exc)
        self.post_message(self.Listed(groups))

    def on_explorer_pane_listed(self, message: Listed) -> None:
        self.groups = message.groups
        self._build()
        if self.selected:
            self._details(self.selected)

    def _build(self) -> None:
        from .. import cloudops

        tree = self.query_one(Tree)
        expanded = {node.data for node in tree.root.children if node.is_expanded}
        tree.clear()
        for group in cloudops.GROUPS:
            items = self.groups.get(group, [])
            count = f"  ({len(items)})" if isinstance(items, list) and items else ""
            node = tree.root.add(t(f"explorer.{group}") + count, data=group)
            if isinstance(items, str):
                node.add_leaf(t("explorer.error", error=items), data=None)
            elif not items:
                node.add_leaf(t("explorer.empty") if self.loaded else t("explorer.loading"), data=None)
            else:
                for label, kind, ident in items:
                    node.add_leaf(label, data=(kind, ident, label.strip()))
            if group in expanded or (isinstance(items, list) and items):
                node.expand()

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if isinstance(data, tuple):
            self.selected = data
            self.query_one("#explorer-details", Static).update(t("explorer.loading"))
            self._details(data)

    @work(thread=True, exclusive=True, group="explorer-details", exit_on_error=False)
    def _details(self, key: tuple) -> None:
        from .. import cloudops

        kind, ident, _ = key
        try:
            rows = cloudops.details(self.app.endpoint, kind, ident)
        except Exception as exc:
            self.post_message(self.Detailed(key, None, cloudops.describe_error(exc)))
            return
        self.post_message(self.Detailed(key, rows, None))

    def on_explorer_pane_detailed(self, message: Detailed) -> None:
        if message.key != self.selected:
            return
        box = self.query_one("#explorer-details", Static)
        if message.error:
            box.update(f"[red]{escape(message.error)}[/red]")
            return
        width = max((len(k) for k, _ in message.rows if not k.startswith("  ")), default=8)
        lines = [f"[b]{escape(message.key[2])}[/b]", ""]
        for field, value in message.rows:
            if field.startswith("  "):
                lines.append(f"  {escape(field.strip())}  [dim]{escape(value)}[/dim]")
            else:
                lines.append(f"[dim]{escape(field.ljust(width))}[/dim]  {escape(value)}")
        box.update("\n".join(lines))

    def action_delete(self) -> None:
        node = self.query_one(Tree).cursor_node
        data = node.data if node is not None else None
        if not isinstance(data, tuple):
            self.app.notify(t("explorer.cannot_delete"), severity="warning")
            return
        from ..screens.confirm import ConfirmScreen

        kind, ident, label = data

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(kind, ident, label)

        self.app.push_screen(ConfirmScreen(t("explorer.delete_confirm", kind=kind, name=label)), answered)

    @work(thread=True, exclusive=True, group="explorer-delete", exit_on_error=False)
    def _delete(self, kind: str, ident: str, label: str) -> None:
        from .. import cloudops

        try:
            cloudops.delete(self.app.endpoint, kind, ident)
        except Exception as exc:
            self.post_message(self.Deleted(label, cloudops.describe_error(exc)))
            return
        self.post_message(self.Deleted(label, None))

    def on_explorer_pane_deleted(self, message: Deleted) -> None:
        if message.error:
            self.app.notify(message.error, severity="error")
            return
        self.app.notify(t("explorer.deleted", name=message.name))
        self.selected = None
        self.query_one("#explorer-details", Static).update(t("explorer.pick"))
        self.action_refresh()

    def apply_language(self) -> None:
        self._build()
        if self.selected is None:
            self.query_one("#explorer-details", Static).update(t("explorer.pick"))
