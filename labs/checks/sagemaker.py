"""SageMaker: an endpoint, its configuration, and the instance types behind it."""

from __future__ import annotations

from botocore.exceptions import ClientError

from . import Context, error_code


def _get(call, **kwargs) -> dict | None:
    try:
        return call(**kwargs)
    except ClientError as exc:
        if error_code(exc) in ("ValidationException", "ResourceNotFound"):
            return None
        raise


def endpoint(ctx: Context, name: str) -> dict | None:
    return _get(ctx.client("sagemaker").describe_endpoint, EndpointName=name)


def endpoint_config(ctx: Context, name: str) -> dict | None:
    return _get(ctx.client("sagemaker").describe_endpoint_config, EndpointConfigName=name)


def instance_types(config: dict) -> list[str]:
    return [v.get("InstanceType", "") for v in config.get("ProductionVariants", [])]


def is_gpu(instance_type: str) -> bool:
    """ml.g*/ml.p*/ml.inf*/ml.trn* carry accelerators; ml.m*/ml.c*/ml.t*/ml.r* are CPU only."""
    family = instance_type.removeprefix("ml.").split(".", 1)[0]
    return family.startswith(("g", "p", "inf", "trn"))
