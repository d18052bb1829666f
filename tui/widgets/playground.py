"""The Playground tab: chat with any model of the simulated Bedrock through Converse.

Each reply shows its input and output tokens, cost, latency and whether the answer was grounded, read back from
the ledger (``/_gailab/bedrock/invocations``) so the figures are the ones the grader sees.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Select, Static

from ..i18n import follow_language, t
from .cloudstate import cloud_ready

PREFERRED = ("anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-lite-v1:0")


class PlaygroundPane(Vertical):
    endpoint: reactive[str | None] = reactive(None)
    cloud_state: reactive[str] = reactive("starting")

    class ModelsLoaded(Message):
        def __init__(self, models: list[tuple[str, str]], error: str | None) -> None:
            super().__init__()
            self.models = models
            self.error = error

    class Replied(Message):
        def __init__(self, result: dict | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.messages: list[dict] = []
        self.calls = 0
        self.tokens = 0
        self.cost = 0.0
        self.busy = False
        self.replies: list[dict] = []
        self.models: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="play-model-row"):
            yield Label(t("play.model"), id="play-model-label")
            yield Select([], prompt=t("play.loading_models"), id="play-model", compact=True, allow_blank=True)
        with Horizontal(id="play-params"):
            yield Label(t("play.temperature"), id="play-temp-label")
            yield Input("0.2", id="play-temp", compact=True, restrict=r"[0-9.]*", max_length=4)
            yield Label(t("play.top_p"), id="play-topp-label")
            yield Input("0.9", id="play-topp", compact=True, restrict=r"[0-9.]*", max_length=4)
            yield Label(t("play.max_tokens"), id="play-max-label")
            yield Input("300", id="play-max", compact=True, restrict=r"[0-9]*", max_length=5)
        yield Input(placeholder=t("play.system"), id="play-system", compact=True)
        yield VerticalScroll(id="play-chat")
        yield Static(self._totals(), id="play-totals")
        yield Input(placeholder=t("play.placeholder"), id="play-prompt", compact=True)

    def on_mount(self) -> None:
        follow_language(self, self.apply_language)

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
        select = self.query_one(Select)
        if message.error:
            select.set_options([])
            self.app.notify(t("play.no_models", error=message.error), severity="error")
            return
        self.models = message.models
        select.prompt = t("play.choose")
        select.set_options(message.models)
        ids = [model_id for _, model_id in message.models]
        for preferred in PREFERRED:
            if preferred in ids:
                select.value = preferred
                break
        else:
            if ids:
                select.value = ids[0]

    def _totals(self) -> str:
        key = "play.session_one" if self.calls == 1 else "play.session"
        return t(key, calls=self.calls, tokens=self.tokens, cost=f"{self.cost:.6f}")

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
        self.calls, self.tokens, self.cost = 0, 0, 0.0
        self.query_one("#play-chat", VerticalScroll).remove_children()
        self.query_one("#play-totals", Static).update(self._totals())

    def send(self, text: str) -> None:
        text = text.strip()
        if text == "/clear":
            self.query_one("#play-prompt", Input).value = ""
            self.clear_chat()
            return
        if not text or self.busy or not cloud_ready(self):
            return
        model = self.query_one(Select).value
        if not isinstance(model, str):
            self.app.notify(t("play.no_models", error="—"), severity="warning")
            return
        temperature = self._number("#play-temp", t("play.temperature"), float, 0.0, 1.0)
        top_p = self._number("#play-topp", t("play.top_p"), float, 0.0, 1.0)
        max_tokens = self._number("#play-max", t("play.max_tokens"), int, 1, 100000)
        if None in (temperature, top_p, max_tokens):
            return
        self.query_one("#play-prompt", Input).value = ""
        self.messages.append({"role": "user", "content": [{"text": text}]})
        chat = self.query_one("#play-chat", VerticalScroll)
        chat.mount(Static(f"[b]{t('play.you')}[/b]  {escape(text)}", classes="play-you"))
        chat.mount(Static(t("play.thinking"), classes="play-pending"))
        chat.scroll_end(animate=False)
        self.busy = True
        system = self.query_one("#play-system", Input).value
        inference = {"temperature": temperature, "topP": top_p, "maxTokens": max_tokens}
        self._call(self.endpoint, model, list(self.messages), system, inference)

    @work(thread=True, exclusive=True, group="play-call", exit_on_error=False)
    def _call(self, endpoint: str, model: str, messages: list[dict], system: str, inference: dict) -> None:
        from .. import cloudops

        try:
            result = cloudops.converse(endpoint, model, messages, system, inference)
        except Exception as exc:
            self.post_message(self.Replied(None, cloudops.describe_error(exc)))
            return
        result["modelId"] = model
        self.post_message(self.Replied(result, None))

    def on_playground_pane_replied(self, message: Replied) -> None:
        self.busy = False
        chat = self.query_one("#play-chat", VerticalScroll)
        for pending in chat.query(".play-pending"):
            pending.remove()
        if message.error:
            self.messages.pop()
            chat.mount(Static(escape(t("play.error", error=message.error)), classes="play-error"))
            chat.scroll_end(animate=False)
            return
        result = message.result
        self.replies.append(result)
        self.messages.append(result["message"])
        self.calls += 1
        self.tokens += int(result["inputTokens"]) + int(result["outputTokens"])
        self.cost += float(result["costUsd"] or 0)
        grounded = result.get("grounded")
        stats = t("play.stats", inp=result["inputTokens"], out=result["outputTokens"],
                  cost=f"{float(result['costUsd'] or 0):.6f}", ms=int(result["latencyMs"] or 0),
                  grounded=t("play.grounded") if grounded else t("play.ungrounded") if grounded is False else "—")
        chat.mount(Static(f"[b]{t('play.model_label')}[/b]  {escape(result['text'])}", classes="play-model"))
        chat.mount(Static(escape(stats), classes="play-stats" + (" -ungrounded" if grounded is False else "")))
        chat.scroll_end(animate=False)
        self.query_one("#play-totals", Static).update(self._totals())

    def apply_language(self) -> None:
        self.query_one("#play-model-label", Label).update(t("play.model"))
        self.query_one("#play-temp-label", Label).update(t("play.temperature"))
        self.query_one("#play-topp-label", Label).update(t("play.top_p"))
        self.query_one("#play-max-label", Label).update(t("play.max_tokens"))
        self.query_one("#play-system", Input).placeholder = t("play.system")
        self.query_one("#play-prompt", Input).placeholder = t("play.placeholder")
        self.query_one("#play-totals", Static).update(self._totals())
