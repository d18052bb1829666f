"""Prompt-string bodies (Llama, Mistral, DeepSeek): the chat template's markers unwrapped into turns."""

from __future__ import annotations

import re

from ..catalog import Model
from ..errors import malformed
from ..prompt import Prompt
from . import fields

_LLAMA3 = re.compile(r"<\|start_header_id\|>(\w+)<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)", re.S)


def clean(text: str) -> str:
    return re.sub(r"</?s>|<\|begin_of_text\|>|<\|end_of_text\|>", "", text).strip()


def inst_turns(prompt: str) -> tuple[str, list[tuple[str, str]]]:
    """Mistral / Llama 2 ``<s>[INST] ... [/INST]`` prompts (with optional ``<<SYS>>``)."""
    system = ""
    m = re.search(r"<<SYS>>(.*?)<</SYS>>", prompt, re.S)
    if m:
        system = m.group(1).strip()
        prompt = prompt.replace(m.group(0), "")
    parts = re.split(r"\[INST\]|\[/INST\]", prompt)
    if len(parts) == 1:
        return system, [("user", clean(prompt))]
    turns = []
    for i, part in enumerate(parts[1:]):
        text = clean(part)
        if text:
            turns.append(("user" if i % 2 == 0 else "assistant", text))
    return system, turns


def llama_turns(prompt: str) -> tuple[str, list[tuple[str, str]]]:
    turns = [(role, text.strip()) for role, text in _LLAMA3.findall(prompt)]
    if turns:
        system = "\n".join(t for r, t in turns if r == "system")
        return system, [(r, t) for r, t in turns if r != "system" and t]
    return inst_turns(prompt)


def prompt_text(body: dict) -> str:
    text = fields.require(body, "prompt")
    if not isinstance(text, str):
        raise malformed("#/prompt: expected type: String")
    return text


def sampling(model: Model, body: dict, p: Prompt, limit_key: str) -> None:
    """max tokens (default 512), temperature, top_p and stop, as the prompt-string families name them."""
    p.max_tokens = fields.max_output(model, fields.number(body, limit_key, 1, None, integer=True), limit_key)
    if p.max_tokens is None:
        p.max_tokens = 512
    p.temperature = fields.number(body, "temperature", 0, 1)
    p.top_p = fields.number(body, "top_p", 0, 1)
    p.stop_sequences = fields.strings(body.get("stop"), "stop")
