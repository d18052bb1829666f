"""bedrock."""
