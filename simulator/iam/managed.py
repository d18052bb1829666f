"""The AWS managed policies a learner of this course attaches (AWSLambdaBasicExecutionRole and friends).

moto knows ~1,600 AWS managed policies but loads none unless told to, and loading all costs half a second per
reset. We load the few the labs use (their documents are in ``aws_managed_policies.json``) into every IAM
backend moto creates.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

COURSE_POLICIES = (
    "AWSLambdaBasicExecutionRole", "AWSLambdaExecute", "AWSLambdaRole", "AWSLambda_FullAccess",
    "AWSLambda_ReadOnlyAccess", "AWSLambdaSQSQueueExecutionRole", "AWSXRayDaemonWriteAccess",
    "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonBedrockFullAccess", "AmazonBedrockReadOnly",
    "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess", "CloudWatchFullAccess",
    "AmazonAPIGatewayInvokeFullAccess", "AmazonAPIGatewayAdministrator", "AmazonAPIGatewayPushToCloudWatchLogs",
    "AWSKeyManagementServicePowerUser", "AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly",
    "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMReadOnlyAccess", "IAMFullAccess",
)


@functools.lru_cache(maxsize=1)
def _course_data() -> dict[str, dict]:
    """The policies' documents, as AWS publishes them (kept as data beside this module: importing moto's
    4.7 MB module of all managed policies costs the cloud's first request half a second)."""
    return json.loads((Path(__file__).with_name("aws_managed_policies.json")).read_text())


def init_aws_policies(backend):
    """moto's IAMBackend._init_aws_policies, giving every IAM backend the course's AWS managed policies (moto
    loads none unless told to load all 4.7 MB of them)."""
    from moto.iam import models

    from ..core import determinism
    from ..core.motoseam import original

    policies = original("moto.iam.models:IAMBackend._init_aws_policies")(backend)
    if policies:  # moto was told to load them all
        return policies
    # Policy IDs come from the OS, never from the seed of the request that happens to create the backend:
    # replay may create it in another request than the original run did.
    with determinism.unseeded():
        return [models.AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
                for name, data in _course_data().items()]
