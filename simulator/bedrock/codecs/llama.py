"""Meta Llama: ``prompt`` (Llama 3 header tokens or ``[INST]``), ``max_gen_len`` -> ``generation``."""

from __future__ import annotations

from .. import tokens
from ..catalog import Model
from ..prompt import Generation, Prompt
from . import fields, instruct

FAMILY = "llama"
KIND = "text"


def parse(model: Model, body: dict) -> Prompt:
    p = Prompt(seed=fields.seed(body))
    p.system, p.turns = instruct.llama_turns(instruct.prompt_text(body))
    instruct.sampling(model, body, p, "max_gen_len")
    return p


def response(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> dict:
    return {"generation": gen.text, "prompt_token_count": in_tokens, "generation_token_count": gen.output_tokens, "stop_reason": fields.finish(gen)}


def stream_chunks(model: Model, prompt: Prompt, gen: Generation, in_tokens: int, key: str) -> list[dict]:
    chunks = [{"generation": p, "prompt_token_count": in_tokens if i == 0 else None, "generation_token_count": tokens.count(p, model.family), "stop_reason": None}
              for i, p in enumerate(fields.pieces(gen.text, model.family))]
    chunks[-1]["stop_reason"] = fields.finish(gen)
    chunks[-1]["generation_token_count"] = gen.output_tokens
    return chunks
