"""The Playground tab: chat with any model of the simulated Bedrock, or send one prompt to two or three models side
by side.

A chat reply streams in as ConverseStream sends it. Each reply shows its input and output tokens, cost, latency and
whether the answer was grounded, read back from the ledger (``/_gailab/bedrock/invocations``) so the figures are the
ones the grader sees. Choosing models under "vs" compares: the same prompt goes to each model at once, the answers
stand in columns and bars show tokens, cost and latency next to each other (the cost-latency lesson at a glance).
The session's spend is drawn as a chart beside its totals. Every call carries ``app/gailab-playground`` in its
User-Agent, so the ledger tells the Playground's calls from the learner's code.
"""

from __future__ import annotations

import time

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Select, Sparkline, Static

from ..i18n import follow_language, get_lang, money, number, parse_number, t
from .cloudstate import cloud_ready

PREFERRED = ("anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-lite-v1:0")
STREAM_REFRESH = 0.05  # seconds between two updates of a streaming reply on screen
COMPARE_SLOTS = ("play-vs1", "play-vs2")
DECIMAL_INPUT = r"[0-9.,]*"  # a decimal comma (pt-BR) or point: both are read
DECIMAL_FIELDS = ("#play-temp", "#play-topp")


def compare_bars(results: list[dict], names: dict[str, str], width: int = 40, lang: str | None = None) -> Text:
    """Tokens, cost and latency of each model's answer as bars on one scale per measure (the longest is the
    largest), so a glance says which model was cheapest and fastest for this prompt."""
    lang = lang or get_lang()
    done = [r for r in results if not r.get("error")]
    text = Text()
    if not done:
        return text
    label_width = min(18, max(len(names.get(r["modelId"], r["modelId"])) for r in done))
    measures = (
        ("play.bar_tokens", lambda r: int(r["inputTokens"]) + int(r["outputTokens"]), lambda v: number(v, lang)),
        ("play.bar_cost", lambda r: float(r["costUsd"] or 0), lambda v: money(v, lang)),
        ("play.bar_latency", lambda r: int(r["latencyMs"] or 0), lambda v: f"{number(v, lang)} ms"),
    )
    bar_room = max(4, width - label_width - 14)
    for key, measure, shown in measures:
        text.append(t(key) + "\n", style="bold")
        top = max(measure(r) for r in done) or 1
        for r in done:
            value = measure(r)
            length = max(1 if value else 0, round(bar_room * value / top))
            name = names.get(r["modelId"], r["modelId"])[:label_width].ljust(label_width)
            text.append(f" {name} ", style="dim")
            text.append("█" * length, style="bold green" if value == min(measure(x) for x in done) else "bold")
            text.append(f" {shown(value)}\n")
    return text


