"""Every client's dialect: the request shapes real client libraries send (reproduced through boto3 or raw signed HTTP,
no third-party library in the project), answered as Bedrock answers them."""

from __future__ import annotations

import base64
import json
import math
import urllib.request
from typing import Literal

import jsonschema
import pytest
from bedrock_calls import ledger
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from pydantic import BaseModel, Field

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def signed_post(cloud, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """POST as the Anthropic SDK's AnthropicBedrock client does: SigV4 for "bedrock", the model id unencoded in the path."""
    url = cloud.endpoint + path
    request = AWSRequest("POST", url, data=json.dumps(body).encode(), headers={"content-type": "application/json",
                                                                                "accept": "application/json",
                                                                                "user-agent": "AnthropicBedrock/Python 2.15.0",
                                                                                **(headers or {})})
    SigV4Auth(Credentials("test", "test"), "bedrock", "us-east-1").add_auth(request)
    raw = urllib.request.Request(url, data=request.body, method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(raw) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()



def test_anthropic_sdk_dated_api_version(cloud):
    for version in ("2026-10-21", "2023-06-01", "bedrock-2023-05-31"):
        body = {"max_tokens": 100, "messages": [{"role": "user", "content": "What is Amazon Bedrock?"}], "anthropic_version": version}
        status, _, out = signed_post(cloud, f"/model/{HAIKU}/invoke", body)
        assert status == 200, out
        assert "Bedrock" in json.loads(out)["content"][0]["text"]
    status, headers, out = signed_post(cloud, f"/model/{HAIKU}/invoke", {**body, "anthropic_version": "v2"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "ValidationException"
    assert json.loads(out)["message"] == "Invalid API version: v2"
    # The SDK's streaming call goes to invoke-with-response-stream with the same body.
    status, headers, out = signed_post(cloud, f"/model/{HAIKU}/invoke-with-response-stream", {**body, "anthropic_version": "2026-10-21"})
    assert status == 200 and headers["Content-Type"] == "application/vnd.amazon.eventstream"
    buffer = EventStreamBuffer()
    buffer.add_data(out)
    chunks = [json.loads(base64.b64decode(json.loads(m.payload)["bytes"])) for m in buffer]
    assert chunks[0]["type"] == "message_start" and chunks[-1]["type"] == "message_stop"
    # The SDK's forced tool choice ({"type": "any"}) always produces a tool_use block.
    status, _, out = signed_post(cloud, f"/model/{HAIKU}/invoke", {
        "max_tokens": 200, "anthropic_version": "2026-10-21", "tool_choice": {"type": "any"},
        "messages": [{"role": "user", "content": "Hello there"}],
        "tools": [{"name": "get_weather", "description": "Get the weather", "input_schema": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]})
    reply = json.loads(out)
    assert reply["stop_reason"] == "tool_use" and reply["content"][-1]["type"] == "tool_use"
    assert isinstance(reply["content"][-1]["input"]["city"], str)


class Manager(BaseModel):
    name: str
    email: str


class Person(BaseModel):
    """A person described in the text."""

    name: str
    age: int = Field(ge=18, le=120)
    hobbies: list[str]
    manager: Manager
    priority: Literal["low", "medium", "high"]
    rating: int = Field(ge=1, le=5, description="How happy the person is, 1 to 5")
    remote: bool


PERSON_TEXT = ("Ana Souza is 34 years old and lives in Lisbon. She likes hiking, chess and cooking. Her manager is Bruno Lima "
               "(bruno.lima@example.com). The ticket priority is high and she does not work remotely.")


def test_structured_output_through_a_forced_tool_validates_like_langchain(cloud, aws):
    """LangChain's with_structured_output: the pydantic schema as a tool, toolChoice "tool" (or "any")."""
    rt = aws("bedrock-runtime")
    schema = Person.model_json_schema()
    for choice in ({"tool": {"name": "Person"}}, {"any": {}}):
        r = rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": PERSON_TEXT}]}],
                        toolConfig={"tools": [{"toolSpec": {"name": "Person", "description": Person.__doc__,
                                                            "inputSchema": {"json": schema}}}], "toolChoice": choice})
        assert r["stopReason"] == "tool_use"
        use = next(b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b)
        person = Person.model_validate(use["input"])  # raises if any field is missing or of the wrong type
        assert person.name == "Ana Souza" and person.age == 34 and person.priority == "high"
        assert person.hobbies == ["hiking", "chess", "cooking"]
        assert person.manager == Manager(name="Bruno Lima", email="bruno.lima@example.com")
        assert 1 <= person.rating <= 5 and person.remote is False


def test_tool_choice_any_and_named_always_call_and_auto_calls_the_relevant_tool(cloud, aws):
    rt = aws("bedrock-runtime")
    tools = [{"toolSpec": {"name": "get_weather", "description": "Current weather for a city",
                           "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}},
             {"toolSpec": {"name": "convert_currency", "description": "Convert an amount between currencies",
                           "inputSchema": {"json": {"type": "object", "properties": {
                               "amount": {"type": "number"}, "source": {"type": "string", "enum": ["USD", "EUR", "BRL"]},
                               "target": {"type": "string", "enum": ["USD", "EUR", "BRL"]}}, "required": ["amount", "source", "target"]}}}}]

    def call(text, choice=None):
        config = {"tools": tools, **({"toolChoice": choice} if choice else {})}
        r = rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": text}]}], toolConfig=config)
        uses = [b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b]
        return r["stopReason"], uses[0] if uses else None

    assert call("Tell me a joke.") == ("end_turn", None)
    reason, use = call("Tell me a joke.", {"any": {}})
    assert reason == "tool_use" and use["name"] in ("get_weather", "convert_currency")
    reason, use = call("Tell me a joke.", {"tool": {"name": "convert_currency"}})
    assert reason == "tool_use" and use["name"] == "convert_currency"
    reason, use = call("How much is 250 euros in dollars?")
    assert reason == "tool_use" and use == {**use, "name": "convert_currency", "input": {"amount": 250, "source": "EUR", "target": "USD"}}
    reason, use = call("Is it raining in Porto right now?")
    assert use["name"] == "get_weather" and use["input"] == {"city": "Porto"}


def test_a_single_response_format_tool_is_called_without_tool_choice(cloud, aws):
    """LiteLLM's response_format on Bedrock: one tool named json_tool_call, no toolChoice; a model answers through it."""
    rt = aws("bedrock-runtime")
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "city": {"type": "string"},
                                               "interests": {"type": "array", "items": {"type": "string"}}},
              "required": ["name", "city", "interests"]}
    r = rt.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": PERSON_TEXT}]}],
                    toolConfig={"tools": [{"toolSpec": {"name": "json_tool_call", "inputSchema": {"json": schema}}}]})
    assert r["stopReason"] == "tool_use"
    args = next(b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b)["input"]
    jsonschema.validate(args, schema)
    assert args == {"name": "Ana Souza", "city": "Lisbon", "interests": ["hiking", "chess", "cooking"]}


def test_converse_output_config_text_format_returns_json_that_validates(cloud, aws):
    rt = aws("bedrock-runtime")
    schema = {"type": "object", "additionalProperties": False, "required": ["sentiment", "summary", "topics", "urgency"],
              "properties": {"sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]},
                             "summary": {"type": "string", "maxLength": 200},
                             "topics": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                             "urgency": {"type": "integer", "minimum": 1, "maximum": 3}}}
    review = "The delivery was late and the box arrived broken. Support never answered my emails about the refund."
    for model in ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon.nova-pro-v1:0"):
        r = rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": f"Analyse this review: {review}"}]}],
                        outputConfig={"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
                            "schema": json.dumps(schema), "name": "review_analysis"}}}})
        value = json.loads(r["output"]["message"]["content"][0]["text"])
        jsonschema.validate(value, schema)
        assert value["sentiment"] == "negative" and value["topics"]
    with pytest.raises(rt.exceptions.ValidationException, match="not valid JSON"):
        rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hi"}]}],
                    outputConfig={"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": "{nope"}}}})


