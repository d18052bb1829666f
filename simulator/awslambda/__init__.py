"""awslambda."""
