"""Everything in the learner's language: the footer and the command palette (Textual's own commands included)
speak only pt-BR in pt-BR, and a language switch reaches every screen through the app's signal."""

from __future__ import annotations

import pytest
from textual.command import CommandInput, CommandList
from textual.widgets import Footer

from gailab.tui import i18n
from gailab.tui.testing import open_lab, type_text, wait_for

ENGLISH_ONLY = {en for en, pt in i18n.STRINGS.values() if en != pt}
TEXTUAL_WORDS = {"Theme", "Quit", "Keys", "Screenshot", "Maximize", "Minimize", "palette", "No matches found",
                 "Search for commands…", "Change the current theme", "Dismiss menu", "Open link"}


@pytest.fixture
def app_pt(app_for):
    return app_for("pt-BR")


def footer_words(app) -> list[str]:
    footer = app.screen.query_one(Footer)
    return [str(key.description) for key in footer.query("FooterKey") if key.description]


def palette_prompts(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def assert_portuguese(words) -> None:
    for word in words:
        assert word not in ENGLISH_ONLY and not any(w in word for w in TEXTUAL_WORDS), word


async def test_palette_and_footer_show_no_english_in_pt_br(app_pt):
    app = app_pt
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.labs, what="labs")
        words = footer_words(app)
        assert "comandos" in words and "sair" in words
        assert_portuguese(words)
        screen = await open_lab(app, pilot, "s3-genai-storage")
        for key in ("f6", "f8", "f5"):  # the footer of each tab, with its own widget's keys
            await pilot.press(key)
            await pilot.pause()
            words = footer_words(app)
            assert "verificar" in words
            assert_portuguese(words)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette" and app.screen.query(CommandInput),
                       what="palette")
        assert app.screen.query_one(CommandInput).placeholder == "Buscar um comando…"
        await wait_for(pilot, lambda: app.screen.query(CommandList) and len(palette_prompts(app)) > 10, what="commands")
        prompts = palette_prompts(app)
        assert any("Trocar o tema" in p for p in prompts) and any("Sair do gailab" in p for p in prompts)
        assert any("Verificar este lab" in p for p in prompts)
        assert_portuguese(prompts)
        await type_text(pilot, "zzqxw")
        await wait_for(pilot, lambda: any("Nenhum comando corresponde" in p for p in palette_prompts(app)),
                       what="no match, in Portuguese")
        await pilot.pause(0.6)  # longer than Textual's own "No matches found" countdown (0.5 s): it never shows
        assert_portuguese(palette_prompts(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="palette closed")
        # the theme picker is Portuguese too
        await app.run_action("change_theme")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette" and app.screen.query(CommandInput),
                       what="theme picker")
        assert app.screen.query_one(CommandInput).placeholder == "Buscar um tema…"


async def test_an_open_answer_list_in_the_quiz_says_its_keys_in_portuguese(app_pt):
    """Textual's own Select list shows "esc Dismiss menu" in the footer; in pt-BR it says "fechar lista"."""
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    app = app_pt
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lab(app, pilot, "bedrock-vs-sagemaker")
        await pilot.press("f9")
        select = app.screen.query(Select).first()
        select.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.focused, SelectOverlay), what="answer list open")
        await pilot.pause()
        words = footer_words(app)
        assert "fechar lista" in words
        assert_portuguese(words)


async def test_a_language_switch_reaches_every_screen_and_pane(app_pt):
    app = app_pt
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_lab(app, pilot, "s3-genai-storage")
        received = []
        app.language_changed.subscribe(screen, received.append)
        assert app.lang == "pt-BR" and i18n.t("bind.check") == "verificar"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: received == ["en"], what="signal")
        await wait_for(pilot, lambda: str(screen.query_one("#check-button").label) == "Check", what="lab screen")
        terminal = screen.query_one("#terminal")
        assert "e.g. aws s3 ls" in terminal.query_one("#term-input").placeholder
        assert "check" in footer_words(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not getattr(app.screen, "is_lab_screen", False), what="catalog")
        assert app.screen.query_one("#catalog-search").placeholder == "/ search labs"  # a screen below was told too
        assert i18n.get_lang() == "en"
