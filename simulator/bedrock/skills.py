"""The text engine's skills: translate, classify (zero- and few-shot), summarise, extract, write code, answer
from a given context or document, use tools. Mixed into :class:`~.textgen.Writer`, which picks one per prompt."""

from __future__ import annotations

import hashlib
import json
import re

from . import embeddings, fewshot, knowledge, lang, schemafill
from .textutil import _LABEL_WORDS, _LABELS, _after_colon_or_quotes, _has, _labelled_sentences, sentences, sentiment_score


class Skills:
    """Task methods; they use the Writer's prompt (``self.p``), language helpers and voice."""

    # Tasks ---------------------------------------------------------------------------------------------
    def translate(self) -> str:
        self.task = "translate"
        source = _after_colon_or_quotes(self.user) or self._doc_text() or ""
        f = self.folded
        if _has(f, r"(to|into|para o|para|em) (english|ingles)\b", r"\bem ingles\b", r"\bpt.?br? ?(->|para|to) ?en\b"):
            target = "en"
        elif _has(f, r"(to|into|para o|para|em) (portuguese|portugues)\b", r"\bpt-?br\b", r"\bem portugues\b"):
            target = "pt-BR"
        else:
            target = "en" if lang.detect(source) == "pt-BR" else "pt-BR"
        if not source:
            return self.t("Please give me the text to translate.", "Por favor, envie o texto a traduzir.")
        translated, missing = knowledge.translate(source, target)
        if missing:
            shown = ", ".join(missing[:8])
            note = (
                f"\n\n(Note: this simulated model translates with a small glossary; these words were kept as written: {shown}.)"
                if target == "en" or not self.pt
                else f"\n\n(Observação: este modelo simulado traduz com um glossário pequeno; estas palavras ficaram como estavam: {shown}.)"
            )
            return translated + note
        return translated

    def few_shot_examples(self) -> list[tuple[str, str]]:
        """Labelled examples in the prompt, in the formats people write them: "Input: … / Output: …" pairs (any key
        names, pt-BR or en), both on one line ("Frase: "…" Sentimento: positivo"), "… -> LABEL" lines, Q/A pairs,
        a JSON list, XML tags, or earlier conversation turns answered with a short label."""
        if hasattr(self, "_examples"):
            return self._examples
        text = self.user or ""
        examples: list[tuple[str, str]] = []
        for finder in (fewshot.inline, fewshot.arrows, fewshot.pairs, fewshot.json_examples, fewshot.xml_examples):
            found = finder(text)
            if len(found) > len(examples):
                examples = found
        turns = self.p.turns
        for (role, text_in), (next_role, label) in zip(turns[:-1], turns[1:]):
            if role == "user" and next_role == "assistant" and 0 < len(label.split()) <= 4 and text_in.strip():
                examples.append((_after_colon_or_quotes(text_in) or text_in.strip(), label.strip(" .\"'")))
        self._examples = [(x, y) for x, y in examples if x and 0 < len(y.split()) <= 4]
        return self._examples

    def _query_item(self) -> str:
        """The item to classify: the unlabelled input after the examples, else quoted text, else the prompt."""
        item = fewshot.query(self.user)
        if item:
            return item
        return _after_colon_or_quotes(self.user) or self.user

    def classify(self) -> str:
        self.task = "classify"
        examples = self.few_shot_examples()
        item = self._query_item()
        if examples:
            self.task, self.shots = "classify-few-shot", "few-shot"
            labels = list(dict.fromkeys(label for _, label in examples))
            self.label = fewshot.nearest(item, examples) if len(labels) > 1 else labels[0]
            return self.label
        listed = fewshot.listed_labels(self.user + "\n" + self.p.system)
        polar = {label: pol for label in listed for pol, words in _LABEL_WORDS.items() if lang.fold(label) in words}
        if listed and len(polar) < 2:
            self.task, self.shots = "classify-zero-shot", "zero-shot"
            self.label = fewshot.zero_shot(item, listed)
            return self.label
        self.shots = "zero-shot"
        score, hits = sentiment_score(item)
        polarity = "positive" if score > 0 else "negative" if score < 0 else "neutral"
        label = _LABELS[polarity][1 if self.pt else 0]
        if polar:  # the instruction's own polarity labels, as it wrote them
            label = next((lab for lab, pol in polar.items() if pol == polarity), label)
            self.label = label
            return label
        self.label = label
        if _has(self.folded, r"\bone word\b", r"\buma palavra\b", r"\bonly the (label|sentiment)\b", r"\bapenas o (rotulo|sentimento)\b", r"\bjust the\b", r"\bsomente\b"):
            return label
        if hits:
            why = ", ".join(f'"{h}"' for h in dict.fromkeys(hits))
            return self.voice.pick([
                self.t(f"{label}. The text's tone comes from words such as {why}.", f"{label}. O tom do texto vem de palavras como {why}."),
                self.t(f"{label} — signalled by {why}.", f"{label} — indicado por {why}."),
            ])
        return self.t(f"{label}. The text expresses no clear opinion.", f"{label}. O texto não expressa uma opinião clara.")

    def summarize(self) -> str:
        self.task = "summarize"
        source = self._doc_text() or self.context() or _after_colon_or_quotes(self.user) or ""
        sents = sentences(source)
        if not sents:
            return self.t("Please give me the text to summarize.", "Por favor, envie o texto a resumir.")
        m = re.search(r"\b(\d+|one|two|three|uma|um|duas|dois|tres)\s+(sentences?|frases?|bullet|topicos|pontos|linhas?|lines?)", self.folded)
        words_n = {"one": 1, "uma": 1, "um": 1, "two": 2, "duas": 2, "dois": 2, "three": 3, "tres": 3}
        n = 2 if len(sents) > 4 else 1
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() else words_n.get(m.group(1), 2)
        if "one line" in self.folded or "uma linha" in self.folded or "uma frase" in self.folded:
            n = 1
        freq: dict[str, int] = {}
        for w in lang.content_words(source):
            freq[lang.stem(w)] = freq.get(lang.stem(w), 0) + 1
        ranked = sorted(
            range(len(sents)),
            # Frequent words make a sentence central; earlier sentences win ties (leads carry the point).
            key=lambda i: (-self._centrality(sents[i], freq) / (1 + 0.15 * i), i),
        )
        chosen = [sents[i] for i in sorted(ranked[: max(1, n)])]
        bullets = _has(self.folded, r"\bbullet", r"\btopicos\b", r"\bpontos\b", r"\blist\b", r"\blista\b")
        body = "\n".join(f"- {s}" for s in chosen) if bullets else " ".join(chosen)
        lead = self.voice.pick([
            self.t("Summary:", "Resumo:"),
            self.t("In short:", "Em resumo:"),
            self.t("Here is a summary:", "Aqui está um resumo:"),
        ])
        target = "en" if _has(self.folded, r"\bin english\b", r"\bem ingles\b", r"\bpara o ingles\b") else \
            "pt-BR" if _has(self.folded, r"\bin (brazilian )?portuguese\b", r"\bem portugues\b", r"\bpara o portugues\b") else None
        if target and lang.detect(source) != target:
            # A summary in the other language: the chosen sentences, translated.
            body = knowledge.translate(body, target)[0]
            lead = "Summary:" if target == "en" else "Resumo:"
        if self.model.family in ("titan-text",):
            return body
        return f"{lead}\n{body}" if bullets else f"{lead} {body}"

    @staticmethod
    def _centrality(sentence: str, freq: dict[str, int]) -> float:
        """Mean frequency of a sentence's words in the whole text; very short sentences count less."""
        words = lang.content_words(sentence)
        if not words:
            return 0.0
        mean = sum(freq.get(lang.stem(w), 0) for w in words) / len(words)
        return mean * min(1.0, len(words) / 4)

    def extract(self) -> str:
        self.task = "extract"
        source = _after_colon_or_quotes(self.user) or self.user
        names = self._field_names()
        detectors = {
            "email": r"[\w.+-]+@[\w-]+\.[\w.]+",
            "phone": r"(?:\+?\d{1,3}[\s-]?)?\(?\d{2,3}\)?[\s-]?\d{4,5}[\s-]?\d{4}",
            "cpf": r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b",
            "cnpj": r"\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b",
            "date": r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
            "amount": r"(?:R\$|US\$|\$|€)\s?\d[\d.,]*",
            "order": r"#\s?\d+|\b\d{5,}\b",
            "name": r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:\s(?:da|de|do|dos|das)?\s?[A-ZÀ-Ý][a-zà-ÿ]+)+",
        }
        aliases = {
            "email": ("email", "e-mail", "mail"),
            "phone": ("phone", "telefone", "celular", "tel"),
            "cpf": ("cpf",),
            "cnpj": ("cnpj",),
            "date": ("date", "data", "dia"),
            "amount": ("amount", "valor", "price", "preco", "total", "value"),
            "order": ("order", "pedido", "id", "numero", "number"),
            "name": ("name", "nome", "cliente", "customer", "person", "pessoa"),
        }
        result: dict[str, object] = {}
        for field_name in names or ["name", "email", "phone", "date"]:
            fl = lang.fold(field_name)
            kind = next((k for k, al in aliases.items() if any(a in fl for a in al)), None)
            value = None
            if kind:
                m = re.search(detectors[kind], source)
                value = m.group(0).strip() if m else None
            result[field_name] = value
        return json.dumps(result, ensure_ascii=False, indent=2)

    def _field_names(self) -> list[str]:
        m = re.search(r"\{[^{}]*\}", self.user)
        if m:
            try:
                obj = json.loads(m.group(0))
                if isinstance(obj, dict) and obj:
                    return list(obj)
            except ValueError:
                pass
            keys = re.findall(r"[\"']([\w-]+)[\"']\s*:", m.group(0))
            if keys:
                return keys
        m = re.search(r"(?:extract|extraia|extrair)\s+(?:the\s+|os\s+|as\s+|o\s+|a\s+)?(?:following\s+|seguintes\s+)?(?:fields?\s+|campos?\s+)?(.+?)(?:\s+from\b|\s+do\b|\s+da\b|\s+deste\b|\s+desta\b|[:.\n]|$)", self.user, re.I)
        if not m:
            return []
        listed = re.sub(r"\s+(?:as|in|em|como)\s+json\b.*$", "", m.group(1), flags=re.I)
        parts = re.split(r",|\s+and\s+|\s+e\s+|\s+y\s+", listed)
        names = []
        for part in parts:
            part = re.sub(r"^(?:the|o|a|os|as|um|uma|seu|sua)\s+", "", part.strip(), flags=re.I)
            key = re.sub(r"\W+", "_", part.lower()).strip("_")
            if key:
                names.append(key)
        return names[:8]

    def code(self) -> str:
        self.task = "code"
        f = self.folded
        uses_bedrock = "bedrock" in f or "model" in f or "modelo" in f or "summar" in f or "resum" in f
        uses_s3 = bool(re.search(r"\bs3\b|bucket", f))
        if "lambda" in f or "handler" in f:
            lines = ["import json", "import os", "", "import boto3", ""]
            if uses_bedrock:
                lines += ['bedrock = boto3.client("bedrock-runtime")', 'MODEL_ID = os.environ["MODEL_ID"]']
            if uses_s3:
                lines += ['s3 = boto3.client("s3")', 'BUCKET = os.environ.get("BUCKET", "genai-outputs")']
            lines += ["", "", "def lambda_handler(event, context):"]
            lines += ['    body = event.get("body")', "    if isinstance(body, str):", "        event = json.loads(body or \"{}\")"]
            lines += ['    text = event.get("text", "")']
            if uses_bedrock:
                lines += [
                    "    response = bedrock.converse(",
                    "        modelId=MODEL_ID,",
                    '        messages=[{"role": "user", "content": [{"text": f"Summarize: {text}"}]}],',
                    '        inferenceConfig={"maxTokens": 300, "temperature": 0.2},',
                    "    )",
                    '    summary = response["output"]["message"]["content"][0]["text"]',
                ]
            else:
                lines += ["    summary = text[:200]"]
            if uses_s3:
                lines += [
                    '    key = f"responses/{context.aws_request_id}.json"',
                    '    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"summary": summary}))',
                ]
            lines += [
                "    return {",
                '        "statusCode": 200,',
                '        "headers": {"Content-Type": "application/json"},',
                '        "body": json.dumps({"summary": summary}),',
                "    }",
            ]
            code = "\n".join(lines)
            intro = self.voice.pick([
                self.t("Here is a small AWS Lambda handler in Python:", "Aqui está um pequeno handler de AWS Lambda em Python:"),
                self.t("This Python Lambda handler does it:", "Este handler Lambda em Python faz isso:"),
            ])
            outro = self.t(
                "Set the environment variables it reads, and give its role only the permissions it needs.",
                "Defina as variáveis de ambiente que ele lê e dê ao seu role só as permissões necessárias.",
            )
            return f"{intro}\n\n```python\n{code}\n```\n\n{outro}"
        snippet = self._snippet(f)
        if snippet is not None:
            intro, code = snippet
            return f"{intro}\n\n```python\n{code}\n```"
        code = 'def main():\n    print("Hello, World!")\n\n\nif __name__ == "__main__":\n    main()'
        return self.t("Here is a minimal Python program:", "Aqui está um programa Python mínimo:") + f"\n\n```python\n{code}\n```"

    def _snippet(self, f: str) -> tuple[str, str] | None:
        """Small boto3 scripts for what the course does: embeddings, S3, a Bedrock call."""
        if re.search(r"embedding|similarity|similaridade|cosine|cosseno", f):
            return self.t("This script embeds two texts with Titan Text Embeddings V2 and compares them:",
                          "Este script gera embeddings de dois textos com o Titan Text Embeddings V2 e os compara:"), "\n".join([
                "import json", "import math", "", "import boto3", "", 'bedrock = boto3.client("bedrock-runtime")', "", "",
                "def embed(text):", '    body = json.dumps({"inputText": text, "dimensions": 512, "normalize": True})',
                '    response = bedrock.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)',
                '    return json.loads(response["body"].read())["embedding"]', "", "",
                "def cosine(a, b):", "    dot = sum(x * y for x, y in zip(a, b))",
                "    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))", "", "",
                'print(cosine(embed("Como o Bedrock cobra?"), embed("O Bedrock cobra por token.")))'])
        if re.search(r"\bs3\b|bucket", f):
            return self.t("This script uploads a file to S3 and lists the bucket:", "Este script envia um arquivo ao S3 e lista o bucket:"), "\n".join([
                "import boto3", "", 's3 = boto3.client("s3")', 'BUCKET = "genai-outputs"', "",
                's3.put_object(Bucket=BUCKET, Key="prompts/summary.txt", Body=b"Resuma o texto: {texto}")',
                'for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):', '    print(item["Key"], item["Size"])'])
        if re.search(r"bedrock|claude|nova|titan|llama|model|modelo|converse|invoke", f):
            return self.t("This script sends one message to a model with the Converse API:",
                          "Este script envia uma mensagem a um modelo com a API Converse:"), "\n".join([
                "import boto3", "", 'client = boto3.client("bedrock-runtime", region_name="us-east-1")', "",
                "response = client.converse(", '    modelId="anthropic.claude-3-haiku-20240307-v1:0",',
                '    messages=[{"role": "user", "content": [{"text": "What is Amazon Bedrock?"}]}],',
                '    inferenceConfig={"maxTokens": 300, "temperature": 0.2},', ")",
                'print(response["output"]["message"]["content"][0]["text"])',
                'print(response["usage"])'])
        return None

    def context(self) -> str | None:
        """Context given with the question: marked blocks, attached text documents, or the system prompt."""
        if hasattr(self, "_context"):
            return self._context
        found = None
        text = self.user
        m = re.search(r"<(context|contexto|document|documents|documento|documentos|passages?|trechos?)>(.*?)</\1>", text, re.S | re.I)
        if m:
            found = m.group(2)
        if found is None:
            m = re.search(
                r"(?:^|\n)\s*(?:context|contexto|documents?|documentos?|passages?|trechos?|sources?|fontes?|informa(?:tion|ção|cao)|texto de apoio)\s*:\s*(.+?)(?:\n\s*(?:question|pergunta|q)\s*:|\Z)",
                text, re.S | re.I,
            )
            if m and len(m.group(1).strip()) > 20:
                found = m.group(1)
        docs = self._doc_text()
        if docs:
            found = (found or "") + "\n" + docs
        grounding = " ".join(g["text"] for g in self.p.guard_content if "grounding_source" in g.get("qualifiers", []))
        if grounding.strip():
            found = (found or "") + "\n" + grounding
        if found is None and self.p.system:
            m = re.search(r"(?:context|contexto|documents?|documentos?)\s*:\s*(.+)", self.p.system, re.S | re.I)
            if m and len(m.group(1).strip()) > 20:
                found = m.group(1)
        self._context = found.strip() if found and found.strip() else None
        return self._context

    def _doc_text(self) -> str:
        return "\n\n".join(d.text for d in self.p.documents if d.text)

    def _question(self) -> str:
        queries = [g["text"] for g in self.p.guard_content if "query" in g.get("qualifiers", [])]
        if queries:
            return queries[-1]
        m = re.search(r"(?:question|pergunta)\s*:\s*(.+)", self.user, re.I | re.S)
        if m:
            return m.group(1).strip()
        qs = [s for s in sentences(re.sub(r"<(\w+)>.*?</\1>", " ", self.user, flags=re.S)) if "?" in s]
        return qs[-1] if qs else self.user.splitlines()[-1] if self.user.strip() else ""

    def from_context(self, context: str) -> str:
        """Answer from the given context by quoting the sentences that answer the question (by meaning, and of the
        kind the question asks for: a person, a date, a number...), or say the context does not hold the answer."""
        self.task = "context-qa"
        question = self._question()
        # Names (capitalised words after the first) say what the question is about, not what it asks.
        names = {w for w in lang.words(question)[1:] if w[:1].isupper()}
        asks_text = " ".join(w for w in lang.words(question) if w not in names)
        asks = lang.stems(asks_text)
        wanted = _answer_type(question)
        qvec, avec = embeddings.embed(question, 512), embeddings.embed(asks_text, 512)
        scored = []
        for i, (label, sentence) in enumerate(_labelled_sentences(context)):
            bare = " ".join(w for w in lang.words(sentence) if w not in names)
            meaning = 0.4 * embeddings.cosine(qvec, embeddings.embed(sentence, 512)) + 0.6 * embeddings.cosine(avec, embeddings.embed(bare, 512))
            words = len(asks & lang.stems(sentence)) / len(asks) if asks else 0.0
            score = meaning + 0.4 * words
            if wanted and not _has_answer_type(sentence, wanted):
                score *= 0.3
            scored.append((score, -i, sentence, label))
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
        best_score = scored[0][0] if scored else 0.0
        if best_score < _ANSWERS_THRESHOLD:
            unreadable = [d.name for d in self.p.documents if d.text is None]
            if unreadable and not self._doc_text():
                return self.unreadable_documents(unreadable)
            if _INVITES_OWN_KNOWLEDGE.search(lang.fold(self.user)) and hasattr(self, "invent"):
                # "if the passages are not enough, answer with what you know": a model obeys, and about a private
                # subject what it "knows" is invented — the hallucination grounding was meant to prevent.
                user, self.user = self.user, question
                try:
                    return self.invent()
                finally:
                    self.user = user
                    self.grounding, self.relevance = 0.0, round(min(1.0, best_score), 2)
            self.grounding, self.relevance = 1.0, round(min(1.0, best_score), 2)
            self.task = "context-decline"
            return self.t(
                "The provided context does not contain the answer to this question, so I don't know.",
                "O contexto fornecido não contém a resposta para essa pergunta, então não sei.",
            )
        best = [scored[0]] + [x for x in scored[1:2] if x[0] >= max(_ANSWERS_THRESHOLD, 0.8 * scored[0][0])]
        quote = " ".join(f"\"{x[2]}\"" for x in best)
        labels = list(dict.fromkeys(x[3] for x in best if x[3]))
        self.grounding, self.relevance = 1.0, round(min(1.0, best_score / 0.6), 2)
        named = [d.name for d in self.p.documents if d.text]
        if named and not re.search(r"(?:context|contexto)\s*:", self.user, re.I):
            lead = self.t(f"According to the document \"{named[0]}\":", f"De acordo com o documento \"{named[0]}\":")
        else:
            lead = None
        lead = lead or self.voice.pick([
            self.t("According to the provided context:", "De acordo com o contexto fornecido:"),
            self.t("The context says:", "O contexto diz:"),
            self.t("Based on the context:", "Com base no contexto:"),
        ])
        tail = self.t(f" (source: {', '.join(labels)})", f" (fonte: {', '.join(labels)})") if labels else ""
        return f"{lead} {quote}{tail}"

    def unreadable_documents(self, names: list[str]) -> str:
        sizes = {d.name: d.size for d in self.p.documents}
        listed = "; ".join(f"\"{n}\" ({sizes.get(n, 0) // 1024} KB)" for n in names)
        return self.t(
            f"I received {listed}. This simulated model reads text documents (txt, md, csv, html) but not the contents of binary formats such as PDF or Word, so I can't compare or quote what {names[0]!r} says. Send the document as text (for example format \"txt\" or \"md\") to get an answer grounded in it.",
            f"Recebi {listed}. Este modelo simulado lê documentos de texto (txt, md, csv, html), mas não o conteúdo de formatos binários como PDF ou Word; por isso não posso comparar nem citar o que {names[0]!r} diz. Envie o documento como texto (por exemplo, formato \"txt\" ou \"md\") para ter uma resposta baseada nele.",
        )

    def primes(self) -> str:
        self.task = "math"
        n = int(re.search(r"\d+", self.folded).group(0))
        n = min(n, 10000)
        found = [k for k in range(2, n + 1) if all(k % d for d in range(2, int(k**0.5) + 1))]
        return self.t(f"The prime numbers up to {n} are: ", f"Os números primos até {n} são: ") + ", ".join(map(str, found)) + "."

    def arithmetic(self, m) -> str:
        self.task = "math"
        a, op, b = float(m.group(1)), m.group(2), float(m.group(3))
        value = a + b if op == "+" else a - b if op == "-" else a * b if op in "*x×" else (a / b if b else float("nan"))
        shown = int(value) if value == int(value) else round(value, 6)
        return f"{m.group(0)} = {shown}"

    def from_tool_results(self) -> str:
        parts = []
        for result in self.p.tool_results:
            for block in result.get("content", []):
                if "json" in block:
                    parts.append(json.dumps(block["json"], ensure_ascii=False))
                elif "text" in block:
                    parts.append(block["text"])
        data = "; ".join(parts) or self.t("no data", "nenhum dado")
        return self.voice.pick([
            self.t(f"Based on the tool's result: {data}.", f"Com base no resultado da ferramenta: {data}."),
            self.t(f"The tool returned: {data}.", f"A ferramenta retornou: {data}."),
        ])

    def tool_call(self) -> dict | None:
        """The tool call this prompt makes, or None. ``any``/``tool`` choices always call; ``auto`` calls the tool the
        request is about, or the only tool when it is a response-format tool or the prompt says to use it."""
        tools, choice = self.p.tools, self.p.tool_choice or "auto"
        if not tools or choice == "none":
            return None
        forced = choice == "any" or choice.startswith("tool:")
        if self.p.tool_results and not forced:
            return None
        if choice.startswith("tool:"):
            chosen = next((t for t in tools if t["name"] == choice[5:]), None)
        else:
            ranked = self.rank_tools()
            chosen = ranked[0][1] if ranked and (forced or ranked[0][0] > 0 or self.only_tool_is_asked(tools)) else None
        if chosen is None:
            return None
        schema = chosen.get("schema") or {}
        if not isinstance(schema, dict):
            schema = {}
        schema = schema if schema.get("type") or schema.get("properties") or "$ref" in schema else {"type": "object", "properties": {}}
        material = self.user or "\n".join(t for r, t in self.p.turns if r == "user")
        source = schemafill.Source(material, answer=self.prose(), language=self.language, choose=self.choose_label)
        values = schemafill.fill(schema, source)
        if not isinstance(values, dict):
            values = {"value": values}
        digest = hashlib.sha256((material + chosen["name"]).encode()).hexdigest()
        return {"toolUseId": f"tooluse_{digest[:22]}", "name": chosen["name"], "input": values}

    def rank_tools(self) -> list[tuple[float, dict]]:
        """Tools by how much the request is about them (name, description and parameter names), best first."""
        q = lang.stems(self.user) | lang.stems(self.p.system)
        named = lang.fold(self.user + " " + self.p.system)
        ranked = []
        for i, tool in enumerate(self.p.tools):
            schema = tool.get("schema") if isinstance(tool.get("schema"), dict) else {}
            words = tool["name"].replace("_", " ").replace("-", " ") + " " + str(tool.get("description", ""))
            words += " " + " ".join(str(k).replace("_", " ") for k in (schema.get("properties") or {}))
            score = float(len(q & (lang.stems(words) - _TOOL_NOISE)))
            score += 3 * max(0.0, embeddings.similarity(self.user, words, 256) - 0.15)
            if lang.fold(tool["name"]) in named:
                score += 2
            ranked.append((score, -i, tool))
        ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
        return [(score, tool) for score, _, tool in ranked]

    def only_tool_is_asked(self, tools: list[dict]) -> bool:
        """One tool, and it is how the answer must be given (a response-format tool, or the prompt says so)."""
        if len(tools) != 1:
            return False
        tool = tools[0]
        stems = lang.stems(tool["name"].replace("_", " ") + " " + str(tool.get("description", "")))
        asks = self.sys_folded + " " + self.folded
        return bool(stems & _FORMAT_TOOL_STEMS) or bool(re.search(
            r"\b(use|call|using|through|via|invoke|respond with|answer with|use a|use o|usando|chame|utilize|use the)\b.{0,30}\b(tool|function|ferramenta|funcao)\b"
            r"|\b(json|structured|estruturad|schema|format)", asks))

    def prose(self) -> str:
        """The plain answer this prompt would get, for the answer-like fields of a structured reply."""
        if getattr(self, "_prose", None) is None:
            task, grounded = self.task, self.grounded
            try:
                self._prose = self.answer()
            except Exception:  # a structured reply never fails for want of prose
                self._prose = ""
            self.task, self.grounded = task, grounded
        return self._prose

    def choose_label(self, text: str, labels: list[str]) -> str:
        """One of ``labels`` by what ``text`` means."""
        query = embeddings.embed(text, 256)
        return max(labels, key=lambda label: (embeddings.cosine(query, embeddings.embed(label.replace("_", " "), 256)), -labels.index(label)))


