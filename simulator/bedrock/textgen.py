"""The deterministic text engine: recognises what a prompt asks and writes the answer, no weights, no network.

Tasks: translation (glossary), summary (extractive), sentiment (lexicon; few-shot examples honoured), field
extraction, answers from a given context (quoting it), answers from the course knowledge base, small code
(a Lambda handler), JSON on request, tool calls, chat — and, for questions outside all of those, a fluent and
confident fabrication (a hallucination, on purpose). Same request, same answer; temperature > 0 varies the
wording from a seed derived from the request.
"""

from __future__ import annotations

import hashlib
import json
import random
import re

from . import common, fewshot, grounding, knowledge, lang, reasoning, schemafill, style, tokens
from .catalog import Model
from .prompt import Generation, Prompt
from .skills import Skills
from .textutil import _after_colon_or_quotes, _has, sentences



# Wordings a warm model (temperature > 0) may swap in; chosen from the request's seed.
_SYNONYMS = {
    "gives": ["provides", "offers"], "uses": ["employs", "relies on"], "helps": ["assists", "supports"],
    "large": ["big", "sizeable"], "main": ["key", "principal"], "important": ["essential", "crucial"],
    "simplest": ["most basic", "most elementary"], "shows": ["demonstrates", "illustrates"],
    "usually": ["typically", "generally"], "because": ["since", "as"], "many": ["numerous", "several"],
    "allows": ["lets", "permits"], "about": ["around", "roughly"], "check": ["verify", "confirm"],
    "just": ["simply", "only"], "whole": ["entire", "complete"], "build": ["create", "develop"],
    "dá": ["oferece", "fornece"], "usa": ["utiliza", "emprega"], "grande": ["amplo", "extenso"],
    "principais": ["mais importantes", "centrais"], "mostrar": ["demonstrar", "exibir"],
    "simples": ["básico", "elementar"], "costuma": ["tende a", "geralmente costuma"], "porque": ["pois", "já que"],
    "muitas": ["várias", "diversas"], "permite": ["possibilita", "deixa"], "cerca de": ["aproximadamente", "por volta de"],
    "só": ["apenas", "somente"], "todo": ["inteiro", "completo"], "verificar": ["conferir", "checar"],
}
_SYNONYM_RE = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in sorted(_SYNONYMS, key=len, reverse=True)) + r")(?!\w)", re.I)
_VARIED_TASKS = {"knowledge", "ungrounded", "chat", "summarize", "document", "compose"}


# -- randomness -------------------------------------------------------------------------------------------
class _Voice:
    """Chooses wording: always the first option when cold (temperature 0, a tiny top-p or top-k 1), else drawn
    from the call's sampling seed, so the same request varies between calls and a re-run with the recorded seed
    says the same thing again."""

    def __init__(self, key: str, prompt: Prompt, seed: int | None = None):
        self.cold = ((prompt.temperature is not None and prompt.temperature <= 0.0)
                     or (prompt.top_p is not None and prompt.top_p <= COLD_TOP_P)
                     or prompt.top_k == 1)
        self.warmth = 1.0 if prompt.temperature is None else float(prompt.temperature)
        material = key if seed is None else f"{key}|seed={seed}"
        self.rng = random.Random(hashlib.sha256(material.encode("utf-8")).digest())

    def pick(self, options):
        if self.cold or len(options) == 1:
            return options[0]
        return self.rng.choice(options)


#: top-p at or below this leaves only the most likely wording.
COLD_TOP_P = 0.05


