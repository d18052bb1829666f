"""What the simulated models know: every exam term answered with its defining words in pt-BR and en, common knowledge
answered right, and hallucinations only where real models hallucinate (flagged ungrounded in the ledger)."""

from __future__ import annotations


import pytest
from bedrock_calls import ask as ask_model
from bedrock_calls import ledger

from gailab.simulator.bedrock import catalog, knowledge, textgen
from gailab.simulator.bedrock.prompt import Prompt

SMALL, LARGE = "amazon.nova-micro-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

# term: (question in en, words the answer must have, question in pt-BR, words the answer must have)
TERMS = {
    "transformer": ("What is a transformer?", ["self-attention", "token"], "O que é um transformer?", ["autoatenção", "tokens"]),
    "diffusion": ("What is a diffusion model?", ["noise", "images"], "O que é um modelo de difusão?", ["ruído", "imagens"]),
    "token": ("What is a token?", ["word", "unit"], "O que é um token?", ["palavra", "unidade"]),
    "tokenizer": ("What does a tokenizer do?", ["splits", "vocabulary"], "O que faz um tokenizador?", ["divide", "vocabulário"]),
    "context window": ("What is a context window?", ["maximum number of tokens"], "O que é a janela de contexto?", ["número máximo de tokens"]),
    "chunking": ("What is chunking?", ["splitting documents", "overlap"], "O que é chunking?", ["dividir os documentos", "sobreposição"]),
    "embedding": ("What is an embedding?", ["vector", "meaning"], "O que é um embedding?", ["vetor", "significado"]),
    "vector": ("What is a vector?", ["list of numbers"], "O que é um vetor?", ["lista ordenada de números"]),
    "vector database": ("What is a vector database?", ["similarity search", "embeddings"], "O que é um banco de dados vetorial?", ["busca por similaridade"]),
    "RAG": ("What is RAG?", ["retrieved", "context"], "O que é RAG?", ["recuperados", "contexto"]),
    "Knowledge Bases": ("What are Amazon Bedrock Knowledge Bases?", ["RetrieveAndGenerate", "chunking"], "O que são as Bases de Conhecimento do Amazon Bedrock?", ["RetrieveAndGenerate", "chunking"]),
    "prompt engineering": ("What is prompt engineering?", ["instruction", "examples"], "O que é engenharia de prompt?", ["instrução", "exemplos"]),
    "zero/few-shot": ("What is the difference between zero-shot and few-shot prompting?", ["only the instruction", "examples"], "Qual a diferença entre zero-shot e few-shot?", ["só a instrução", "exemplos"]),
    "chain-of-thought": ("What is chain-of-thought prompting?", ["step by step"], "O que é chain-of-thought?", ["passo a passo"]),
    "system prompt": ("What is a system prompt?", ["role", "rules"], "O que é um prompt de sistema?", ["papel", "regras"]),
    "prompt template": ("What is a prompt template?", ["placeholders"], "O que é um template de prompt?", ["variáveis"]),
    "negative prompt": ("What is a negative prompt?", ["leave out"], "O que é um prompt negativo?", ["deixar fora"]),
    "prompt injection": ("What is prompt injection?", ["override", "instructions"], "O que é injeção de prompt?", ["substituir", "instruções"]),
    "temperature": ("What does temperature do?", ["random"], "O que faz a temperatura?", ["aleatória"]),
    "top-p": ("What is top-p?", ["probabilities"], "O que é top-p?", ["probabilidades"]),
    "top-k": ("What is top-k?", ["k most likely"], "O que é top-k?", ["k candidatos mais prováveis"]),
    "max tokens": ("What does max tokens do?", ["caps", "cost"], "O que faz o máximo de tokens?", ["limita", "custo"]),
    "stop sequences": ("What are stop sequences?", ["stop generating"], "O que são sequências de parada?", ["parar de gerar"]),
    "FM lifecycle": ("What is the FM lifecycle?", ["data selection", "pre-training", "fine-tuning", "evaluation", "deployment", "feedback"],
                     "Qual é o ciclo de vida de um modelo de base?", ["seleção de dados", "pré-treinamento", "ajuste fino", "avaliação", "implantação", "feedback"]),
    "pre-training": ("What is pre-training?", ["unlabelled"], "O que é pré-treinamento?", ["não rotulado"]),
    "fine-tuning": ("What is fine-tuning?", ["labelled examples"], "O que é ajuste fino?", ["exemplos rotulados"]),
    "customisation": ("What is the difference between fine-tuning, continued pre-training and distillation?", ["unlabelled domain text", "teacher"],
                      "Qual a diferença entre ajuste fino, pré-treinamento contínuo e destilação?", ["texto do domínio sem rótulos", "professor"]),
    "model evaluation": ("How does model evaluation work on Bedrock?", ["LLM-as-a-judge", "human"], "Como funciona a avaliação de modelos no Bedrock?", ["LLM como juiz", "humanas"]),
    "hallucination": ("What is a hallucination?", ["false"], "O que é alucinação?", ["falsa"]),
    "non-determinism": ("What is non-determinism in generative AI?", ["same prompt", "different"], "O que é não determinismo?", ["mesmo prompt", "diferentes"]),
    "interpretability": ("What is interpretability?", ["understand why"], "O que é interpretabilidade?", ["entender por que"]),
    "knowledge cut-off": ("What is a knowledge cutoff?", ["training data"], "O que é a data de corte do conhecimento?", ["dados de treinamento"]),
    "model selection": ("How do I choose a model? What are the model selection factors?", ["latency", "cost"], "Quais são os critérios para escolher um modelo?", ["latência", "custo"]),
    "business metrics": ("Which business metrics measure generative AI value?", ["conversion rate", "ARPU", "CSAT", "cost per request"],
                         "Quais métricas de negócio medem o valor da IA generativa?", ["taxa de conversão", "ARPU", "CSAT", "custo por requisição"]),
    "on-demand": ("What is on-demand inference on Bedrock?", ["per input and output token"], "O que é a inferência sob demanda?", ["por token de entrada e de saída"]),
    "batch": ("What is batch inference?", ["50%", "JSONL"], "O que é inferência em lote?", ["50%", "JSONL"]),
    "provisioned throughput": ("What is provisioned throughput?", ["model units", "per hour"], "O que é throughput provisionado?", ["unidades de modelo", "por hora"]),
    "cross-Region inference": ("What is cross-region inference?", ["inference profile"], "O que é inferência entre regiões?", ["perfil de inferência"]),
    "Guardrails": ("What are Amazon Bedrock Guardrails?", ["denied topics", "contextual grounding"], "O que é o Amazon Bedrock Guardrails?", ["tópicos negados", "fundamentação contextual"]),
    "invocation logging": ("What is model invocation logging?", ["CloudWatch Logs", "S3"], "O que é o registro de invocação de modelo?", ["CloudWatch Logs", "S3"]),
    "Agents": ("What are Amazon Bedrock Agents?", ["action groups", "multi-step"], "O que são os Agentes do Amazon Bedrock?", ["grupos de ações", "várias etapas"]),
    "PartyRock": ("What is PartyRock?", ["playground", "no code"], "O que é o PartyRock?", ["playground", "sem código"]),
    "Amazon Q": ("What is Amazon Q?", ["Amazon Q Business", "Amazon Q Developer"], "O que é o Amazon Q?", ["Amazon Q Business", "Amazon Q Developer"]),
    "Amazon Titan": ("What is Amazon Titan?", ["family of foundation models", "Titan Text Embeddings"], "O que é o Amazon Titan?", ["família de modelos de base"]),
    "Amazon Nova": ("What is Amazon Nova?", ["Nova Micro", "Nova Canvas", "Nova Reel"], "O que é o Amazon Nova?", ["Nova Micro", "Nova Canvas", "Nova Reel"]),
    "JumpStart": ("What is SageMaker JumpStart?", ["pre-trained models"], "O que é o SageMaker JumpStart?", ["modelos pré-treinados"]),
    "Studio": ("What is SageMaker Studio?", ["IDE", "notebooks"], "O que é o SageMaker Studio?", ["IDE", "notebooks"]),
    "Canvas": ("What is SageMaker Canvas?", ["no-code"], "O que é o SageMaker Canvas?", ["sem código"]),
    "endpoints": ("What is a SageMaker endpoint?", ["InvokeEndpoint", "per hour"], "O que é um endpoint do SageMaker?", ["InvokeEndpoint", "por hora"]),
    "shared responsibility": ("What is the shared responsibility model?", ["security of the cloud", "security in the cloud"],
                              "O que é o modelo de responsabilidade compartilhada?", ["segurança da nuvem", "segurança na nuvem"]),
    "privacy on Bedrock": ("Does Amazon Bedrock use my prompts to train models? What about data privacy?", ["not used to train", "encrypted"],
                           "O Bedrock usa meus dados para treinar os modelos? E a privacidade?", ["não são usados para treinar", "criptografados"]),
}


