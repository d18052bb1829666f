"""Real client libraries, unmodified, against the local cloud's simulated Bedrock: each scenario uses the library as
its documentation shows, pointed at the local endpoint, and checks what a user would check. Prints one line per
scenario (ok / FAIL with the error) and the time it took; exits 1 when any scenario fails.

The libraries are not dependencies of gailab; they live in the optional extra ``clients``:

    python3 -m venv .venv-clients && .venv-clients/bin/pip install -e ".[clients]"
    .venv-clients/bin/python bench/bench_clients.py [--only anthropic,langchain,...]

A library that is not installed is reported as missing (and counts as a failure unless --allow-missing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from typing import Callable

from gailab.simulator.core.process import CloudProcess

CLAUDE = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
CLAUDE_FOUNDATION = "anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA = "amazon.nova-lite-v1:0"
SCENARIOS: dict[str, list[tuple[str, Callable[[str], str]]]] = {}


def scenario(library: str, name: str):
    def wrap(fn):
        SCENARIOS.setdefault(library, []).append((name, fn))
        return fn
    return wrap


def _schema_models():
    from pydantic import BaseModel, Field

    class Address(BaseModel):
        city: str
        country: str

    class Ticket(BaseModel):
        """A support ticket extracted from a customer's message."""
        category: str = Field(description="one of BILLING, TECHNICAL, OTHER")
        priority: int = Field(description="1 (urgent) to 5 (low)")
        tags: list[str] = Field(description="short keywords")
        address: Address

    return Ticket


def _check_ticket(ticket) -> str:
    """What a real model extracts from MESSAGE: the listed category, the city and the country, keywords."""
    assert ticket.category == "BILLING", ticket
    assert (ticket.address.city, ticket.address.country) == ("Campinas", "Brazil"), ticket
    assert ticket.tags and all(isinstance(t, str) for t in ticket.tags) and 1 <= ticket.priority <= 5, ticket
    return f"{ticket.model_dump()}"


MESSAGE = ("I was charged twice for my March invoice and I live in Campinas, Brazil. "
           "Please fix it, this is urgent.")


# -- Anthropic SDK ------------------------------------------------------------------------------------------------
def _anthropic(endpoint: str):
    from anthropic import AnthropicBedrock

    return AnthropicBedrock(aws_region="us-east-1", aws_access_key="test", aws_secret_key="test", base_url=endpoint)


@scenario("anthropic", "AnthropicBedrock messages.create")
def anthropic_create(endpoint: str) -> str:
    out = _anthropic(endpoint).messages.create(model=CLAUDE, max_tokens=200,
                                               messages=[{"role": "user", "content": "What is Amazon Bedrock? One sentence."}])
    text = out.content[0].text
    assert "Bedrock" in text and out.usage.output_tokens > 0, text
    return f"{out.usage.input_tokens}+{out.usage.output_tokens} tokens"


@scenario("anthropic", "AnthropicBedrock messages.stream")
def anthropic_stream(endpoint: str) -> str:
    with _anthropic(endpoint).messages.stream(model=CLAUDE, max_tokens=200,
                                              messages=[{"role": "user", "content": "Define a token in one sentence."}]) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1 and "".join(pieces) == final.content[0].text
    return f"{len(pieces)} text events"


@scenario("anthropic", "AnthropicBedrock tool use with a schema (array, nested object, integer)")
def anthropic_tools(endpoint: str) -> str:
    Ticket = _schema_models()
    out = _anthropic(endpoint).messages.create(
        model=CLAUDE, max_tokens=400, tools=[{"name": "file_ticket", "description": "File a support ticket.",
                                              "input_schema": Ticket.model_json_schema()}],
        tool_choice={"type": "tool", "name": "file_ticket"}, messages=[{"role": "user", "content": MESSAGE}])
    call = next(b for b in out.content if b.type == "tool_use")
    return _check_ticket(Ticket.model_validate(call.input))


