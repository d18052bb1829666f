"""Validate endpoint-config instance types against botocore's enum instead of moto's older, shorter list.

moto 5.2 rejects ``ml.g5.*`` (and every newer family) in CreateEndpointConfig, while the course's
``bedrock-vs-sagemaker`` lab deploys a JumpStart model on exactly such an instance.
"""

from __future__ import annotations

import functools

from ..core.extensions import Extension
from ..core.lazyimport import when_imported


@functools.lru_cache(maxsize=1)
def valid_instance_types() -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for("ProductionVariantInstanceType").enum)


def validate_instance_type(self, instance_type: str) -> None:
    from moto.sagemaker.exceptions import ValidationError

    if instance_type not in valid_instance_types():
        raise ValidationError(
            message=f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [ml.t2.medium, ml.m5.large, ml.g5.xlarge, ...]"
        )


def _patch(models) -> None:
    models.FakeEndpointConfig.validate_instance_type = validate_instance_type


class SageMakerPatches(Extension):
    """Takes no requests; installs the patch when the cloud starts."""

    name = "sagemaker-instance-types"

    def attach(self, cloud) -> None:
        super().attach(cloud)
        when_imported("moto.sagemaker.models", _patch)

    def health(self) -> dict:
        return {"status": "ready"}
