"""SageMaker: moto's, with the instance types AWS accepts today (JumpStart LLMs need ml.g5 and newer)."""