# -- LangChain ----------------------------------------------------------------------------------------------------
@scenario("langchain", "ChatBedrockConverse invoke")
def langchain_invoke(endpoint: str) -> str:
    from langchain_aws import ChatBedrockConverse

    llm = ChatBedrockConverse(model=NOVA, region_name="us-east-1", endpoint_url=endpoint, temperature=0)
    out = llm.invoke("What is retrieval-augmented generation? One sentence.")
    assert "retriev" in out.content.lower(), out.content
    return f"{out.usage_metadata}"


@scenario("langchain", "ChatBedrockConverse with_structured_output (pydantic)")
def langchain_structured(endpoint: str) -> str:
    from langchain_aws import ChatBedrockConverse

    Ticket = _schema_models()
    llm = ChatBedrockConverse(model=CLAUDE, region_name="us-east-1", endpoint_url=endpoint, temperature=0)
    ticket = llm.with_structured_output(Ticket).invoke(MESSAGE)
    assert isinstance(ticket, Ticket), ticket
    return _check_ticket(ticket)


@scenario("langchain", "ChatBedrock (InvokeModel) stream")
def langchain_chatbedrock(endpoint: str) -> str:
    from langchain_aws import ChatBedrock

    llm = ChatBedrock(model_id=CLAUDE, region_name="us-east-1", endpoint_url=endpoint, model_kwargs={"temperature": 0})
    pieces = [c.content for c in llm.stream("What is a foundation model? One sentence.")]
    assert len(pieces) > 1 and "model" in "".join(str(p) for p in pieces).lower()
    return f"{len(pieces)} chunks"


@scenario("langchain", "BedrockEmbeddings (Titan v2, Cohere multilingual)")
def langchain_embeddings(endpoint: str) -> str:
    from langchain_aws import BedrockEmbeddings

    sizes = []
    for model in ("amazon.titan-embed-text-v2:0", "cohere.embed-multilingual-v3"):
        emb = BedrockEmbeddings(model_id=model, region_name="us-east-1", endpoint_url=endpoint)
        docs = emb.embed_documents(["Quantos dias de férias eu tenho?", "How many vacation days do I get?"])
        query = emb.embed_query("vacation days")
        assert len(docs) == 2 and len(query) == len(docs[0])
        sizes.append(len(query))
    return f"dimensions {sizes}"


_KB: dict[str, str] = {}


def _knowledge_base(endpoint: str) -> str:
    """A knowledge base over two policy documents (pt-BR and en), ingested once per run, as a learner builds it."""
    if endpoint in _KB:
        return _KB[endpoint]
    import boto3

    def c(service):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = c("iam").create_role(RoleName="kb-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    c("iam").put_role_policy(RoleName="kb-role", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "bedrock:InvokeModel"],
                                                "Resource": "*"}]}))
    s3 = c("s3")
    s3.create_bucket(Bucket="policies")
    s3.put_object(Bucket="policies", Key="docs/ferias.txt", Body="Cada colaborador tem direito a 30 dias de férias "
                  "remuneradas por ano. O pedido deve ser feito no portal de RH.".encode())
    s3.put_object(Bucket="policies", Key="docs/expenses.txt", Body=b"Travel expenses are reimbursed within ten business "
                  b"days after the receipt is uploaded. Hotel stays are limited to 180 dollars per night.")
    agent = c("bedrock-agent")
    kb = agent.create_knowledge_base(
        name="policies", roleArn=role, knowledgeBaseConfiguration={"type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"}},
        storageConfiguration={"type": "OPENSEARCH_SERVERLESS", "opensearchServerlessConfiguration": {
            "collectionArn": "arn:aws:aoss:us-east-1:123456789012:collection/abcdefghij", "vectorIndexName": "kb",
            "fieldMapping": {"vectorField": "v", "textField": "t", "metadataField": "m"}}})["knowledgeBase"]["knowledgeBaseId"]
    ds = agent.create_data_source(knowledgeBaseId=kb, name="docs", dataSourceConfiguration={
        "type": "S3", "s3Configuration": {"bucketArn": "arn:aws:s3:::policies"}})["dataSource"]["dataSourceId"]
    job = agent.start_ingestion_job(knowledgeBaseId=kb, dataSourceId=ds)["ingestionJob"]["ingestionJobId"]
    deadline = time.monotonic() + 60
    while agent.get_ingestion_job(knowledgeBaseId=kb, dataSourceId=ds, ingestionJobId=job)["ingestionJob"]["status"] != "COMPLETE":
        assert time.monotonic() < deadline, "ingestion did not complete in 60 s"
        time.sleep(0.1)
    _KB[endpoint] = kb
    return kb


