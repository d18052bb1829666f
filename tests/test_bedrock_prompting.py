"""Prompt techniques that visibly work on the simulated Bedrock: few-shot beats zero-shot on custom labels, in every
common example format; system prompts are obeyed; JSON with asked fields; chain-of-thought shows steps; translation
and summaries read right; and variety follows the sampling parameters."""

from __future__ import annotations

import json

import pytest
from bedrock_calls import ask, ledger

from bedrock_eval import TICKET_EXAMPLES, TICKET_LABELS, TICKETS

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"




def test_few_shot_beats_zero_shot_on_custom_labels_and_the_ledger_tells_them_apart(cloud, aws):
    rt = aws("bedrock-runtime")
    examples = "\n".join(f'Ticket: "{text}" -> {label}' for text, label in TICKET_EXAMPLES)
    zero = few = 0
    for text, label in TICKETS:
        zero += ask(rt, f"Classifique o ticket em uma destas categorias: {', '.join(TICKET_LABELS)}.\nTicket: \"{text}\"") == label
        few += ask(rt, f"Classifique os tickets de suporte.\n{examples}\nTicket: \"{text}\" ->") == label
    assert few == len(TICKETS) and zero <= len(TICKETS) // 2 and few > zero
    records = ledger(cloud)
    assert {(r["shots"], r["fewShotExamples"]) for r in records[0::2]} == {("zero-shot", 0)}
    assert {(r["shots"], r["fewShotExamples"]) for r in records[1::2]} == {("few-shot", len(TICKET_EXAMPLES))}
    assert [r["label"] for r in records[1::2]] == [label for _, label in TICKETS]


@pytest.mark.parametrize(("prompt", "label", "count"), [
    ('Frase: "Adorei o atendimento" Sentimento: positivo\nFrase: "O app trava toda hora" Sentimento: negativo\n'
     'Frase: "A entrega foi rápida e o produto é excelente" Sentimento:', "positivo", 2),
    ("Input: I love this phone\nOutput: happy\nInput: Battery died after a day\nOutput: angry\nInput: Fantastic camera and fast delivery\nOutput:",
     "happy", 2),
    ('Exemplos: [{"texto": "Fui cobrado duas vezes", "categoria": "FIN"}, {"texto": "O site dá erro", "categoria": "TEC"}]\n'
     'Classifique: O aplicativo fecha sozinho', "TEC", 2),
    ("<example><text>My invoice is wrong</text><label>BILLING</label></example>"
     "<example><text>The page shows an error</text><label>TECH</label></example>\n<text>I was charged twice</text>", "BILLING", 2),
    ("Q: Where is my parcel? It never arrived.\nA: SHIPPING\nQ: The app crashes on start\nA: TECH\nQ: My order is three days late\nA:", "SHIPPING", 2),
    ("Pergunta: Quero meu dinheiro de volta\nCategoria: REEMBOLSO\nPergunta: Não consigo entrar na conta\nCategoria: ACESSO\n"
     "Pergunta: Esqueci minha senha\nCategoria:", "ACESSO", 2),
])
def test_few_shot_formats_are_recognised(cloud, aws, prompt, label, count):
    assert ask(aws("bedrock-runtime"), prompt) == label
    record = ledger(cloud)[-1]
    assert record["fewShotExamples"] == count and record["shots"] == "few-shot"


def test_zero_shot_picks_one_of_the_labels_the_instruction_lists(cloud, aws):
    rt = aws("bedrock-runtime")
    assert ask(rt, "Classify this message as BILLING, SHIPPING or TECHNICAL: My package is three days late.") == "SHIPPING"
    assert ask(rt, "Classifique como ELOGIO, RECLAMACAO ou DUVIDA: o produto chegou quebrado e ninguém responde.") in ("ELOGIO", "RECLAMACAO", "DUVIDA")
    assert ask(rt, "Classify the review as positive, negative or neutral: 'The product arrived broken and support never answered.'") == "negative"
    assert {r["shots"] for r in ledger(cloud)} == {"zero-shot"}


def test_system_prompts_set_persona_language_format_and_length(cloud, aws):
    rt = aws("bedrock-runtime")
    answer = ask(rt, "What is Amazon Bedrock?", system="You are a friendly tutor. Answer in at most 25 words.")
    assert answer.startswith("As a friendly tutor") and len(answer.split()) <= 25
    answer = ask(rt, "What is RAG?", system="Responda sempre em português, em tópicos.")
    assert answer.startswith("- A geração aumentada por recuperação") and answer.count("\n- ") >= 1
    answer = ask(rt, "What is a token?", system="Answer in one sentence.")
    assert answer.count(". ") == 0 and answer.endswith(".")
    answer = ask(rt, "O que é o Amazon SageMaker?", system="Answer in English.")
    assert answer.startswith("Amazon SageMaker is")


