"""genai-summarize: fills the prompt template kept in S3 with the caller's text and asks the model that the
MODEL_ID environment variable names. Invoke it with {"text": "..."}; it answers {"summary": "..."}."""

import os

import boto3

BUCKET, TEMPLATE = "genai-outputs", "prompts/summary.txt"

s3 = boto3.client("s3")
bedrock = boto3.client("bedrock-runtime")


def lambda_handler(event, context):
    text = event["text"]  # no text is a caller's error: let it fail loudly
    template = s3.get_object(Bucket=BUCKET, Key=TEMPLATE)["Body"].read().decode("utf-8")
    prompt = template.format(texto=text, text=text)
    reply = bedrock.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"maxTokens": 300, "temperature": 0.2},
    )
    return {"summary": reply["output"]["message"]["content"][0]["text"]}
