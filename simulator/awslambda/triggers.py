"""S3 event notifications to Lambda, as S3 does them: validated at configuration, delivered asynchronously.

PutBucketNotificationConfiguration checks that S3 may invoke each function (a resource-policy statement for
``s3.amazonaws.com``), else answers "Unable to validate the following destination configurations". Events then
go through the runtime's Event queue (with its retries), so PutObject never waits for a handler. Nothing is
delivered during journal replay.
"""

from __future__ import annotations

import json
import logging

from ..core.router import replaying

log = logging.getLogger("gailab.simulator.lambda")


def _problem(bucket_name: str, arn: str) -> str | None:
    from moto.awslambda.models import lambda_backends

    from ..apigateway.integrations import permission_allows

    from moto.awslambda.exceptions import UnknownFunctionException

    parts = arn.split(":")
    if len(parts) < 7:
        return f"Function {arn} does not exist"
    try:
        fn = lambda_backends[parts[4]][parts[3]].get_function(parts[6], parts[7] if len(parts) > 7 else None)
    except UnknownFunctionException:
        fn = None
    if fn is None:
        return f"Function {arn} does not exist"
    if not permission_allows(fn, [f"arn:aws:s3:::{bucket_name}"], service="s3.amazonaws.com"):
        return f"Not authorized to invoke function [{arn}]"
    return None


def put_bucket_notification_configuration(backend, bucket_name, notification_config):
    """moto's, plus AWS's check: each Lambda destination must exist and let s3.amazonaws.com invoke it."""
    from moto.s3.exceptions import InvalidArgumentError

    from ..core.motoseam import original

    bucket = backend.get_bucket(bucket_name)
    previous = bucket.notification_configuration
    original("moto.s3.models:S3Backend.put_bucket_notification_configuration")(
        backend, bucket_name, notification_config
    )
    current_config = bucket.notification_configuration
    for notification in getattr(current_config, "cloud_function", None) or []:
        problem = _problem(bucket_name, notification.arn)
        if problem:
            bucket.notification_configuration = previous
            raise InvalidArgumentError(
                "Unable to validate the following destination configurations", notification.arn, problem
            )


def invoke_awslambda(account_id, event_body, fn_arn, region_name):
    """S3 events reach the function asynchronously through the Event queue, with its retries (as in AWS)."""
    from .extension import current

    ext = current()
    if ext is None or replaying():
        return
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    try:
        fn = lambda_backends[account_id][region_name].get_function(fn_arn)
    except UnknownFunctionException:  # deleted since: S3 drops the event, as AWS would after its retries
        log.info("S3 event for %s dropped: no such function", fn_arn)
        return
    ext.events.submit(fn, json.dumps(event_body))