@scenario("langchain", "AmazonKnowledgeBasesRetriever (Retrieve on a knowledge base)")
def langchain_kb_retriever(endpoint: str) -> str:
    from langchain_aws import AmazonKnowledgeBasesRetriever

    retriever = AmazonKnowledgeBasesRetriever(knowledge_base_id=_knowledge_base(endpoint), region_name="us-east-1",
                                              endpoint_url=endpoint,
                                              retrieval_config={"vectorSearchConfiguration": {"numberOfResults": 2}})
    docs = retriever.invoke("How many vacation days do I get?")  # English question, pt-BR document
    assert docs and "30 dias de férias" in docs[0].page_content, docs
    return f"{len(docs)} documents, first {docs[0].metadata.get('location')}"


# -- LlamaIndex ---------------------------------------------------------------------------------------------------
@scenario("llamaindex", "BedrockConverse complete + chat stream")
def llamaindex_converse(endpoint: str) -> str:
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.bedrock_converse import BedrockConverse

    llm = BedrockConverse(model=NOVA, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                          endpoint_url=endpoint, temperature=0)
    done = llm.complete("What is prompt engineering? One sentence.")
    assert "prompt" in done.text.lower(), done.text
    pieces = list(llm.stream_chat([ChatMessage(role="user", content="What is a token?")]))
    assert pieces and pieces[-1].message.content
    return f"{len(pieces)} stream events"


@scenario("llamaindex", "BedrockConverse structured_predict (pydantic)")
def llamaindex_structured(endpoint: str) -> str:
    from llama_index.core.prompts import PromptTemplate
    from llama_index.llms.bedrock_converse import BedrockConverse

    Ticket = _schema_models()
    llm = BedrockConverse(model=CLAUDE, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
                          endpoint_url=endpoint, temperature=0)
    ticket = llm.structured_predict(Ticket, PromptTemplate("Extract a ticket: {message}"), message=MESSAGE)
    return _check_ticket(ticket)


