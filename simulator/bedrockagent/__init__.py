"""Amazon Bedrock Knowledge Bases: bedrock-agent (knowledge bases, data sources, ingestion) and bedrock-agent-runtime
(Retrieve, RetrieveAndGenerate) over the local cloud's own vector store."""
