"""The family-neutral request the text engine works on, and the generation it returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Document:
    name: str
    format: str
    text: str | None  # None when the format is not text we can read (pdf, docx, xlsx...)
    size: int = 0


@dataclass
class Prompt:
    system: str = ""
    turns: list[tuple[str, str]] = field(default_factory=list)  # (role, text), oldest first
    documents: list[Document] = field(default_factory=list)
    images: int = 0
    tools: list[dict] = field(default_factory=list)  # {"name", "description", "schema"}
    tool_choice: str | None = None  # "auto" | "any" | "tool:<name>" | "none"
    tool_results: list[dict] = field(default_factory=list)  # results in the last user turn
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    stop_sequences: list[str] = field(default_factory=list)
    seed: int | None = None
    #: guardContent blocks ({"text", "qualifiers"}) for a guardrail's contextual grounding check.
    guard_content: list[dict] = field(default_factory=list)
    #: Extra text that counts as input tokens (e.g. tool definitions, images).
    overhead_tokens: int = 0
    #: Which of a family's request shapes the body used (e.g. Mistral's "chat"); the codec answers in kind.
    dialect: str = ""
    #: Extended thinking asked for (Claude's "thinking" with budget_tokens): the most tokens reasoning may use.
    thinking_budget: int | None = None
    #: A JSON schema the answer must follow (Converse outputConfig.textFormat), already parsed.
    output_schema: dict | None = None

    @property
    def user_text(self) -> str:
        """The last user turn's text (what the model is asked now)."""
        for role, text in reversed(self.turns):
            if role == "user":
                return text
        return ""

    def all_text(self) -> str:
        parts = [self.system] + [t for _, t in self.turns] + [d.text or "" for d in self.documents]
        return "\n".join(p for p in parts if p)


@dataclass
class Generation:
    text: str
    stop_reason: str = "end_turn"  # end_turn | max_tokens | stop_sequence | tool_use
    output_tokens: int = 0
    tool_use: dict | None = None  # {"toolUseId", "name", "input"}
    grounded: bool = True
    reasoning: str | None = None
    stop_sequence: str | None = None
    task: str = "chat"
    examples: int = 0  # labelled examples found in the prompt (few-shot)
    reasoning_tokens: int = 0  # part of output_tokens spent on reasoning
    shots: str | None = None  # "zero-shot" | "few-shot" for classification prompts
    label: str | None = None  # the label a classification prompt got
    grounding: float | None = None  # how much of the answer the given context supports (0-1)
    relevance: float | None = None  # how well the answer addresses the question (0-1)