def ask(rt, model, question):
    return ask_model(rt, question, model)



def test_every_exam_term_is_answered_with_its_defining_words_in_both_languages(cloud, aws):
    rt = aws("bedrock-runtime")
    missing = []
    for term, (en_q, en_words, pt_q, pt_words) in TERMS.items():
        for model in (SMALL, LARGE):
            for question, words in ((en_q, en_words), (pt_q, pt_words)):
                answer = ask(rt, model, question)
                for word in words:
                    if word.lower() not in answer.lower():
                        missing.append(f"{term} / {model} / {question!r}: no {word!r} in {answer[:120]!r}")
    assert missing == []
    records = ledger(cloud)
    assert len(records) == 4 * len(TERMS)
    assert {(r["task"], r["grounded"]) for r in records} == {("knowledge", True)}
    assert all(r["groundingScore"] == 1.0 and r["relevanceScore"] > 0.3 for r in records)


def test_no_fact_base_term_gets_an_invented_answer():
    """Every key phrase of every fact, asked about in both languages, by the smallest model: never an invention."""
    small = catalog.get(SMALL)
    invented = []
    for fact in knowledge.facts():
        for key in fact.keys:
            if "+" in key:
                continue
            for question in (f"What is {key}?", f"O que é {key}?", f"Tell me about {key}."):
                gen = textgen.generate(Prompt(turns=[("user", question)], temperature=0), small, "q", 1)
                if gen.task == "ungrounded" or not gen.grounded:
                    invented.append(f"{question} -> {gen.text[:100]}")
    assert invented == []


