"""The Check results: each check ✓ / ✗ / ! with points, message, expected vs actual and hint."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..i18n import t

ICONS = {"pass": ("✓", "green"), "fail": ("✗", "red"), "error": ("!", "yellow"), "skipped": ("–", "grey50")}


def _show(value, lang: str = "en") -> str:
    from gailab.labs.report import show

    return show(value, lang)


def render_report(report, lang: str) -> Group:
    """A Rich renderable of the report (a table that wraps at any width)."""
    table = Table.grid(padding=(0, 1), expand=True)  # styled columns: Textual keeps leading padding
    table.add_column(width=1, style="default")
    table.add_column(ratio=1, style="default")
    table.add_column(justify="right", no_wrap=True)
    for result in report.results:
        icon, colour = ICONS.get(result.status, ("?", "white"))
        title = result.title(lang) if getattr(result, "title", None) else result.check_id
        points = f"{result.points}/{result.max_points}"
        if result.status == "error":
            points = t("check.not_counted")
        elif result.status == "skipped":
            points = f"–/{result.max_points}"
        table.add_row(Text(icon, style=f"bold {colour}"), Text(title, style="bold"), Text(points, style=colour))
        message = result.message(lang)
        if message and message != title:
            table.add_row("", Text(message, style="not dim"), "")
        if result.status == "fail":
            if result.expected is not None:
                table.add_row("", Text.assemble((t("check.expected") + "  ", "dim"), _show(result.expected, lang)), "")
            if result.actual is not None:
                table.add_row("", Text.assemble((t("check.actual") + "  ", "dim"), _show(result.actual, lang)), "")
        hint = result.hint(lang)
        if hint and result.status != "pass":
            table.add_row("", Text.assemble((t("check.hint") + "  ", "dim"), (hint, "italic")), "")
    parts = [table]
    if not report.cloud_reachable or any(r.status == "error" for r in report.results):
        parts.append(Text("\n" + t("check.cloud_unreachable"), style="yellow"))
    return Group(*parts)


def summary_line(report) -> str:
    if report.passed:
        return t("check.passed", score=report.total, max=report.maximum)
    return t("check.failed", score=report.total, max=report.maximum, mark=report.pass_mark)


def check_rows(report, lang: str):
    """One widget row per check (icon, wrapped body, points): Textual wraps each body in its own column."""
    from textual.containers import Horizontal
    from textual.widgets import Static

    rows = []
    for result in report.results:
        icon, colour = ICONS.get(result.status, ("?", "white"))
        title = result.title(lang) if getattr(result, "title", None) else result.check_id
        body = Text()
        body.append(title, style="bold")
        message = result.message(lang)
        if message and message != title:
            body.append("\n" + message)
        if result.status == "fail":
            if result.expected is not None:
                body.append("\n" + t("check.expected") + "  ", style="dim")
                body.append(_show(result.expected, lang))
            if result.actual is not None:
                body.append("\n" + t("check.actual") + "  ", style="dim")
                body.append(_show(result.actual, lang))
        hint = result.hint(lang)
        if hint and result.status != "pass":
            body.append("\n" + t("check.hint") + "  ", style="dim")
            body.append(hint, style="italic")
        points = t("check.not_counted") if result.status == "error" else f"{result.points}/{result.max_points}"
        if result.status == "skipped":
            points = f"–/{result.max_points}"
        rows.append(Horizontal(
            Static(Text(icon, style=f"bold {colour}"), classes="check-icon"),
            Static(body, classes="check-body"),
            Static(Text(points, style=colour), classes="check-points"),
            classes=f"check-row -{result.status}",
        ))
    return rows
