"""The admin API under ``/_gailab/``: health and reset. Services add their own routes."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from .router import RequestInfo
    from .server import Cloud

# moto services the local cloud serves as they are (the ones the course uses).
MOTO_SERVICES = ["s3", "kms", "iam", "sts", "logs", "cloudwatch", "lambda", "apigateway", "sagemaker"]


def json_response(payload, status: int = 200) -> Response:
    return Response(json.dumps(payload, default=str), status=status, content_type="application/json")


def routes(cloud: "Cloud") -> dict:
    def health(info: "RequestInfo") -> Response:
        services = {name: {"status": "ready", "backend": "moto"} for name in MOTO_SERVICES}
        for ext in cloud.extensions:
            services[ext.name] = {"backend": "gailab", **ext.health()}
        return json_response(
            {
                "status": "ready",
                "version": cloud.version,
                "endpoint": cloud.endpoint,
                "uptimeSeconds": round(time.monotonic() - cloud.started_at, 3),
                "journalRecords": cloud.journal.count,
                "journal": {"path": str(cloud.journal.path), "records": cloud.journal.count},
                "home": str(cloud.home),
                "warnings": cloud.warnings,
                "restarts": cloud.restarts,
                "lastRestart": cloud.last_restart or None,
                "services": services,
            }
        )

    def reset(info: "RequestInfo") -> Response:
        started = time.perf_counter()
        cloud.reset()
        return json_response({"reset": True, "millis": round((time.perf_counter() - started) * 1000, 1)})

    def journal(info: "RequestInfo") -> Response:
        path = cloud.journal.path
        return json_response(
            {
                "path": str(path),
                "records": cloud.journal.count,
                "bytes": path.stat().st_size if path.exists() else 0,
                "replayedOnStart": cloud.replayed,
                "startedFromCheckpoint": cloud.started_from or None,
                "checkpoints": {
                    "taken": cloud.checkpoints.taken,
                    "lastSeconds": round(cloud.checkpoints.last_seconds, 3),
                    "disabled": cloud.checkpoints.disabled,
                },
                "replaySeconds": round(cloud.replay_seconds, 3),
                "warnings": cloud.warnings,
            }
        )

    return {
        ("GET", "/_gailab/health"): health,
        ("POST", "/_gailab/reset"): reset,
        ("GET", "/_gailab/journal"): journal,
    }
