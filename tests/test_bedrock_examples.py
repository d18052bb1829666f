"""The calls AWS's public Python examples for Bedrock make (awsdocs/aws-doc-sdk-examples, bedrock-runtime and
bedrock), made the same way — same bodies, same client calls, clients built from AWS_ENDPOINT_URL only — and
read back the way those examples read them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import boto3
import pytest

HELLO = "Describe the purpose of a 'hello world' program in one line."


def last_record(cloud) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{cloud.endpoint}/_gailab/bedrock/invocations") as r:
        return json.loads(r.read())["invocations"][-1]


def recorded_output(cloud) -> str:
    """What the last call answered, as the ledger recorded it (warm calls vary, so a stream is compared with its own record)."""
    return last_record(cloud)["output"]


def runtime(region="us-east-1"):
    # The examples build their client with only a region; the endpoint comes from AWS_ENDPOINT_URL.
    return boto3.client("bedrock-runtime", region_name=region)


def test_converse_and_converse_stream_for_every_example_family(cloud):
    client = runtime()
    for model_id in (
        "amazon.nova-lite-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "cohere.command-r-plus-v1:0",
        "meta.llama3-8b-instruct-v1:0",
        "mistral.mistral-large-2402-v1:0",
        "amazon.titan-text-premier-v1:0",
    ):
        conversation = [{"role": "user", "content": [{"text": HELLO}]}]
        response = client.converse(modelId=model_id, messages=conversation,
                                   inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9})
        text = response["output"]["message"]["content"][0]["text"]
        assert "Hello, World!" in text, (model_id, text)
        assert response["usage"]["outputTokens"] > 5 and response["stopReason"] == "end_turn"
        streaming = client.converse_stream(modelId=model_id, messages=conversation,
                                           inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9})
        streamed = "".join(chunk["contentBlockDelta"]["delta"]["text"] for chunk in streaming["stream"] if "contentBlockDelta" in chunk)
        assert "Hello, World!" in streamed and streamed == recorded_output(cloud), model_id


def test_converse_async_style_prime_counting(cloud):
    client = runtime()
    stream = client.converse_stream(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                    messages=[{"role": "user", "content": [{"text": "Count to 30 in prime numbers"}]}],
                                    inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9})
    text = "".join(c["contentBlockDelta"]["delta"]["text"] for c in stream["stream"] if "contentBlockDelta" in c)
    assert "2, 3, 5, 7, 11, 13, 17, 19, 23, 29" in text


def _invoke(client, model_id, native):
    response = client.invoke_model(modelId=model_id, body=json.dumps(native))
    return response, json.loads(response["body"].read())


def _stream(client, model_id, native):
    response = client.invoke_model_with_response_stream(modelId=model_id, body=json.dumps(native))
    return [json.loads(event["chunk"]["bytes"]) for event in response["body"]]


def test_invoke_model_text_examples(cloud):
    client = runtime()
    # Anthropic Claude (messages API).
    claude = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512, "temperature": 0.5,
              "messages": [{"role": "user", "content": [{"type": "text", "text": HELLO}]}]}
    response, body = _invoke(client, "anthropic.claude-3-haiku-20240307-v1:0", claude)
    assert "Hello, World!" in body["content"][0]["text"]
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert int(headers["x-amzn-bedrock-output-token-count"]) == body["usage"]["output_tokens"]
    assert int(headers["x-amzn-bedrock-input-token-count"]) == body["usage"]["input_tokens"]
    assert int(headers["x-amzn-bedrock-invocation-latency"]) > 0
    chunks = _stream(client, "anthropic.claude-3-haiku-20240307-v1:0", claude)
    streamed = "".join(c["delta"].get("text", "") for c in chunks if c["type"] == "content_block_delta")
    assert "Hello, World!" in streamed and streamed == recorded_output(cloud)
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == last_record(cloud)["outputTokens"]

    # Cohere Command R.
    _, body = _invoke(client, "cohere.command-r-v1:0", {"message": HELLO, "max_tokens": 512, "temperature": 0.5})
    assert "Hello, World!" in body["text"] and body["finish_reason"] == "COMPLETE"
    chunks = _stream(client, "cohere.command-r-v1:0", {"message": HELLO, "max_tokens": 512, "temperature": 0.5})
    assert "".join(c.get("text", "") for c in chunks if c["event_type"] == "text-generation") == recorded_output(cloud)
    assert chunks[-1]["is_finished"] is True

    # Meta Llama 3 (70B), with Llama 3's prompt format.
    prompt = f"""