#: How well a context sentence must answer the question (meaning + words) to be quoted as its answer.
_ANSWERS_THRESHOLD = 0.3
# A prompt that lets the model fall back on its own knowledge when the context does not answer (folded text).
_INVITES_OWN_KNOWLEDGE = re.compile(
    r"\b(o que (voce )?(ja )?sabe|seu (proprio )?conhecimento|conhecimento (geral|proprio)|what you (already )?know|"
    r"your own knowledge|general knowledge|your knowledge)\b")


def _answer_type(question: str) -> str | None:
    """The kind of answer a question asks for: a person, a time, a number, a place (None: any)."""
    f = lang.fold(question.strip())
    if re.match(r"(who|whom|quem)\b", f) or re.search(r"\b(who|quem) (founded|created|wrote|fundou|criou|escreveu)\b", f):
        return "person"
    if re.match(r"(when|quando)\b", f) or re.search(r"\b(what year|em que ano|que dia|what date|qual (a )?data)\b", f):
        return "time"
    if re.search(r"\b(how (many|much|long|often)|quant[oa]s?|com que frequencia|qual (e )?o (valor|preco|prazo))\b", f):
        return "number"
    if re.match(r"(where|onde)\b", f):
        return "place"
    return None


def _has_answer_type(sentence: str, kind: str) -> bool:
    if kind == "number":
        return bool(re.search(r"\d", sentence)) or bool(set(lang.fold(w) for w in lang.words(sentence)) & set(schemafill.NUMBER_WORDS))
    if kind == "time":
        return bool(re.search(r"\b(1[89]\d\d|20\d\d)\b|\d{1,2}/\d{1,2}|\b(january|february|march|april|may|june|july|august|september|october|november|"
                              r"december|janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|monday|segunda|"
                              r"yesterday|ontem|today|hoje|week|semana|month|mes|year|ano|day|dia)s?\b", lang.fold(sentence)))
    if kind == "person":
        return bool(re.search(r"\b[A-ZÀ-Ý][a-zà-ÿ]+ [A-ZÀ-Ý][a-zà-ÿ]+", sentence)) or bool(re.search(
            r"\b(by|por|founder|fundador|ceo|manager|gestor|gerente|team|equipe|department|departamento|he|she|ele|ela)\b", lang.fold(sentence)))
    if kind == "place":
        return bool(re.search(r"\b(in|at|em|no|na|nos|nas)\s+[A-ZÀ-Ý]", sentence)) or bool(re.search(
            r"\b(office|escritorio|city|cidade|country|pais|building|predio|floor|andar|address|endereco|online|site|portal)\b", lang.fold(sentence)))
    return True


# Words every tool description has; they say nothing about what a request is about.
_TOOL_NOISE = frozenset(lang.stems("get the a an tool function call use return returns value input data information info"))
# A single tool with these words is how the caller wants the answer shaped (LiteLLM's json_tool_call, structured output).
_FORMAT_TOOL_STEMS = frozenset(lang.stems("json structured format response output schema extract result record answer"))