def test_cohere_embed_v3_and_v4(cloud, aws):
    rt = aws("bedrock-runtime")

    def embed(model, **body):
        return json.loads(rt.invoke_model(modelId=model, body=json.dumps(body))["body"].read())

    out = embed("cohere.embed-english-v3", texts=["hello world", "refund policy"], input_type="search_document")
    assert out["response_type"] == "embeddings_floats" and len(out["embeddings"]) == 2 and len(out["embeddings"][0]) == 1024
    assert out["texts"] == ["hello world", "refund policy"] and out["id"]
    typed = embed("cohere.embed-multilingual-v3", texts=["Qual é a política de reembolso?"], input_type="search_query",
                  embedding_types=["float", "int8", "binary"])
    assert typed["response_type"] == "embeddings_by_type"
    floats, int8, binary = typed["embeddings"]["float"][0], typed["embeddings"]["int8"][0], typed["embeddings"]["binary"][0]
    assert len(floats) == 1024 and len(int8) == 1024 and len(binary) == 128
    assert all(-128 <= v <= 127 for v in int8 + binary)
    assert math.isclose(sum(v * v for v in floats), 1.0, rel_tol=1e-3)
    v4 = embed("cohere.embed-v4:0", texts=["hello"], input_type="classification", output_dimension=256, embedding_types=["float", "uint8"])
    assert len(v4["embeddings"]["float"][0]) == 256 and all(0 <= v <= 255 for v in v4["embeddings"]["uint8"][0])
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    mixed = embed("cohere.embed-v4:0", input_type="search_document",
                  inputs=[{"content": [{"type": "text", "text": "invoice page 1"}, {"type": "image_url", "image_url": f"data:image/png;base64,{png}"}]}])
    assert len(mixed["embeddings"]["float"][0]) == 1536
    bad = [
        ("cohere.embed-english-v3", {"texts": ["x"]}, "required key [input_type] not found"),
        ("cohere.embed-english-v3", {"texts": ["x"], "input_type": "search"}, "#/input_type: search is not a valid enum value"),
        ("cohere.embed-english-v3", {"texts": ["x"] * 97, "input_type": "search_query"}, "expected maxItems: 96"),
        ("cohere.embed-english-v3", {"texts": ["x"], "input_type": "search_query", "output_dimension": 256}, "extraneous key [output_dimension]"),
        ("cohere.embed-v4:0", {"texts": ["x"], "input_type": "search_query", "output_dimension": 300}, "#/output_dimension: 300 is not a valid enum value"),
        ("cohere.embed-english-v3", {"texts": ["x" * 2049], "input_type": "search_query"}, "#/texts: expected maxLength: 2048"),
        ("cohere.embed-english-v3", {"texts": ["a " * 1000], "input_type": "search_query"}, "Input is too long for requested model."),
    ]
    for model, body, message in bad:
        with pytest.raises(rt.exceptions.ValidationException, match=message.replace("[", r"\[").replace("]", r"\]")):
            embed(model, **body)
    cut = embed("cohere.embed-english-v3", texts=["a " * 1000], input_type="search_query", truncate="END")
    assert len(cut["embeddings"][0]) == 1024
    record = ledger(cloud)[-1]
    assert record["modelId"] == "cohere.embed-english-v3" and record["inputTokens"] == 512