def test_common_knowledge_is_right(cloud, aws):
    rt = aws("bedrock-runtime")
    for model in (SMALL, LARGE):
        assert ask(rt, model, "What is the capital of Australia?") == "The capital of Australia is Canberra."
        assert ask(rt, model, "Qual é a capital do Brasil?") == "A capital do Brasil é Brasília."
        assert "Ottawa" in ask(rt, model, "What's the capital of Canada?")
        assert "100 °C" in ask(rt, model, "At what temperature does water boil?")
        assert "oito planetas" in ask(rt, model, "Quantos planetas tem o Sistema Solar?")
        assert ask(rt, model, "What is 17 * 3?") == "17 * 3 = 51"
    assert {r["grounded"] for r in ledger(cloud)} == {True}


@pytest.mark.parametrize(("question", "why"), [
    ("Who founded the Lumora Institute of Applied Poetry?", "a name the model never saw"),
    ("What is the capital of Wakanda?", "a fictional country"),
    ("What does our company's travel policy say about hotels?", "a private document"),
    ("Quem venceu a Copa do Mundo de 2026?", "an event after the knowledge cut-off"),
    ("Cite three peer-reviewed papers about retrieval-augmented generation.", "exact citations"),
])
def test_hallucinations_happen_where_real_models_hallucinate_and_are_flagged(cloud, aws, question, why):
    rt = aws("bedrock-runtime")
    answer = ask(rt, "amazon.nova-pro-v1:0", question)
    record = ledger(cloud)[-1]
    assert record["task"] == "ungrounded" and record["grounded"] is False, (why, answer)
    assert record["groundingScore"] == 0.0 and len(answer.split()) > 5


def test_unknown_general_questions_get_an_honest_i_dont_know(cloud, aws):
    rt = aws("bedrock-runtime")
    answer = ask(rt, SMALL, "What is a quasar?")
    assert "I don't have reliable information" in answer
    answer = ask(rt, SMALL, "O que é um quasar?")
    assert "Não tenho informações confiáveis" in answer
    assert [(r["task"], r["grounded"]) for r in ledger(cloud)] == [("unknown", True), ("unknown", True)]