class PlaygroundPane(Vertical):
    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class ModelsLoaded(Message):
        def __init__(self, models: list[tuple[str, str]], error: str | None) -> None:
            super().__init__()
            self.models = models
            self.error = error

    class Streamed(Message):
        """The reply so far (a streaming chat answer)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Replied(Message):
        def __init__(self, result: dict | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    class Compared(Message):
        def __init__(self, results: list[dict]) -> None:
            super().__init__()
            self.results = results

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.messages: list[dict] = []
        self.calls = 0
        self.tokens = 0
        self.cost = 0.0
        self.spend: list[float] = []  # the session's spend after each call (the chart)
        self.busy = False
        self.replies: list[dict] = []
        self.comparisons: list[list[dict]] = []
        self.models: list[tuple[str, str]] = []
        self._streaming: Static | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="play-model-row"):
            yield Label(t("play.model"), id="play-model-label")
            yield Select([], prompt=t("play.loading_models"), id="play-model", compact=True, allow_blank=True)
        with Horizontal(id="play-vs-row"):
            yield Label(t("play.vs"), id="play-vs-label")
            for slot in COMPARE_SLOTS:
                yield Select([], prompt="—", id=slot, compact=True, allow_blank=True, classes="play-vs")
        with Horizontal(id="play-params"):
            yield Label(t("play.temperature"), id="play-temp-label")
            yield Input(number(0.2), id="play-temp", compact=True, restrict=DECIMAL_INPUT, max_length=4)
            yield Label(t("play.top_p"), id="play-topp-label")
            yield Input(number(0.9), id="play-topp", compact=True, restrict=DECIMAL_INPUT, max_length=4)
            yield Label(t("play.max_tokens"), id="play-max-label")
            yield Input("300", id="play-max", compact=True, restrict=r"[0-9]*", max_length=5)
        yield Input(placeholder=t("play.system"), id="play-system", compact=True)
        yield VerticalScroll(id="play-chat")
        with Vertical(id="play-footer"):
            yield Static(self._totals(), id="play-totals")
            yield Sparkline([], id="play-spend")
        yield Input(placeholder=t("play.placeholder"), id="play-prompt", compact=True, select_on_focus=False)

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)
        self.query_one("#play-spend", Sparkline).tooltip = t("play.spend_chart")

    def watch_cloud_state(self, state: str) -> None:
        if state == "ready" and self.endpoint and not self.models:
            self.load_models(self.endpoint)

    @work(thread=True, exclusive=True, group="play-models", exit_on_error=False)
    def load_models(self, endpoint: str) -> None:
        from .. import cloudops

        try:
            models = cloudops.text_models(endpoint)
        except Exception as exc:
            self.post_message(self.ModelsLoaded([], cloudops.describe_error(exc)))
            return
        self.post_message(self.ModelsLoaded(models, None))

    def on_playground_pane_models_loaded(self, message: ModelsLoaded) -> None:
        select = self.query_one("#play-model", Select)
        if message.error:
            select.set_options([])
            self.app.notify(t("play.no_models", error=message.error), severity="error")
            return
        self.models = message.models
        select.prompt = t("play.choose")
        select.set_options(message.models)
        for slot in COMPARE_SLOTS:
            self.query_one(f"#{slot}", Select).set_options(message.models)
        ids = [model_id for _, model_id in message.models]
        for preferred in PREFERRED:
            if preferred in ids:
                select.value = preferred
                break
        else:
            if ids:
                select.value = ids[0]

    def model_names(self) -> dict[str, str]:
        return {model_id: label for label, model_id in self.models}

    def compared_models(self) -> list[str]:
        """The models a prompt goes to: the chosen one, then each different one under "vs"."""
        chosen = [self.query_one("#play-model", Select).value]
        chosen += [self.query_one(f"#{slot}", Select).value for slot in COMPARE_SLOTS]
        out: list[str] = []
        for model in chosen:
            if isinstance(model, str) and model not in out:
                out.append(model)
        return out

    def _totals(self) -> str:
        key = "play.session_one" if self.calls == 1 else "play.session"
        return t(key, calls=number(self.calls), tokens=number(self.tokens), cost=money(self.cost))

    def _number(self, widget_id: str, label: str, cast, low, high):
        field = self.query_one(widget_id, Input)
        try:
            value = cast(field.value)
        except ValueError:
            value = None
        if value is None or not (low <= value <= high):
            self.app.notify(t("play.bad_number", field=label, value=field.value), severity="error")
            return None
        return value

    @on(Input.Submitted, "#play-prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        self.send(event.value)

    def clear_chat(self) -> None:
        """Start over: a new conversation and new session totals."""
        self.messages.clear()
        self.replies.clear()
        self.comparisons.clear()
        self.calls, self.tokens, self.cost = 0, 0, 0.0
        self.spend.clear()
        self.query_one("#play-chat", VerticalScroll).remove_children()
        self._show_totals()

    def _show_totals(self) -> None:
        self.query_one("#play-totals", Static).update(self._totals())
        self.query_one("#play-spend", Sparkline).data = [0.0, *self.spend] if self.spend else []

    def send(self, text: str) -> None:
        text = text.strip()
        if text == "/clear":
            self.query_one("#play-prompt", Input).value = ""
            self.clear_chat()
            return
        if not text or self.busy or not cloud_ready(self):
            return
        models = self.compared_models()
        if not models:
            self.app.notify(t("play.no_models", error="—"), severity="warning")
            return
        temperature = self._number("#play-temp", t("play.temperature"), parse_number, 0.0, 1.0)
        top_p = self._number("#play-topp", t("play.top_p"), parse_number, 0.0, 1.0)
        max_tokens = self._number("#play-max", t("play.max_tokens"), int, 1, 100000)
        if None in (temperature, top_p, max_tokens):
            return
        self.query_one("#play-prompt", Input).value = ""
        chat = self.query_one("#play-chat", VerticalScroll)
        chat.mount(Static(f"[b]{t('play.you')}[/b]  {escape(text)}", classes="play-you"))
        self.busy = True
        system = self.query_one("#play-system", Input).value
        inference = {"temperature": temperature, "topP": top_p, "maxTokens": max_tokens}
        user = {"role": "user", "content": [{"text": text}]}
        if len(models) > 1:  # the same single prompt to each model: a comparison, not a conversation
            chat.mount(Static(t("play.comparing", n=len(models)), classes="play-pending"))
            chat.scroll_end(animate=False)
            self._compare(self.endpoint, models, [user], system, inference)
            return
        self.messages.append(user)
        self._streaming = Static(t("play.thinking"), classes="play-model play-pending")
        chat.mount(self._streaming)
        chat.scroll_end(animate=False)
        self._call(self.endpoint, models[0], list(self.messages), system, inference)

    @work(thread=True, exclusive=True, group="play-call", exit_on_error=False)
    def _call(self, endpoint: str, model: str, messages: list[dict], system: str, inference: dict) -> None:
        from .. import cloudops

        shown = time.monotonic()
        so_far: list[str] = []

        def chunk(piece: str) -> None:
            nonlocal shown
            so_far.append(piece)
            if time.monotonic() - shown >= STREAM_REFRESH:
                shown = time.monotonic()
                self.post_message(self.Streamed("".join(so_far)))

        try:
            result = cloudops.converse_stream(endpoint, model, messages, system, inference, on_text=chunk)
        except Exception as exc:
            self.post_message(self.Replied(None, cloudops.describe_error(exc)))
            return
        result["modelId"] = model
        self.post_message(self.Replied(result, None))

    def on_playground_pane_streamed(self, message: Streamed) -> None:
        if self._streaming is not None:
            self._streaming.update(f"[b]{t('play.model_label')}[/b]  {escape(message.text)}▌")
            self.query_one("#play-chat", VerticalScroll).scroll_end(animate=False)

    def on_playground_pane_replied(self, message: Replied) -> None:
        self.busy = False
        chat = self.query_one("#play-chat", VerticalScroll)
        streaming, self._streaming = self._streaming, None
        if message.error:
            self.messages.pop()
            if streaming is not None:
                streaming.remove()
            chat.mount(Static(escape(t("play.error", error=message.error)), classes="play-error"))
            chat.scroll_end(animate=False)
            return
        result = message.result
        self.replies.append(result)
        self.messages.append(result["message"])
        self._count(result)
        answer = f"[b]{t('play.model_label')}[/b]  {escape(result['text'])}"
        if streaming is not None:
            streaming.update(answer)
            streaming.remove_class("play-pending")
        else:
            chat.mount(Static(answer, classes="play-model"))
        grounded = result.get("grounded")
        chat.mount(Static(escape(self._stats(result)), classes="play-stats" + (" -ungrounded" if grounded is False else "")))
        chat.scroll_end(animate=False)
        self._show_totals()

    def _stats(self, result: dict) -> str:
        grounded = result.get("grounded")
        return t("play.stats", inp=number(int(result["inputTokens"])), out=number(int(result["outputTokens"])),
                 cost=money(float(result["costUsd"] or 0)), ms=number(int(result["latencyMs"] or 0)),
                 grounded=t("play.grounded") if grounded else t("play.ungrounded") if grounded is False else "—")

    def _count(self, result: dict) -> None:
        self.calls += 1
        self.tokens += int(result["inputTokens"]) + int(result["outputTokens"])
        self.cost += float(result["costUsd"] or 0)
        self.spend.append(self.cost)

    @work(thread=True, exclusive=True, group="play-call", exit_on_error=False)
    def _compare(self, endpoint: str, models: list[str], messages: list[dict], system: str, inference: dict) -> None:
        """Every model at once (each answers in its own thread), results in the order the models were chosen."""
        from concurrent.futures import ThreadPoolExecutor

        from .. import cloudops

        def one(model: str) -> dict:
            try:
                result = cloudops.converse(endpoint, model, messages, system, inference)
            except Exception as exc:
                return {"modelId": model, "error": cloudops.describe_error(exc)}
            result["modelId"] = model
            return result

        with ThreadPoolExecutor(max_workers=len(models), thread_name_prefix="gailab-compare") as pool:
            results = list(pool.map(one, models))
        self.post_message(self.Compared(results))

    def on_playground_pane_compared(self, message: Compared) -> None:
        self.busy = False
        chat = self.query_one("#play-chat", VerticalScroll)
        for pending in chat.query(".play-pending"):
            pending.remove()
        self.comparisons.append(message.results)
        names = self.model_names()
        columns = Horizontal(classes="play-columns")
        chat.mount(columns)
        for result in message.results:
            name = names.get(result["modelId"], result["modelId"])
            if result.get("error"):
                body = Static(escape(t("play.error", error=result["error"])), classes="play-error")
            else:
                self._count(result)
                body = Static(escape(result["text"]), classes="play-model")
            column = Vertical(Label(f"[b]{escape(name)}[/b]", classes="play-column-name"), body,
                              classes="play-column")
            columns.mount(column)
            if not result.get("error"):
                column.mount(Static(escape(self._stats(result)), classes="play-stats"
                                    + (" -ungrounded" if result.get("grounded") is False else "")))
        width = max(30, (chat.size.width or 48) - 2)
        chat.mount(Static(compare_bars(message.results, names, width), classes="play-bars"))
        chat.scroll_end(animate=False)
        self._show_totals()

    def apply_language(self) -> None:
        self.query_one("#play-model-label", Label).update(t("play.model"))
        self.query_one("#play-vs-label", Label).update(t("play.vs"))
        self.query_one("#play-temp-label", Label).update(t("play.temperature"))
        self.query_one("#play-topp-label", Label).update(t("play.top_p"))
        self.query_one("#play-max-label", Label).update(t("play.max_tokens"))
        self.query_one("#play-system", Input).placeholder = t("play.system")
        self.query_one("#play-prompt", Input).placeholder = t("play.placeholder")
        self.query_one("#play-spend", Sparkline).tooltip = t("play.spend_chart")
        for field_id in DECIMAL_FIELDS:  # the typed value follows the language's decimal separator
            field = self.query_one(field_id, Input)
            try:
                field.value = number(parse_number(field.value))
            except ValueError:
                pass
        self._show_totals()