def test_catalog_has_current_models_profiles_and_their_limits(cloud, aws):
    br, rt = aws("bedrock"), aws("bedrock-runtime")
    ids = {m["modelId"] for m in br.list_foundation_models()["modelSummaries"]}
    assert {"anthropic.claude-sonnet-4-6", "anthropic.claude-opus-4-6-v1", "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0", "amazon.nova-2-lite-v1:0",
            "amazon.nova-canvas-v1:0", "meta.llama3-3-70b-instruct-v1:0", "meta.llama4-maverick-17b-instruct-v1:0",
            "mistral.mistral-large-2407-v1:0", "cohere.command-r-plus-v1:0", "ai21.jamba-1-5-large-v1:0", "deepseek.r1-v1:0",
            "amazon.titan-embed-text-v2:0", "cohere.embed-v4:0"} <= ids
    profiles = {p["inferenceProfileId"] for p in br.list_inference_profiles()["inferenceProfileSummaries"]}
    assert {"global.anthropic.claude-sonnet-4-6", "us.anthropic.claude-sonnet-4-6", "eu.anthropic.claude-sonnet-4-6",
            "apac.amazon.nova-lite-v1:0", "jp.anthropic.claude-haiku-4-5-20251001-v1:0", "us.meta.llama3-3-70b-instruct-v1:0"} <= profiles
    assert "apac.anthropic.claude-sonnet-4-6" not in profiles  # Sonnet 4.6 has no APAC profile
    # Strands Agents' default model id works as it does on AWS; the base id needs a profile.
    r = rt.converse(modelId="global.anthropic.claude-sonnet-4-6", messages=[{"role": "user", "content": [{"text": "What is Amazon Bedrock?"}]}])
    assert "Bedrock" in r["output"]["message"]["content"][0]["text"]
    with pytest.raises(rt.exceptions.ValidationException, match="on-demand throughput isn’t supported"):
        rt.converse(modelId="anthropic.claude-sonnet-4-6", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    with pytest.raises(rt.exceptions.ValidationException, match="The provided model identifier is invalid."):
        rt.converse(modelId="apac.anthropic.claude-sonnet-4-6", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    # Real limits: Claude 3 Haiku writes at most 4,096 tokens; Sonnet 4.5 up to 64,000.
    with pytest.raises(rt.exceptions.ValidationException, match="exceeds the model limit of 4096"):
        rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hi"}]}], inferenceConfig={"maxTokens": 8000})
    rt.converse(modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}],
                inferenceConfig={"maxTokens": 64000})
    # Global profiles cost about 10% less than geographic ones for the models that have them.
    def cost(model_id):
        rt.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "Define a token."}]}], inferenceConfig={"temperature": 0})
        record = ledger(cloud)[-1]
        return record["costUsd"], record["inputTokens"], record["outputTokens"]
    regional, n_in, n_out = cost("us.anthropic.claude-haiku-4-5-20251001-v1:0")
    worldwide, m_in, m_out = cost("global.anthropic.claude-haiku-4-5-20251001-v1:0")
    assert (n_in, n_out) == (m_in, m_out)
    assert math.isclose(worldwide, (n_in * 0.001 + n_out * 0.005) / 1000, rel_tol=1e-6) and math.isclose(regional, worldwide * 1.1, rel_tol=1e-6)
    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/models") as resp:
        described = {m["id"]: m for m in json.loads(resp.read())["models"]}
    assert described["anthropic.claude-opus-4-6-v1"]["contextWindow"] == 1000000
    assert described["anthropic.claude-haiku-4-5-20251001-v1:0"]["knowledgeCutoff"] == "2025-02"
    assert described["amazon.nova-lite-v1:0"]["maxOutputTokens"] == 5000