def test_json_with_the_asked_fields(cloud, aws):
    rt = aws("bedrock-runtime")
    value = json.loads(ask(rt, 'Answer in JSON with the fields "term" and "definition": what is a context window?'))
    assert value["term"] == "context window" and "maximum number of tokens" in value["definition"]
    value = json.loads(ask(rt, "Responda em JSON com os campos nome, cidade e idade: Ana tem 34 anos e mora em Lisboa."))
    assert value == {"nome": "Ana", "cidade": "Lisboa", "idade": 34}
    value = json.loads(ask(rt, 'Answer in JSON with the keys "sentiment" and "confidence": I love this course!'))
    assert value["sentiment"] == "Positive" and 0 < value["confidence"] <= 1


def test_chain_of_thought_shows_steps_and_reasoning_models_think(cloud, aws):
    rt = aws("bedrock-runtime")
    answer = ask(rt, "If I have 3 apples and buy 5 more, then eat 2, how many apples do I have? Think step by step.")
    assert answer == "1. Start with 3.\n2. 3 + 5 = 8.\n3. 8 − 2 = 6.\nAnswer: 6"
    answer = ask(rt, "Explique passo a passo: um pedido custa R$ 120 e tem desconto de 10%. Quanto pago?")
    assert "10% de 120 = 120 × 10 / 100 = 12" in answer and answer.endswith("Resposta: 108")
    assert ask(rt, "If I have 3 apples and buy 5 more, then eat 2, how many apples do I have?") == "The answer is 6."
    steps = ask(rt, "Explain step by step how RAG works.")
    assert steps.startswith("1. Retrieval-augmented generation") and "\n2. " in steps
    r = rt.converse(modelId="us.deepseek.r1-v1:0", messages=[{"role": "user", "content": [{"text": "I have 10 euros and spend 4. How much is left?"}]}])
    blocks = r["output"]["message"]["content"]
    assert "10 − 4 = 6" in blocks[0]["reasoningContent"]["reasoningText"]["text"] and blocks[1]["text"] == "The answer is 6."


def test_translation_and_summaries_read_right(cloud, aws):
    rt = aws("bedrock-runtime")
    assert ask(rt, "Translate to English: O Amazon Bedrock é um serviço totalmente gerenciado que oferece modelos de base por meio de uma API.") == \
        "Amazon Bedrock is a fully managed service that offers foundation models through an API."
    assert ask(rt, "Traduza para o português: Retrieval-augmented generation reduces hallucinations.") == \
        "Geração aumentada por recuperação reduz alucinações."
    assert ask(rt, "Translate to English: Os funcionários recebem trinta dias de férias por ano.") == \
        "The employees receive thirty vacation days per year."
    summary = ask(rt, "Summarize in English: A Secretaria de Saúde de Campinas informou que a vacinação contra a gripe começa na "
                      "segunda-feira nos postos de saúde. A campanha vai até o fim de maio. Idosos e crianças têm prioridade.")
    assert summary.startswith("Summary:") and "flu vaccination starts on Monday" in summary and " from " not in summary
    summary = ask(rt, "Resuma em uma frase: A Zentrix anunciou que todos os funcionários terão 30 dias de férias a partir de 2027. "
                      "A mudança foi aprovada pela diretoria após pesquisa interna. Os gestores devem atualizar as escalas.")
    assert summary == "Resumo: A Zentrix anunciou que todos os funcionários terão 30 dias de férias a partir de 2027."


def test_variety_follows_temperature_and_the_recorded_seed(cloud, aws):
    rt = aws("bedrock-runtime")
    question = "Explain what a foundation model is."

    def answers(n, **config):
        return [ask(rt, question, model="amazon.nova-lite-v1:0", **config) for _ in range(n)]

    assert len(set(answers(5, temperature=0))) == 1
    warm = answers(5, temperature=1.0)
    assert len(set(warm)) >= 3
    assert len(set(answers(5, temperature=0.5, topP=0.01))) == 1  # a tiny top-p leaves one wording
    # Warmer calls change more of the wording than cooler ones (words that differ from the temperature-0 answer).
    cold = answers(1, temperature=0)[0].split()

    def changed(texts):
        return sum(sum(a != b for a, b in zip(cold, t.split())) for t in texts)

    assert changed(answers(10, temperature=1.0)) > changed(answers(10, temperature=0.2))
    records = ledger(cloud)
    assert all(r["parameters"]["temperature"] == r["request"]["body"]["inferenceConfig"]["temperature"] for r in records)
    assert all(r["parameters"]["seed"] == r["seed"] for r in records)


def test_an_image_question_is_answered_in_the_question_language(cloud, aws):
    from gailab.simulator.bedrock.images import png

    rt, image = aws("bedrock-runtime"), {"image": {"format": "png", "source": {"bytes": png("a red ball", 1, 64, 64)}}}
    for question, words in (("O que há nesta imagem?", "Recebi 1 imagem"), ("What is in this image?", "I received 1 image")):
        r = rt.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [image, {"text": question}]}])
        assert r["output"]["message"]["content"][0]["text"].startswith(words)
