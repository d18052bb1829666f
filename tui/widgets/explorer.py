"""The Explorer tab: a tree of the local cloud's resources, details of the selected one, refresh and delete.

The pane gets its cloud as attributes (``endpoint``, ``cloud_state``) from its screen and asks the screen to confirm
a deletion (a :class:`~gailab.tui.screens.confirm.Confirm` message), saying what would be lost. A refresh — by
``r`` or in the background when the cloud changes — keeps the cursor and the open groups where they were.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, Tree

from ..i18n import follow_language, t
from ..screens.confirm import Confirm
from .cloudstate import cloud_ready


def field_label(field: str) -> str:
    """A details field in the learner's language (``explorer.field.<name>`` when the app has the words)."""
    return t(f"explorer.field.{field}") if f"explorer.field.{field}" in _known() else field


def _known() -> dict:
    from ..i18n import STRINGS

    return STRINGS


ARCHITECTURE = ("architecture", "", "architecture")  # the tree's first entry: the diagram of what was built


class ExplorerPane(Horizontal):
    BINDINGS = [
        Binding("r", "refresh", "refresh", id="refresh"),
        Binding("delete", "delete", "delete", id="delete"),
    ]

    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class Listed(Message):
        def __init__(self, groups: dict[str, list | str], complete: bool) -> None:
            super().__init__()
            self.groups = groups
            self.complete = complete

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

    class Drawn(Message):
        """The architecture's tiers, read from the cloud (drawn on the main thread, at the pane's width)."""

        def __init__(self, tiers: list | None, error: str | None) -> None:
            super().__init__()
            self.tiers = tiers
            self.error = error

    class Weighed(Message):
        """What deleting a resource would take with it (asked before the confirmation)."""

        def __init__(self, key: tuple, loss: str | None) -> None:
            super().__init__()
            self.key = key
            self.loss = loss

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.groups: dict[str, list | str] = {}
        self.selected: tuple | None = None
        self.loaded = False
        self.refreshes = 0
        self.collapsed: set[str] = set()  # groups the learner closed stay closed across refreshes
        self.expected: dict[str, list[str]] = {}  # what the lab asks to build (the screen sets it)
        self.tiers: list | None = None  # the architecture as last drawn
        self._rebuilding = False

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
        """Called when the tab is shown: list once, then on demand (r) or when the cloud changes."""
        if not self.loaded:
            self.action_refresh()

    def action_refresh(self) -> None:
        if not cloud_ready(self):
            return
        self.loaded = True
        self._list(self.endpoint)

    def refresh_quietly(self) -> None:
        """The cloud changed: list again if the learner has looked here (no message when it cannot)."""
        if self.loaded and self.cloud_state == "ready" and self.endpoint:
            self._list(self.endpoint)

    @work(thread=True, exclusive=True, group="explorer", exit_on_error=False)
    def _list(self, endpoint: str) -> None:
        """Every group at once, each shown as soon as it is listed (a cold cloud loads a service on first use)."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        from .. import cloudops

        def one(group: str):
            try:
                return group, cloudops.list_group(endpoint, group)
            except Exception as exc:
                return group, cloudops.describe_error(exc)

        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="gailab-explorer") as pool:
            futures = [pool.submit(one, group) for group in cloudops.GROUPS]
            for done in as_completed(futures):
                group, items = done.result()
                self.post_message(self.Listed({group: items}, complete=False))
        self.post_message(self.Listed({}, complete=True))

    def on_explorer_pane_listed(self, message: Listed) -> None:
        self.groups.update(message.groups)
        if message.complete:
            self.refreshes += 1
            if self.selected is None or self.selected[0] == ARCHITECTURE[0]:
                self._architecture(self.endpoint, self.expected)
            else:
                self._details(self.endpoint, self.selected)
            return
        self._build()

    def _build(self) -> None:
        """Make the tree show ``self.groups``, changing only what changed: the cursor and the open or closed
        groups stay as the learner left them (a background refresh never moves them)."""
        from .. import cloudops

        tree = self.query_one(Tree)
        if not tree.root.children:
            tree.root.add_leaf(t("explorer.architecture"), data=ARCHITECTURE)
            for group in cloudops.GROUPS:
                tree.root.add("", data=group)
        for node in tree.root.children:
            if node.data == ARCHITECTURE:
                node.set_label(t("explorer.architecture"))
                continue
            self._fill(tree, node, self.groups.get(node.data, []))

    def _fill(self, tree: Tree, node, items: list | str) -> None:
        group = node.data
        count = f"  ({len(items)})" if isinstance(items, list) and items else ""
        node.set_label(t(f"explorer.{group}") + count)
        if isinstance(items, str):
            wanted = [(t("explorer.error", error=items), None)]
        elif not items:
            wanted = [(t("explorer.empty") if self.loaded else t("explorer.loading"), None)]
        else:
            wanted = [(label, (kind, ident, label.strip())) for label, kind, ident in items]
        have = [(str(child.label), child.data) for child in node.children]
        if have != wanted:
            cursor = tree.cursor_node
            cursor_here = cursor is not None and cursor.parent is node
            key = cursor.data[:2] if cursor_here and isinstance(cursor.data, tuple) else None
            node.remove_children()
            target = None
            for label, data in wanted:
                leaf = node.add_leaf(label, data=data)
                if key is not None and isinstance(data, tuple) and data[:2] == key:
                    target = leaf
            if cursor_here:
                self._rebuilding = True
                self.call_after_refresh(self._restore_cursor, target or node)
        if isinstance(items, list) and items and group not in self.collapsed:
            node.expand()

    def _restore_cursor(self, node) -> None:
        self.query_one(Tree).move_cursor(node)
        self._rebuilding = False

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed) -> None:
        if event.node.parent is self.query_one(Tree).root:
            self.collapsed.add(event.node.data)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        self.collapsed.discard(event.node.data)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if data == ARCHITECTURE and data != self.selected and not self._rebuilding:
            self.selected = data
            if self.tiers is not None:
                self._show_architecture()
            self._architecture(self.endpoint, self.expected)
        elif isinstance(data, tuple) and data != self.selected and not self._rebuilding:
            self.selected = data
            self.query_one("#explorer-details", Static).update(t("explorer.loading"))
            self._details(self.endpoint, data)

    @work(thread=True, exclusive=True, group="explorer-details", exit_on_error=False)
    def _details(self, endpoint: str | None, key: tuple) -> None:
        from .. import cloudops

        kind, ident, _ = key
        try:
            rows = cloudops.details(endpoint, kind, ident)
        except Exception as exc:
            self.post_message(self.Detailed(key, None, cloudops.describe_error(exc)))
            return
        self.post_message(self.Detailed(key, rows, None))

    @work(thread=True, exclusive=True, group="explorer-details", exit_on_error=False)
    def _architecture(self, endpoint: str | None, expected: dict) -> None:
        from .. import architecture, cloudops

        if not endpoint:
            return
        try:
            tiers = architecture.gather(endpoint, expected)
        except Exception as exc:
            self.post_message(self.Drawn(None, cloudops.describe_error(exc)))
            return
        self.post_message(self.Drawn(tiers, None))

    def on_explorer_pane_drawn(self, message: Drawn) -> None:
        if self.selected is not None and self.selected != ARCHITECTURE:
            return
        if message.error:
            self.query_one("#explorer-details", Static).update(f"[red]{escape(message.error)}[/red]")
            return
        self.tiers = message.tiers
        self._show_architecture()

    def _show_architecture(self) -> None:
        from rich.text import Text

        from ..architecture import draw

        box = self.query_one("#explorer-details", Static)
        width = (self.query_one("#explorer-details-box").size.width or 42) - 2
        picture = Text()
        picture.append(t("explorer.architecture").lstrip("▣ ") + "\n", style="bold")
        if self.selected is None:
            picture.append(t("explorer.pick") + "\n", style="dim")
        picture.append("\n")
        picture.append_text(draw(self.tiers or [], width))
        box.update(picture)

    def on_explorer_pane_detailed(self, message: Detailed) -> None:
        if message.key != self.selected:
            return
        box = self.query_one("#explorer-details", Static)
        if message.error:
            box.update(f"[red]{escape(message.error)}[/red]")
            return
        labels = [(field_label(k) if not k.startswith("  ") else k, v) for k, v in message.rows]
        width = max((len(k) for k, _ in labels if not k.startswith("  ")), default=8)
        lines = [f"[b]{escape(message.key[2])}[/b]", ""]
        for field, value in labels:
            if field.startswith("  "):
                lines.append(f"  {escape(field.strip())}  [dim]{escape(value)}[/dim]")
            else:
                lines.append(f"[dim]{escape(field.ljust(width))}[/dim]  {escape(value)}")
        box.update("\n".join(lines))

    # --- delete ------------------------------------------------------------------------------------------
    def action_delete(self) -> None:
        node = self.query_one(Tree).cursor_node
        data = node.data if node is not None else None
        if not isinstance(data, tuple) or data == ARCHITECTURE:
            self.app.notify(t("explorer.cannot_delete"), severity="warning")
            return
        if not cloud_ready(self):
            return
        self._weigh(self.endpoint, data)

    @work(thread=True, exclusive=True, group="explorer-delete", exit_on_error=False)
    def _weigh(self, endpoint: str, key: tuple) -> None:
        from .. import cloudops

        try:
            loss = cloudops.deletion_loss(endpoint, key[0], key[1])
        except Exception:
            loss = None  # the question is still asked, without the count
        self.post_message(self.Weighed(key, loss))

    def on_explorer_pane_weighed(self, message: Weighed) -> None:
        kind, ident, label = message.key
        question = t("explorer.delete_confirm", kind=t(f"explorer.kind.{kind}") if f"explorer.kind.{kind}" in _known()
                     else kind, name=label)
        if message.loss:
            question += "\n\n" + message.loss
        self.post_message(Confirm(question, lambda: self._delete(self.endpoint, kind, ident, label)))

    @work(thread=True, exclusive=True, group="explorer-delete", exit_on_error=False)
    def _delete(self, endpoint: str, kind: str, ident: str, label: str) -> None:
        from .. import cloudops

        try:
            cloudops.delete(endpoint, kind, ident)
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
        if self.selected is None or self.selected == ARCHITECTURE:
            if self.tiers is not None:
                self._show_architecture()
            else:
                self.query_one("#explorer-details", Static).update(t("explorer.pick"))
        else:
            self._details(self.endpoint, self.selected)