def test_tool_arguments_read_the_field_descriptions_the_place_and_the_quoted_material(cloud, aws):
    """What pydantic schemas of LangChain, LiteLLM and Pydantic AI users carry: options listed in a description,
    a city and its country, and a tool that takes the text the prompt quotes (Strands Agents' word_count)."""
    rt = aws("bedrock-runtime")

    def forced(text: str, name: str, schema: dict) -> dict:
        r = rt.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": text}]}],
                        toolConfig={"tools": [{"toolSpec": {"name": name, "inputSchema": {"json": schema}}}],
                                    "toolChoice": {"tool": {"name": name}}})
        return next(b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b)["input"]

    ticket = {"type": "object", "required": ["category", "address"], "properties": {
        "category": {"type": "string", "description": "one of BILLING, TECHNICAL, OTHER"},
        "address": {"type": "object", "required": ["city", "country"],
                    "properties": {"city": {"type": "string"}, "country": {"type": "string"}}}}}
    args = forced("I was charged twice for my March invoice and I live in Campinas, Brazil.", "file_ticket", ticket)
    assert args == {"category": "BILLING", "address": {"city": "Campinas", "country": "Brazil"}}
    args = forced("O aplicativo trava sempre que abro a câmera, moro em Recife, Brasil.", "file_ticket", ticket)
    assert args == {"category": "TECHNICAL", "address": {"city": "Recife", "country": "Brasil"}}
    counted = forced("Use the word_count tool to count the words in: 'Amazon Bedrock runs foundation models'",
                     "word_count", {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]})
    assert counted == {"text": "Amazon Bedrock runs foundation models"}