@scenario("llamaindex", "BedrockEmbedding (Titan v2)")
def llamaindex_embedding(endpoint: str) -> str:
    import boto3
    from llama_index.embeddings.bedrock import BedrockEmbedding

    client = boto3.client("bedrock-runtime", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    emb = BedrockEmbedding(model_name="amazon.titan-embed-text-v2:0", client=client)
    vec = emb.get_text_embedding("Política de férias")
    assert len(vec) == 1024
    return f"{len(vec)} dimensions"


# -- LiteLLM ------------------------------------------------------------------------------------------------------
@scenario("litellm", "completion (Converse route)")
def litellm_completion(endpoint: str) -> str:
    import litellm

    out = litellm.completion(model=f"bedrock/{NOVA}", messages=[{"role": "user", "content": "What is a vector database?"}],
                             aws_bedrock_runtime_endpoint=endpoint, aws_region_name="us-east-1", temperature=0)
    text = out.choices[0].message.content
    assert "vector" in text.lower(), text
    return f"{out.usage.prompt_tokens}+{out.usage.completion_tokens} tokens"


@scenario("litellm", "completion with response_format (JSON schema through one tool)")
def litellm_response_format(endpoint: str) -> str:
    import litellm

    Ticket = _schema_models()
    out = litellm.completion(model=f"bedrock/{CLAUDE}", messages=[{"role": "user", "content": MESSAGE}],
                             response_format=Ticket, aws_bedrock_runtime_endpoint=endpoint, aws_region_name="us-east-1")
    return _check_ticket(Ticket.model_validate_json(out.choices[0].message.content))


@scenario("litellm", "streaming completion")
def litellm_stream(endpoint: str) -> str:
    import litellm

    chunks = list(litellm.completion(model=f"bedrock/{CLAUDE}", stream=True, aws_bedrock_runtime_endpoint=endpoint,
                                     aws_region_name="us-east-1",
                                     messages=[{"role": "user", "content": "What is Amazon Bedrock?"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "Bedrock" in text, text
    return f"{len(chunks)} chunks"


@scenario("litellm", "embedding (Cohere Embed v3)")
def litellm_embedding(endpoint: str) -> str:
    import litellm

    out = litellm.embedding(model="bedrock/cohere.embed-english-v3", input=["hello world", "vacation policy"],
                            aws_bedrock_runtime_endpoint=endpoint, aws_region_name="us-east-1")
    assert len(out.data) == 2 and len(out.data[0]["embedding"]) == 1024
    return "2 x 1024"


# -- Strands Agents -----------------------------------------------------------------------------------------------
@scenario("strands", "Agent with its default model and a tool")
def strands_agent(endpoint: str) -> str:
    from strands import Agent, tool

    calls = []

    @tool
    def word_count(text: str) -> int:
        """Count the words in a text."""
        calls.append(text)
        return len(text.split())

    agent = Agent(tools=[word_count], callback_handler=None)
    result = agent("Use the word_count tool to count the words in: 'Amazon Bedrock runs foundation models'")
    assert calls, "the tool was never called"
    assert "5" in str(result), (calls, str(result))
    return f"{agent.model.config.get('model_id')}; word_count({calls[0]!r}); {str(result)[:60]!r}"


# -- Pydantic AI --------------------------------------------------------------------------------------------------
@scenario("pydantic-ai", "Agent with a structured output type")
def pydantic_ai_agent(endpoint: str) -> str:
    from pydantic_ai import Agent
    from pydantic_ai.models.bedrock import BedrockConverseModel

    Ticket = _schema_models()
    agent = Agent(BedrockConverseModel(CLAUDE), output_type=Ticket)
    result = agent.run_sync(MESSAGE)
    return _check_ticket(result.output)


@scenario("pydantic-ai", "Agent with plain text output")
def pydantic_ai_text(endpoint: str) -> str:
    from pydantic_ai import Agent
    from pydantic_ai.models.bedrock import BedrockConverseModel

    result = Agent(BedrockConverseModel(NOVA)).run_sync("What is fine-tuning? One sentence.")
    assert "fine" in result.output.lower(), result.output
    return f"{result.output[:60]!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated libraries: " + ", ".join(SCENARIOS))
    parser.add_argument("--allow-missing", action="store_true", help="a library that is not installed is not a failure")
    args = parser.parse_args()
    wanted = [x for x in args.only.split(",") if x] or list(SCENARIOS)
    failures = 0
    with tempfile.TemporaryDirectory() as home:
        cloud = CloudProcess(home, port=0).start()
        try:
            endpoint = cloud.endpoint
            # What a user's shell has when it points the SDKs at the local cloud (gailab env prints these).
            os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                               "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"})
            os.environ.pop("AWS_PROFILE", None)
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline: LiteLLM's bundled price map
            for library in wanted:
                for name, fn in SCENARIOS[library]:
                    started = time.perf_counter()
                    try:
                        detail = fn(endpoint)
                        status = "ok  "
                    except ImportError as exc:
                        detail, status = f"not installed ({exc.name})", "miss"
                        failures += 0 if args.allow_missing else 1
                    except Exception as exc:  # a scenario's failure is reported, the others still run
                        failures += 1
                        status = "FAIL"
                        detail = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:400]
                        if os.environ.get("GAILAB_BENCH_TRACE"):
                            traceback.print_exc()
                    took = (time.perf_counter() - started) * 1000
                    print(f"{status} {library:12s} {name:70s} {took:7.0f} ms  {detail[:200]}", flush=True)
        finally:
            cloud.stop()
    versions = {}
    for dist in ("anthropic", "langchain-aws", "llama-index-llms-bedrock-converse", "litellm", "strands-agents", "pydantic-ai-slim"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:
            versions[dist] = None
    print("versions:", json.dumps(versions))
    print(f"{'all scenarios passed' if not failures else f'{failures} scenario(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
