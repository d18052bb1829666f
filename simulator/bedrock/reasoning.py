"""Chain-of-thought for the word problems people try: quantities that are added, taken away, multiplied, shared,
and percentages (discounts, increases). The steps are shown when the prompt asks to think step by step, and
reasoning models (DeepSeek-R1) write them as their reasoning."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lang
from .schemafill import NUMBER_WORDS

_ADD = r"(?:buy|buys|bought|get|gets|got|receive|receives|received|add|adds|added|more|plus|gain|gains|gained|find|finds|found|" \
       r"compro|compra|comprou|ganho|ganha|ganhou|recebo|recebe|recebeu|mais|adiciono|adiciona|encontro|encontra|encontrou)"
_SUB = r"(?:eat|eats|ate|give|gives|gave|lose|loses|lost|sell|sells|sold|spend|spends|spent|use|uses|used|remove|minus|less|" \
       r"come|comeu|comi|dou|deu|dei|perco|perde|perdeu|perdi|vendo|vende|vendeu|vendi|gasto|gasta|gastou|gastei|uso|usa|usou|usei|menos|tiro|tira|tirou)"
_MUL = r"(?:each|every|times|per|cada|vezes|por)"
_DIV = r"(?:split|share|shared|divide|divided|among|between|dividir|divido|divide|dividiu|reparto|repartir|entre)"


@dataclass
class Solution:
    steps: list[str]
    answer: str


def _fmt(value: float, pt: bool) -> str:
    if value == int(value):
        text = f"{int(value):,}"
        return text.replace(",", ".") if pt else text
    text = f"{value:,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") if pt else text


def _numbers(text: str) -> list[tuple[int, float]]:
    found = []
    for m in re.finditer(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w])", text):
        raw = m.group(1)
        value = float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw else float(raw.replace(",", ""))
        found.append((m.start(), value))
    folded = lang.fold(text)
    for m in re.finditer(r"[^\W\d_]+", folded):
        if m.group(0) in NUMBER_WORDS and m.group(0) not in ("um", "uma", "one"):
            found.append((m.start(), float(NUMBER_WORDS[m.group(0)])))
    return sorted(found)


def solve(question: str, language: str) -> Solution | None:
    """Steps and the answer of an arithmetic word problem, or None when the question is not one."""
    pt = language == "pt-BR"
    folded = lang.fold(question)
    numbers = _numbers(question)
    if not numbers:
        return None
    percent = re.search(r"(\d+(?:[.,]\d+)?)\s*%", question)
    if percent and len(numbers) >= 2:
        rate = float(percent.group(1).replace(",", "."))
        base = next(v for pos, v in numbers if not (percent.start() <= pos <= percent.end()))
        increase = re.search(r"\b(increase|raise|more|aumento|acrescimo|juros|reajuste|mais)\b", folded)
        part = base * rate / 100
        final = base + part if increase else base - part
        word = ("increase", "aumento") if increase else ("discount", "desconto")
        steps = [
            f"{'O valor inicial é' if pt else 'The starting amount is'} {_fmt(base, pt)}.",
            f"{rate:g}% {'de' if pt else 'of'} {_fmt(base, pt)} = {_fmt(base, pt)} × {rate:g} / 100 = {_fmt(part, pt)} "
            f"({word[1] if pt else word[0]}).",
            f"{_fmt(base, pt)} {'+' if increase else '−'} {_fmt(part, pt)} = {_fmt(final, pt)}.",
        ]
        return Solution(steps, _fmt(final, pt))
    if len(numbers) < 2 or not re.search(r"\b(how many|how much|quant[oa]s?|total|result|resultado|sobra|left|remain)\b", folded):
        return None
    total = numbers[0][1]
    steps = [f"{'Começo com' if pt else 'Start with'} {_fmt(total, pt)}."]
    previous = numbers[0][0]
    for pos, value in numbers[1:]:
        # The verb just before a quantity says what happens to it ("buy 5", "eat 2"); else the word after ("5 more").
        before = " ".join(re.findall(r"[^\W\d_]+", folded[previous:pos])[-3:])
        after = " ".join(re.findall(r"[^\W\d_]+", folded[pos : pos + 30])[:2])
        window = before if re.search(r"\b(" + "|".join((_ADD, _SUB, _MUL, _DIV)) + r")\b", before) else after
        previous = pos
        if re.search(r"\b" + _DIV + r"\b", window):
            new, sign = total / value if value else total, "÷"
        elif re.search(r"\b" + _MUL + r"\b", window):
            new, sign = total * value, "×"
        elif re.search(r"\b" + _SUB + r"\b", window):
            new, sign = total - value, "−"
        elif re.search(r"\b" + _ADD + r"\b", window):
            new, sign = total + value, "+"
        else:
            return None
        steps.append(f"{_fmt(total, pt)} {sign} {_fmt(value, pt)} = {_fmt(new, pt)}.")
        total = new
    return Solution(steps, _fmt(total, pt))


def wants_steps(prompt: str) -> bool:
    """Whether a prompt asks the model to reason step by step (chain-of-thought)."""
    return bool(re.search(r"\b(step by step|step-by-step|show your (work|reasoning)|explain your reasoning|think it through|"
                          r"passo a passo|mostre (seu|o) raciocinio|explique (seu|o) raciocinio|pense com calma|cadeia de pensamento|chain of thought)\b",
                          lang.fold(prompt)))