<|begin_of_text|><|start_header_id|>user<|end_header_id|>
{HELLO}
<|eot_id|>
<|start_header_id|>assistant<|end_header_id|>
"""
    _, body = _invoke(client, "meta.llama3-70b-instruct-v1:0", {"prompt": prompt, "max_gen_len": 512, "temperature": 0.5})
    assert "Hello, World!" in body["generation"] and body["stop_reason"] == "stop"
    chunks = _stream(client, "meta.llama3-70b-instruct-v1:0", {"prompt": prompt, "max_gen_len": 512, "temperature": 0.5})
    assert "".join(c["generation"] for c in chunks if "generation" in c) == recorded_output(cloud)

    # Mistral Large (24.02) with its [INST] format.
    native = {"prompt": f"<s>[INST] {HELLO} [/INST]", "max_tokens": 512, "temperature": 0.5}
    _, body = _invoke(client, "mistral.mistral-large-2402-v1:0", native)
    assert "Hello, World!" in body["outputs"][0]["text"]
    chunks = _stream(client, "mistral.mistral-large-2402-v1:0", native)
    assert "".join(c["outputs"][0].get("text") for c in chunks if "outputs" in c) == recorded_output(cloud)

    # Amazon Titan Text Premier.
    _, body = _invoke(client, "amazon.titan-text-premier-v1:0", {"inputText": HELLO, "textGenerationConfig": {"maxTokenCount": 512, "temperature": 0.5}})
    assert "Hello, World!" in body["results"][0]["outputText"] and body["results"][0]["completionReason"] == "FINISH"

    # Amazon Nova (native messages-v1) and its stream.
    nova = {"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": HELLO}]}],
            "system": [{"text": "Answer briefly."}], "inferenceConfig": {"maxTokens": 500, "topP": 0.9, "temperature": 0.7}}
    _, body = _invoke(client, "amazon.nova-lite-v1:0", nova)
    assert "Hello, World!" in body["output"]["message"]["content"][0]["text"]
    chunks = _stream(client, "amazon.nova-lite-v1:0", nova)
    assert "".join(c["contentBlockDelta"]["delta"]["text"] for c in chunks if "contentBlockDelta" in c) == recorded_output(cloud)

    # AI21 Jamba and DeepSeek-R1 (through its inference profile).
    _, body = _invoke(client, "ai21.jamba-1-5-mini-v1:0", {"messages": [{"role": "user", "content": HELLO}], "max_tokens": 200})
    assert "Hello, World!" in body["choices"][0]["message"]["content"]
    _, body = _invoke(client, "us.deepseek.r1-v1:0", {"prompt": f"<｜begin▁of▁sentence｜><｜User｜>{HELLO}<｜Assistant｜><think>\n", "max_tokens": 512})
    assert "</think>" in body["choices"][0]["text"] and "Hello, World!" in body["choices"][0]["text"]


def test_embeddings_and_image_examples(cloud, tmp_path):
    client = runtime()
    _, body = _invoke(client, "amazon.titan-embed-text-v2:0", {"inputText": "Please recommend books with a theme similar to the movie 'Inception'."})
    assert len(body["embedding"]) == 1024 and body["inputTextTokenCount"] > 5
    _, body = _invoke(client, "amazon.titan-embed-text-v1", {"inputText": "Hello"})
    assert len(body["embedding"]) == 1536

    prompt = "A stylized picture of a cute old steampunk robot."
    west = runtime("us-west-2")
    _, body = _invoke(west, "stability.stable-image-core-v1:1", {"prompt": prompt, "aspect_ratio": "1:1", "seed": 4294967295, "output_format": "png"})
    png = base64.b64decode(body["images"][0])
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 1024
    sizes = set()
    for model_id in ("amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v2:0"):
        _, body = _invoke(client, model_id, {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": prompt},
                                             "imageGenerationConfig": {"numberOfImages": 1, "quality": "standard", "cfgScale": 8.0, "height": 512, "width": 512, "seed": 42}})
        png = base64.b64decode(body["images"][0])
        sizes.add((int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")))
        (tmp_path / f"{model_id}.png").write_bytes(png)
    assert sizes == {(512, 512)}
    _, other = _invoke(client, "amazon.nova-canvas-v1:0", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a lighthouse at night"},
                                                           "imageGenerationConfig": {"height": 512, "width": 512, "seed": 42}})
    assert base64.b64decode(other["images"][0]) != (tmp_path / "amazon.nova-canvas-v1:0.png").read_bytes()
    _, sdxl = _invoke(client, "stability.stable-diffusion-xl-v1", {"text_prompts": [{"text": prompt}], "style_preset": "photographic", "seed": 7, "cfg_scale": 10, "steps": 30})
    assert base64.b64decode(sdxl["artifacts"][0]["base64"]).startswith(b"\x89PNG")


def test_document_understanding_examples(cloud):
    client = runtime()
    pdf = b"%PDF-1.4\n" + os.urandom(2048)
    for model_id in ("anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-lite-v1:0", "cohere.command-r-v1:0",
                     "us.deepseek.r1-v1:0", "us.meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-large-2402-v1:0"):
        conversation = [{"role": "user", "content": [
            {"text": "Briefly compare the models described in this document"},
            {"document": {"format": "pdf", "name": "Amazon Nova Service Cards", "source": {"bytes": pdf}}},
        ]}]
        response = client.converse(modelId=model_id, messages=conversation, inferenceConfig={"maxTokens": 500, "temperature": 0.3})
        texts = {k: v for item in response["output"]["message"]["content"] for k, v in item.items()}
        assert "Amazon Nova Service Cards" in texts["text"], model_id
        if "deepseek" in model_id:
            assert texts["reasoningContent"]["reasoningText"]["text"]
    # A PDF with readable text becomes context and is quoted.
    stream = (b"BT /F1 12 Tf 72 700 Td (Nova Micro is text only.) Tj ET\n"
              b"BT /F1 12 Tf 72 680 Td (Nova Lite accepts text, images and video.) Tj ET")
    real_pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                b"3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >> endobj\n"
                b"4 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
                + f"5 0 obj << /Length {len(stream)} >> stream\n".encode() + stream + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    response = client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0", messages=[{"role": "user", "content": [
        {"text": "Which Nova model accepts video?"},
        {"document": {"format": "pdf", "name": "Nova cards", "source": {"bytes": real_pdf}}}]}])
    answer = response["output"]["message"]["content"][0]["text"]
    assert 'According to the document "Nova cards": "Nova Lite accepts text, images and video."' == answer
    # A text document is read and quoted.
    notes = "Nova Micro is text only. Nova Lite accepts text, images and video. Nova Pro is the most capable of the three."
    response = client.converse(modelId="amazon.nova-pro-v1:0", messages=[{"role": "user", "content": [
        {"text": "Which Nova model accepts images and video?"},
        {"document": {"format": "txt", "name": "notes", "source": {"bytes": notes.encode()}}}]}])
    assert "Nova Lite accepts text, images and video." in response["output"]["message"]["content"][0]["text"]


def test_hello_bedrock_and_wrapper_control_plane_calls(cloud):
    bedrock = boto3.client(service_name="bedrock")
    models = bedrock.list_foundation_models()["modelSummaries"]
    assert any(m["modelId"] == "anthropic.claude-3-haiku-20240307-v1:0" and m["modelName"] == "Claude 3 Haiku" for m in models)
    details = bedrock.get_foundation_model(modelIdentifier="amazon.titan-embed-text-v1")["modelDetails"]
    assert details["outputModalities"] == ["EMBEDDING"] and details["modelArn"].endswith("foundation-model/amazon.titan-embed-text-v1")


def test_an_example_style_script_runs_unmodified_in_a_subprocess(cloud, aws_env, tmp_path):
    script = tmp_path / "converse_script.py"
    script.write_text(
        "import boto3\n"
        "client = boto3.client('bedrock-runtime', region_name='us-east-1')\n"
        "r = client.converse(modelId='anthropic.claude-3-haiku-20240307-v1:0',\n"
        f"    messages=[{{'role': 'user', 'content': [{{'text': {HELLO!r}}}]}}],\n"
        "    inferenceConfig={'maxTokens': 512, 'temperature': 0.5, 'topP': 0.9})\n"
        "print(r['output']['message']['content'][0]['text'])\n"
    )
    env = dict(aws_env, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Hello, World!" in result.stdout


@pytest.mark.parametrize("command", ["invoke-model", "converse", "list-foundation-models"])
def test_aws_cli(cloud, aws_env, tmp_path, command):
    aws = [sys.executable, "-m", "awscli"]
    if command == "invoke-model":
        body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
                           "messages": [{"role": "user", "content": "What is Amazon Bedrock?"}]})
        out = tmp_path / "out.json"
        result = subprocess.run(aws + ["bedrock-runtime", "invoke-model", "--model-id", "anthropic.claude-3-haiku-20240307-v1:0",
                                       "--body", body, str(out)], env=aws_env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Bedrock" in json.loads(out.read_text())["content"][0]["text"]
        assert json.loads(result.stdout)["contentType"] == "application/json"
    elif command == "converse":
        result = subprocess.run(aws + ["bedrock-runtime", "converse", "--model-id", "amazon.nova-micro-v1:0", "--messages",
                                       json.dumps([{"role": "user", "content": [{"text": "O que é o Amazon SageMaker JumpStart?"}]}])],
                                env=aws_env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "JumpStart" in json.loads(result.stdout)["output"]["message"]["content"][0]["text"]
    else:
        result = subprocess.run(aws + ["bedrock", "list-foundation-models", "--by-output-modality", "EMBEDDING"],
                                env=aws_env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        ids = {m["modelId"] for m in json.loads(result.stdout)["modelSummaries"]}
        assert ids == {"amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0", "amazon.titan-embed-image-v1",
                       "cohere.embed-english-v3", "cohere.embed-multilingual-v3", "cohere.embed-v4:0"}