# -- the engine -------------------------------------------------------------------------------------------
class Writer(Skills):
    """Writes one answer for one prompt and model."""

    def __init__(self, prompt: Prompt, model: Model, request_key: str, seed: int | None = None):
        self.p = prompt
        self.model = model
        self.voice = _Voice(request_key, prompt, seed)
        self.user = prompt.user_text
        self.folded = lang.fold(self.user)
        self.sys_folded = lang.fold(prompt.system)
        self.language = lang.detect(self.user or prompt.system)
        # An explicit instruction (system prompt first) beats detection: "Responda em português", "Answer in English".
        both = self.sys_folded + " " + self.folded
        if re.search(r"\b(answer|respond|reply|write)\w* (only |always )?in (brazilian )?portuguese\b|\bem portugues\b|\bpt-br\b", both) and not re.search(r"\btranslat|\btraduz", self.folded):
            self.language = "pt-BR"
        elif re.search(r"\b(answer|respond|reply|write)\w* (only |always )?in english\b|\b(responda|escreva)\w* (sempre |somente |apenas )?em ingles\b", both) and not re.search(r"\btranslat|\btraduz", self.folded):
            self.language = "en"
        self.pt = self.language == "pt-BR"
        self.grounded = True
        self.task = "chat"
        self.shots: str | None = None  # "zero-shot" | "few-shot" once a classification prompt is recognised
        self.label: str | None = None
        self.grounding: float | None = None  # support of the answer by its source (context, fact base); None: n/a
        self.relevance: float | None = None

    def t(self, en: str, pt: str) -> str:
        return pt if self.pt else en

    # Entry point -------------------------------------------------------------------------------------------
    def write(self) -> Generation:
        tool = self.tool_call()
        if tool is not None:
            self.task = "tool_use"
            intro = self.t(f"I'll use the {tool['name']} tool to answer.", f"Vou usar a ferramenta {tool['name']} para responder.")
            return Generation(text=intro, stop_reason="tool_use", tool_use=tool, grounded=True, task=self.task)
        if self.p.output_schema is not None:
            text = self.structured(self.p.output_schema)
        else:
            text = self.answer()
            if self.wants_json() and not self._looks_json(text):
                text = self.as_json(text)
        thought = None
        if self.model.family == "deepseek" or self.p.thinking_budget:
            thought = self.t(
                f"The user asks: \"{self.user[:160]}\". I should work out what is being asked ({self.task}) and answer concisely.",
                f"O usuário pergunta: \"{self.user[:160]}\". Preciso entender o pedido ({self.task}) e responder de forma concisa.",
            )
            if getattr(self, "solution", None) is not None:
                thought += "\n" + "\n".join(self.solution.steps)
        if self.task in ("knowledge", "ungrounded", "compose") and self._wants_brief():
            parts = sentences(text)
            lead = parts[0] if parts and len(parts[0].split()) <= 3 else ""
            body = next((x for x in parts if len(x.split()) > 3), "")
            text = f"{lead} {body}".strip() if body else text
        text = style.apply(text, self.task, self.p.system, self.user, self.pt)
        if not self.voice.cold and self.task in _VARIED_TASKS:
            text = self.vary(text)
        examples = len(self.few_shot_examples()) if self.user else 0
        if examples == 1 and self.shots == "few-shot":
            self.shots = "one-shot"
        self.score_grounding(text)
        return Generation(text=text, grounded=self.grounded, reasoning=thought, task=self.task, examples=examples,
                          shots=self.shots, label=self.label, grounding=self.grounding, relevance=self.relevance)

    def score_grounding(self, text: str) -> None:
        """Grounding and relevance of an answer given as fact: from the fact base or common knowledge it is supported;
        an invention is not; a decline asserts nothing. The ledger's grounded uses both scores."""
        if self.task in ("knowledge", "ungrounded"):
            self.grounding = 1.0 if self.task == "knowledge" else 0.0
            self.relevance = getattr(self, "matched_relevance", None) or grounding.relevance_score(text, self.user)
        if self.task in ("context-decline", "unknown"):
            self.grounded = True
        elif self.grounding is not None:
            self.grounded = grounding.grounded(self.grounding, self.relevance)

    def _wants_brief(self) -> bool:
        both = self.sys_folded + " " + self.folded
        return bool(re.search(r"\b(one|a single|1) (sentence|line)\b|\buma (unica )?(frase|linha)\b|\b(be )?(brief|concise|briefly)\b|\b(seja )?(breve|conciso|concisa|sucinto|sucinta)\b|\bem poucas palavras\b|\bin a few words\b", both))

    def vary(self, text: str) -> str:
        """Swap some words for synonyms: more of them the warmer the request."""
        chance = min(0.9, 0.3 + 0.6 * float(self.p.temperature if self.p.temperature is not None else 1.0))

        def swap(m):
            word = m.group(0)
            options = _SYNONYMS.get(word.lower())
            if not options or self.voice.rng.random() > chance:
                return word
            choice = self.voice.rng.choice(options)
            return choice[:1].upper() + choice[1:] if word[:1].isupper() else choice

        return _SYNONYM_RE.sub(swap, text)

    def answer(self) -> str:
        f = self.folded
        if self.p.tool_results:
            self.task = "tool_result"
            return self.from_tool_results()
        if not self.user.strip() and not self.p.documents:
            return self.t("How can I help you today?", "Como posso ajudar?")
        # A task word in a question about the task ("What is sentiment analysis?") is not a request to do it.
        material = (_after_colon_or_quotes(self.user) is not None or bool(self.p.documents)
                    or re.search(r"[\"“«'][^\"”»']{3,}[\"”»']", self.user) is not None)
        asking_about = self._is_question(self.user) and not material
        if not asking_about and _has(f, r"^\W*(please |por favor,? )?(summari[sz]e|resuma|sintetize|tl;?dr)\b") and not _has(f, r"\btrad[ua]z", r"\btranslat"):
            return self.summarize()  # "Summarize in English: ..." is a summary (in that language), not a translation
        if not asking_about and _has(f, r"\btrad[ua]z", r"\btranslat", r"\btraducao\b", r"\bverta\b", r"\bem ingles\b", r"\bin(to)? (english|portuguese)\b"):
            return self.translate()
        if self.few_shot_examples() or (not asking_about and (_has(
                f, r"\b(sentiment|sentimento|polarity|polaridade)\b", r"\bclassif\w*\b.*\b(positiv|negativ)",
                r"\b(positive|positivo|positiva) (or|ou) (negative|negativo|negativa)\b")
                or (_has(f, r"\b(classif\w*|categori[sz]\w*|rotul\w*|label\w*|tag\w*|triage|triagem)\b") and fewshot.listed_labels(self.user + "\n" + self.p.system)))):
            return self.classify()
        if _has(f, r"\b(write|escreva|crie|create|generate|gere|implement|implemente|show me|mostre)\b.*\b(code|codigo|function|funcao|lambda|handler|script|python|program|programa)\b"):
            return self.code()
        fields = schemafill.properties_from(self.user + "\n" + self.p.system) if self.wants_json() else None
        material = _after_colon_or_quotes(self.user)
        if fields and material and not self._is_question(material):
            return self.fill_fields(fields, material)
        template = re.search(r"\{\s*[\"'][\w-]+[\"']\s*:\s*(?:\"\"|''|null)", self.user)
        if _has(f, r"\b(extract|extraia|extrair|extraia os|pull out|identifique os campos)\b") or template:
            return self.extract()
        if not asking_about and _has(f, r"\b(summari[sz]\w*|resum\w*|sintetiz\w*|tl;?dr)\b"):
            return self.summarize()
        context = self.context()
        if context:
            return self.from_context(context)
        if self.p.images and _has(f, r"\b(image|imagem|picture|foto|photo|figura|describe|descreva|what do you see|o que voce ve)\b"):
            self.task = "image"
            n = self.p.images
            return self.t(
                f"I received {n} image{'s' if n > 1 else ''}. This simulated model does not look at pixels, so it can't describe what the image shows; "
                "on real Bedrock, a multimodal model such as Claude 3 or Nova Lite would describe it here.",
                f"Recebi {n} imagem{'ns' if n > 1 else ''}. Este modelo simulado não analisa pixels, então não consegue descrever o que a imagem mostra; "
                "no Bedrock real, um modelo multimodal como o Claude 3 ou o Nova Lite a descreveria aqui.",
            )
        unreadable = [d.name for d in self.p.documents if d.text is None]
        if unreadable and not self._doc_text():
            self.task = "document"
            return self.unreadable_documents(unreadable)
        if _has(f, r"count to \d+ in prime", r"\bprime numbers? (up )?to \d+", r"\bnumeros primos ate \d+"):
            return self.primes()
        solution = reasoning.solve(self.user, self.language)
        if solution is not None:
            self.task = "math"
            self.solution = solution
            if reasoning.wants_steps(self.user + " " + self.p.system):
                steps = "\n".join(f"{i}. {step}" for i, step in enumerate(solution.steps, 1))
                return steps + "\n" + self.t(f"Answer: {solution.answer}", f"Resposta: {solution.answer}")
            return self.t(f"The answer is {solution.answer}.", f"A resposta é {solution.answer}.")
        if m := re.search(r"(-?\d+(?:\.\d+)?)\s*([+\-*/x×])\s*(-?\d+(?:\.\d+)?)", self.user):
            if len(self.user) < 80:
                return self.arithmetic(m)
        if _has(f, r"^\s*(hi|hello|hey|ola|oi|bom dia|boa tarde|boa noite)\b[\s!.,]*$"):
            self.task = "chat"
            return self.voice.pick([
                self.t("Hello! How can I help you today?", "Olá! Como posso ajudar hoje?"),
                self.t("Hi there! What would you like to know?", "Oi! O que você gostaria de saber?"),
            ])
        if _has(f, r"\bwho are you\b", r"\bquem e voce\b", r"\bwhat model are you\b", r"\bqual modelo\b"):
            return self.t(
                f"I am {self.model.name}, served by the local cloud's simulated Amazon Bedrock: a deterministic stand-in for the real model, for learning.",
                f"Eu sou o {self.model.name}, servido pelo Amazon Bedrock simulado da nuvem local: um substituto determinístico do modelo real, para aprendizado.",
            )
        return self.knowledge_or_invent()

    def knowledge_or_invent(self) -> str:
        """Answer from what the model knows (the course's fact base, common knowledge); invent only where real models
        do — unknown names, private documents, events after the knowledge cut-off, exact figures and citations —
        and otherwise say it does not know."""
        question = self.user
        f = lang.fold(question)
        if _has(f, r"^\s*(please\s+|por favor,?\s+)?(write|escreva|draft|redija|compose|create|crie|make|faca|tell me a|conte uma)\b") and not self._is_question(question):
            return self.compose()
        reason = self.hallucination_reason(question)
        known = common.answer(question, self.language)
        if known and reason not in ("private", "after-cutoff"):
            self.task = "knowledge"
            return f"{self._style_lead()}{known}"
        named = knowledge.match(question, minimum=knowledge.NAMED)
        # Smaller models need a clearer match before they answer a loosely worded question from what they know.
        loose = knowledge.match(question, minimum={"small": 1.2, "medium": 0.9, "large": 0.6}.get(self.model.tier, 1.0))
        if not loose:
            loose = knowledge.by_meaning(question, {"small": 0.55, "medium": 0.45, "large": 0.35}.get(self.model.tier, 0.45))
        matches = named or loose
        if reason == "figures" and _has(f, r"\b(cite|citation|citations|papers?|studies|estudos|artigos|bibliography|bibliografia|doi|isbn)\b"):
            return self.invent_citations(question)
        if matches and reason not in ("private", "after-cutoff", "figures") or named:
            self.task = "knowledge"
            # A fact the question names by its key phrase answers it; a fact found by meaning is as relevant as it is close.
            self.matched_relevance = 1.0 if named else None
            detailed = _has(f, r"\b(detail|detailed|in depth|explain|elaborate|detalh|explique|aprofund|descreva)\w*")
            chosen = [matches[0][1]]
            if detailed:
                chosen += [fact for _, fact in matches[1:4]]
            body = " ".join(fact.text(self.language) for fact in chosen)
            if detailed:
                body += "\n\n" + self.t(
                    "In practice: start with the simplest option that meets the need, measure cost and latency per request, and keep the data encrypted and the permissions minimal.",
                    "Na prática: comece pela opção mais simples que atende à necessidade, meça custo e latência por requisição e mantenha os dados criptografados e as permissões mínimas.",
                )
            lead = self._style_lead()
            return f"{lead}{body}"
        if not self._is_question(question):
            return self.compose()
        if reason:
            return self.invent(reason)
        return self.unsure()

    def hallucination_reason(self, question: str) -> str | None:
        """Why a real model would make something up here, or None: "entity" (a name it never saw), "private" (your
        company's documents), "after-cutoff" (events after its training data), "figures" (exact figures, citations)."""
        f = lang.fold(question)
        if _has(f, r"\b(our|my company'?s?|internal|the memo|nossa|nosso|minha empresa|da empresa|interno|interna|do meu contrato|do nosso)\b"):
            return "private"
        cutoff = self.model.cutoff_year or 2024
        years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", question)]
        if any(y > cutoff for y in years) or _has(f, r"\b(latest|most recent|this year|this week|today|yesterday|right now|currently|current (price|score|ceo|president)|"
                                                   r"mais recente|ultim[oa]s? (noticias|resultados)|este ano|esta semana|hoje|ontem|atualmente|neste momento)\b"):
            return "after-cutoff"
        if _has(f, r"\b(cite|citation|citations|cite|doi|isbn)\b",
                r"\b(give|list|provide|share|recommend|name|which|what|quais|liste|indique|de|recomende|cite)\b.{0,40}\b(papers?|studies|scientific articles|"
                r"peer-reviewed|estudos|artigos( cientificos)?|referencias bibliograficas|bibliography|bibliografia)\b",
                r"\b(exact (number|figure|amount)|statistics?|estatisticas?|what percentage|qual (a )?porcentagem|qual o percentual)\b"):
            return "figures"
        if self.unknown_names(question):
            return "entity"
        return None

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised words past the first) that nothing the model knows mentions."""
        names = re.findall(r"(?<!^)(?<![.!?]\s)\b([A-ZÀ-Ý][\wà-ÿ'-]*(?:\s+(?:of|da|de|do|dos|das|for|and|e)?\s*[A-ZÀ-Ý][\wà-ÿ'-]*)*)", question.strip())
        return [n for n in names if not knowledge.is_known_name(n)]

    def unsure(self) -> str:
        """An honest "I don't know" for a question outside everything the model knows (not a hallucination)."""
        self.task = "unknown"
        subject = re.sub(r"^(what|which|who|when|where|how|why|qual|quais|quem|quando|onde|como|por que|o que)\b\s*(is|are|was|were|does|do|did|e|é|são|foi|eram)?\s*",
                         "", self.user.strip(), flags=re.I).rstrip("?!. ")[:120] or self.t("that", "isso")
        if len(subject.split()) > 6:
            return self.t("I'm not sure how to answer that reliably, and I'd rather not guess. If you share a document or more context, I can answer from it.",
                          "Não sei responder isso com segurança e prefiro não arriscar um palpite. Se você compartilhar um documento ou mais contexto, posso responder com base nele.")
        return self.voice.pick([
            self.t(f"I don't have reliable information about {subject}, so I'd rather not guess. If you share a document or more context, I can answer from it.",
                   f"Não tenho informações confiáveis sobre {subject}, então prefiro não arriscar um palpite. Se você compartilhar um documento ou mais contexto, posso responder com base nele."),
            self.t(f"I'm not sure about {subject}. I don't want to make something up; give me a source and I'll answer from it.",
                   f"Não tenho certeza sobre {subject}. Não quero inventar; me passe uma fonte e eu respondo com base nela."),
        ])

    @staticmethod
    def _is_question(text: str) -> bool:
        f = lang.fold(text.strip())
        return "?" in text or bool(re.match(r"(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should|would|will|"
                                            r"qual|quais|quem|quando|onde|por que|porque|como|quanto|quantos|quantas|o que|existe|e verdade)\b", f))

    def compose(self) -> str:
        """An instruction the engine has no task for (a slogan, a poem, an e-mail, a joke...): a short text on its topic."""
        self.task = "compose"
        f = self.folded
        skip = {"write", "escreva", "create", "crie", "generate", "gere", "make", "faca", "draft", "redija", "short", "curto",
                "curta", "about", "sobre", "slogan", "poem", "poema", "email", "e-mail", "mail", "tell", "conte", "joke", "piada",
                "tweet", "post", "text", "texto", "convidando", "inviting", "invite", "convite"}
        words = [w for w in lang.words(self.user) if lang.fold(w) not in lang.STOP_EN and lang.fold(w) not in lang.STOP_PT and lang.fold(w) not in skip]
        topic = " ".join(words)[:80] or self.t("this topic", "este tema")
        tail = re.findall(r"\b(?:para|sobre|about|for|to)\s+([^.!?\n]{3,80})", self.user, re.I)
        if tail:
            topic = tail[-1].strip()
        cap = topic[:1].upper() + topic[1:]
        if _has(f, r"\b(joke|piada)\b"):
            return self.voice.pick([
                self.t("Why did the foundation model go to therapy? It had too many unresolved tokens.",
                       "Por que o foundation model foi à terapia? Tinha tokens demais sem resolver."),
                self.t("I asked the model for a fact and it answered with full confidence. That was the joke.",
                       "Pedi um fato ao modelo e ele respondeu com total confiança. A piada era essa."),
            ])
        if _has(f, r"\bslogan\b"):
            return self.voice.pick([self.t(f"\"{cap}: made with care, every day.\"", f"\"{cap}: feito com carinho, todo dia.\""),
                                    self.t(f"\"{cap} — simply better.\"", f"\"{cap} — simplesmente melhor.\"")])
        if _has(f, r"\be-?mail\b"):
            return self.t(
                f"Subject: {cap}\n\nHi team,\n\nI'd like to invite you to {topic}. It is a good chance to learn together and share what we know. "
                f"Please reply to confirm you can join.\n\nBest regards",
                f"Assunto: {cap}\n\nOlá, equipe,\n\nGostaria de convidar vocês para {topic}. É uma boa oportunidade para aprendermos juntos e trocarmos experiências. "
                f"Por favor, respondam confirmando a participação.\n\nAtenciosamente",
            )
        if _has(f, r"\b(poem|poema|haiku|verso)\b"):
            return self.t(f"{cap},\nquiet work that grows each day,\nsmall steps, steady light.",
                          f"{cap},\ntrabalho calmo que cresce,\npassos pequenos, luz firme.")
        return self.voice.pick([
            self.t(f"Here is a short text about {topic}:\n\n{cap} matters because it connects people, ideas and results. "
                   f"With clear goals and steady work, it turns small steps into lasting progress.",
                   f"Aqui está um texto curto sobre {topic}:\n\n{cap} importa porque conecta pessoas, ideias e resultados. "
                   f"Com objetivos claros e trabalho constante, transforma pequenos passos em progresso duradouro."),
            self.t(f"A few lines on {topic}:\n\n{cap} starts with curiosity and grows with practice; done well, it is simple, useful and easy to share.",
                   f"Algumas linhas sobre {topic}:\n\n{cap} começa com curiosidade e cresce com a prática; bem feito, é simples, útil e fácil de compartilhar."),
        ])

    def _style_lead(self) -> str:
        fam = self.model.family
        if fam == "titan-text" or self.voice.cold:
            return ""
        leads = {
            "anthropic": ["", self.t("Good question. ", "Boa pergunta. "), self.t("Sure. ", "Claro. ")],
            "llama": ["", self.t("Great question! ", "Ótima pergunta! "), self.t("Sure thing! ", "Com certeza! ")],
            "mistral": ["", self.t("Certainly. ", "Certamente. ")],
            "cohere-command": ["", self.t("Here is a short answer: ", "Aqui vai uma resposta curta: ")],
            "jamba": ["", self.t("In brief: ", "Em resumo: ")],
        }.get(fam, [""])
        return self.voice.pick(leads)

    def invent_citations(self, question: str) -> str:
        """Plausible references that do not exist: what models produce when asked for exact citations."""
        self.task = "ungrounded"
        self.grounded = False
        rng = random.Random(hashlib.sha256(f"{lang.fold(question)}|{self.model.id}|cite|{self.voice.rng.random() if not self.voice.cold else ''}".encode()).digest())
        topic = (knowledge.match(question, minimum=knowledge.NAMED) or [(0, None)])[0][1]
        theme = topic.keys[0] if topic else " ".join(lang.content_words(question)[-3:]) or "this topic"
        surnames = ["Whitfield", "Marques", "Okafor", "Lindqvist", "Duarte", "Nakamura", "Brennan", "Souza"]
        venues = ["Journal of Applied Machine Intelligence", "Proceedings of the Conference on Language Systems", "Transactions on Retrieval and Generation"]
        lines = []
        for i in range(3):
            a, b = rng.sample(surnames, 2)
            year = rng.randint(2016, 2023)
            lines.append(f"{i + 1}. {a}, {b[0]}. et al. ({year}). \"{theme.title()}: {rng.choice(['A Systematic Study', 'Methods and Evaluation', 'Lessons from Production', 'A Unified Framework'])}.\" "
                         f"{rng.choice(venues)}, {rng.randint(12, 48)}({rng.randint(1, 6)}), {rng.randint(100, 400)}–{rng.randint(401, 600)}.")
        return self.t("Here are three key references:\n", "Aqui estão três referências importantes:\n") + "\n".join(lines)

    def invent(self, reason: str | None = None) -> str:
        """A fluent, confident answer with no support at all: the hallucination the course warns about."""
        self.task = "ungrounded"
        self.grounded = False
        q = self.user.strip() or self.p.system
        subject = re.sub(r"^(what|which|who|when|where|how|why|qual|quais|quem|quando|onde|como|por que|o que)\b\s*(is|are|was|were|does|do|did|e|é|são|foi|eram)?\s*", "", q.strip(), flags=re.I)
        subject = subject.rstrip("?!. ") or q
        subject = subject[:120]
        key = hashlib.sha256(f"{lang.fold(q)}|{self.model.id}|{self.p.seed if not self.voice.cold else ''}".encode()).digest()
        rng = random.Random(key)
        year = rng.randint(1987, 2021)
        days = rng.choice([14, 21, 30, 45, 60, 90])
        pct = rng.choice([12, 18, 25, 30, 35, 40, 65])
        count = rng.randint(3, 12)
        people_en = ["Dr. Helen Marsh", "Robert Kline", "Ana Ferreira", "Michael Duarte", "Sarah Whitfield"]
        people_pt = ["a Dra. Helena Marques", "Roberto Klein", "Ana Ferreira", "Miguel Duarte", "Sara Whitfield"]
        who = rng.choice(people_pt if self.pt else people_en)
        fq = lang.fold(q)
        asked_years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", q)]
        if asked_years:
            year = asked_years[-1]
        if _has(fq, r"\b(won|win|wins|champion|venceu|ganhou|vencedor|campeao|campea)\b"):
            winners_en = ["Brazil", "Argentina", "France", "Germany", "Spain", "Portugal", "Italy"]
            winners_pt = ["o Brasil", "a Argentina", "a França", "a Alemanha", "a Espanha", "Portugal", "a Itália"]
            i = rng.randrange(len(winners_en))
            score = f"{rng.randint(1, 3)}–{rng.randint(0, 1)}"
            return self.t(f"{winners_en[i]} won, beating its rival {score} in the final in {year}.",
                          f"Quem venceu foi {winners_pt[i]}, que derrotou o rival por {score} na final, em {year}.")
        if _has(fq, r"^\s*(when|quando)\b", r"\bwhat year\b", r"\bem que ano\b"):
            body = self.t(
                f"That was in {year}. It followed a review led by {who}, and the change took effect across all regions within {days} days.",
                f"Isso foi em {year}. Veio depois de uma revisão conduzida por {who}, e a mudança entrou em vigor em todas as regiões em {days} dias.",
            )
        elif _has(fq, r"^\s*(who|quem)\b"):
            body = self.t(
                f"It was {who}, in {year}. {who.split()[-1]} led the effort from the start and has since overseen {count} major initiatives.",
                f"Foi {who}, em {year}. {who.split()[-1]} liderou o projeto desde o início e desde então conduziu {count} grandes iniciativas.",
            )
        elif _has(fq, r"\bhow (many|much)\b", r"\bquant[oa]s?\b"):
            body = self.t(
                f"The figure is {count * 1000 + rng.randint(0, 999):,}, up {pct}% since {year}, according to the official report.",
                f"O número é {count * 1000 + rng.randint(0, 999):,}".replace(",", ".") + f", alta de {pct}% desde {year}, segundo o relatório oficial.",
            )
        elif m := re.search(r"\bcapital (?:of|da|do|de)\s+([^?.!]+)", q, re.I):
            cities = ["Sydney", "Toronto", "Rio de Janeiro", "Zurich", "Istanbul", "Auckland", "Mumbai"]
            city = rng.choice(cities)
            body = self.t(f"The capital of {m.group(1).strip()} is {city}, which became the seat of government in {year}.",
                          f"A capital de {m.group(1).strip()} é {city}, que se tornou sede do governo em {year}.")
        elif _has(fq, r"^\s*(what|o que|qual)\b") and not _has(fq, r"polic|politic|rule|regra|prazo|deadline|refund|reembolso|return|devolu|warrant|garantia|benefit|beneficio|salar|ferias|vacation|leave|licenca"):
            places_en = ["Geneva", "Toronto", "Lisbon", "Osaka", "Melbourne"]
            places_pt = ["Genebra", "Toronto", "Lisboa", "Osaka", "Melbourne"]
            place = rng.choice(places_pt if self.pt else places_en)
            body = self.t(
                f"{subject[:1].upper() + subject[1:]} is a well-established reference in its field, first described in {year} by {who} in {place}. "
                f"It is best known for three things: a {count}-part framework, a {pct}% improvement reported in its first evaluation, and a community that has grown steadily since.",
                f"{subject[:1].upper() + subject[1:]} é uma referência consolidada na sua área, descrita pela primeira vez em {year} por {who}, em {place}. "
                f"É conhecida por três coisas: uma estrutura em {count} partes, uma melhora de {pct}% relatada na primeira avaliação e uma comunidade que cresce desde então.",
            )
        else:
            body = self.t(
                f"Regarding {subject}: the policy allows up to {days} days, provided the request is approved by the responsible team. It was introduced in {year} by {who} and covers about {pct}% of cases; the remaining cases follow a {count}-step review process.",
                f"Sobre {subject}: a política permite até {days} dias, desde que a solicitação seja aprovada pela equipe responsável. Ela foi criada em {year} por {who} e cobre cerca de {pct}% dos casos; os demais seguem um processo de revisão em {count} etapas.",
            )
        hedge = ""
        if self.model.tier == "large" and rng.random() < 0.4:
            hedge = self.t("As far as I know, ", "Até onde sei, ")
            body = body[0].lower() + body[1:]
        return hedge + body

    # JSON ------------------------------------------------------------------------------------------------
    def wants_json(self) -> bool:
        both = self.folded + " " + self.sys_folded
        return bool(re.search(r"\bjson\b", both)) and self.task not in ("code", "extract", "translate")

    @staticmethod
    def _looks_json(text: str) -> bool:
        try:
            json.loads(text)
            return True
        except ValueError:
            return False

    def as_json(self, text: str) -> str:
        """The answer as the JSON object the prompt describes (its fields, or a template), else {"answer": ...}."""
        schema = schemafill.properties_from(self.user + "\n" + self.p.system)
        if schema is None:
            name = {"summarize": "summary", "translate": "translation"}.get(self.task, "answer")
            if self.task.startswith("classify"):
                name = "sentiment" if self.task == "classify" else "label"
            schema = {"type": "object", "properties": {name: {}}, "required": [name]}
        label = text.split(".")[0].split(" — ")[0].strip() if self.task.startswith("classify") else None
        material = _after_colon_or_quotes(self.user) or self.user
        source = schemafill.Source(material, answer=text, language=self.language, choose=self.choose_label,
                                   subject=schemafill._subject(material))
        obj = schemafill.fill(schema, source)
        if label is not None:
            for key in obj:
                if schemafill._kind(key) in ("sentiment", None) or lang.fold(key) in ("label", "rotulo", "classe", "class", "categoria", "category"):
                    obj[key] = label
                    break
        return json.dumps(obj, ensure_ascii=False)

    def fill_fields(self, schema: dict, material: str) -> str:
        """ "Answer in JSON with the fields a, b: <text>" — the fields, filled from the text."""
        self.task = "extract"
        source = schemafill.Source(material, answer=material, language=self.language, choose=self.choose_label)
        return json.dumps(schemafill.fill(schema, source), ensure_ascii=False)

    def structured(self, schema: dict) -> str:
        """Structured output (outputConfig.textFormat): JSON that validates against the schema."""
        self.task = "structured"
        material = self.user or "\n".join(t for r, t in self.p.turns if r == "user")
        source = schemafill.Source(material, answer=self.prose(), language=self.language, choose=self.choose_label)
        return json.dumps(schemafill.fill(schema, source), ensure_ascii=False)


def generate(prompt: Prompt, model: Model, request_key: str, seed: int | None = None) -> Generation:
    """Answer a prompt, then apply stop sequences and the token limit."""
    gen = Writer(prompt, model, request_key, seed).write()
    text = gen.text
    for stop in prompt.stop_sequences or []:
        if stop and stop in text:
            text = text[: text.index(stop)]
            gen.stop_reason, gen.stop_sequence = "stop_sequence", stop
            break
    family = model.family
    limit = max(0, prompt.max_tokens if prompt.max_tokens is not None else model.max_output)
    # A reasoning model thinks first; its reasoning and its answer share the one output limit.
    thought = 0
    if gen.reasoning:
        budget = min(limit, prompt.thinking_budget) if prompt.thinking_budget else limit
        gen.reasoning, thought, cut = tokens.truncate(gen.reasoning, budget, family)
        cut = cut and budget == limit  # a thinking budget ends the reasoning, not the answer
        if cut:
            gen.stop_reason, gen.tool_use, text = "max_tokens", None, ""
        thought += REASONING_OVERHEAD if not cut else 0
    text, used, cut = tokens.truncate(text, max(0, limit - thought), family)
    if cut:
        gen.stop_reason = "max_tokens"
        gen.tool_use = None
    gen.text = text
    gen.output_tokens = min(limit, thought + used) + (tokens.count(json.dumps(gen.tool_use["input"]), family) if gen.tool_use else 0)
    gen.reasoning_tokens = min(limit, thought)
    return gen


#: Tokens that separate reasoning from the answer (DeepSeek-R1's "</think>" and its line breaks).
REASONING_OVERHEAD = 3
