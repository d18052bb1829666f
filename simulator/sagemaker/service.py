"""SageMaker hosting as a router extension: models, endpoint configurations, endpoints, and InvokeEndpoint.

The control-plane operations below (X-Amz-Target ``SageMaker.<Op>``) and sagemaker-runtime's
``POST /endpoints/<name>/invocations`` are ours; every other SageMaker operation (training jobs, notebooks...)
stays with moto. Changes are events journaled as ``sagemaker`` records; endpoints answer from the simulated
Bedrock's engines in the JSON of their serving container (:mod:`.invoke`), and bill instance-hours (:meth:`costs`).
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import unquote

from werkzeug.wrappers import Response

from ..core import awserrors, shapes
from ..core.extensions import Extension
from ..core.home import ACCOUNT_ID
from . import containers, invoke, metrics
from .instance_types import is_gpu, price_per_hour
from .models import Store, iso

_OPS = {"CreateModel", "DescribeModel", "ListModels", "DeleteModel", "CreateEndpointConfig", "DescribeEndpointConfig",
        "ListEndpointConfigs", "DeleteEndpointConfig", "CreateEndpoint", "DescribeEndpoint", "ListEndpoints",
        "DeleteEndpoint", "UpdateEndpoint"}
_TAG_OPS = {"AddTags", "ListTags", "DeleteTags"}
_OWN_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:(model|endpoint-config|endpoint)/")
_INVOKE = re.compile(r"^/endpoints/([^/]+)/invocations/?$")
_JUMPSTART_BUCKET = re.compile(r"^jumpstart-(cache|private-cache)-prod-[a-z0-9-]+$")


class SageMakerError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _validation(message: str) -> SageMakerError:
    return SageMakerError("ValidationException", message)


class SageMakerHosting(Extension):
    name = "sagemaker"
    event_kinds = ("sagemaker",)

    def __init__(self):
        self.store = Store()
        self.cloud = None

    def reset(self) -> None:
        self.store.reset()

    def replay_event(self, record: dict) -> None:
        self.store.apply(record["event"])
        if record["event"].get("op") == "Invoke":
            metrics.invoked(record["event"])  # CloudWatch's AWS/SageMaker datapoints come back from the event

    def health(self) -> dict:
        return {"status": "ready", "endpoints": len(self.store.endpoints), "models": len(self.store.models)}

    def admin_routes(self) -> dict:
        return {("GET", "/_gailab/sagemaker/costs"): self._admin_costs,
                ("GET", "/_gailab/sagemaker/invocations"): self._admin_invocations}

    def _admin_invocations(self, info) -> Response:
        """Every InvokeEndpoint answered (what AWS/SageMaker Invocations counts), oldest first; ?endpointName= filters."""
        from ..core.admin import json_response

        name = info.query.get("endpointName")
        with self.store.lock:
            items = [dict(i) for i in self.store.invocations if not name or i["endpointName"] == name]
        return json_response({"invocations": items})

    def _admin_costs(self, info) -> Response:
        from ..core.admin import json_response

        since = info.query.get("since")
        try:
            floor = float(since) if since else None
        except ValueError:
            return awserrors.error_response("gailab", "ValidationException", "since must be a unix time in seconds.", 400)
        return json_response({"items": self.costs(floor)})

    def commit(self, event: dict):
        with self.store.lock:
            result = self.store.apply(event)
            if self.cloud is not None:
                self.cloud.journal.append("sagemaker", {"event": event})
        if event.get("op") == "Invoke":
            metrics.invoked(event)
        return result

    # -- routing ------------------------------------------------------------------------------------------------
    def matches(self, info) -> bool:
        if info.service != "sagemaker":
            return False
        target = info.headers.get("X-Amz-Target", "")
        if target.startswith("SageMaker."):
            op = target.split(".", 1)[1]
            if op in _OPS:
                return True
            if op in _TAG_OPS:
                return bool(_OWN_ARN.match(str(self._json(info).get("ResourceArn") or "")))
            return False
        return bool(_INVOKE.match(info.raw_uri.split("?", 1)[0])) and info.method == "POST"

    @staticmethod
    def _json(info) -> dict:
        try:
            body = json.loads(info.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def handle(self, info) -> Response:
        info.journal = False  # our own events are the journal
        found = _INVOKE.match(info.raw_uri.split("?", 1)[0])
        if found:
            return self.invoke(info, unquote(found[1]))
        op = info.headers["X-Amz-Target"].split(".", 1)[1]
        try:
            try:
                params = json.loads(info.body or b"{}")
            except (UnicodeDecodeError, ValueError) as exc:
                raise SageMakerError("SerializationException", f"Start of structure or map found where not expected: {exc}") from None
            if not isinstance(params, dict):
                raise SageMakerError("SerializationException", "The request body must be a JSON object.")
            problem = shapes.check("sagemaker", op, params, lower_first=True)
            if problem:
                raise _validation(problem)
            out = getattr(self, "_" + op)(info, params)
        except SageMakerError as exc:
            return awserrors.error_response("sagemaker", exc.code, exc.message, exc.status)
        return Response(json.dumps(out), status=200, content_type="application/x-amz-json-1.1",
                        headers={"x-amzn-RequestId": awserrors.request_id()})

    # -- models -------------------------------------------------------------------------------------------------
    def _CreateModel(self, info, p: dict) -> dict:
        name = p["ModelName"]
        region = info.region
        if name in self.store.models:
            raise _validation(f'Cannot create already existing model "{self.store.models[name].arn}".')
        if not p.get("PrimaryContainer") and not p.get("Containers"):
            raise _validation("Either PrimaryContainer or Containers must be specified.")
        for container in [p.get("PrimaryContainer")] + list(p.get("Containers") or []):
            if container and not container.get("ModelPackageName") and not containers.valid_image(container.get("Image") or ""):
                raise _validation(f"Image {container.get('Image')!r} is not a valid Amazon ECR image URI "
                                  "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>).")
        role = p.get("ExecutionRoleArn")
        if not role:
            raise _validation("ExecutionRoleArn is required: the role SageMaker assumes to pull the image and model data.")
        if not _sagemaker_can_assume(role):
            raise _validation(f"Could not assume role {role}. Please ensure that the role exists and allows principal "
                              "'sagemaker.amazonaws.com' to assume the role.")
        model = self.commit({"op": "CreateModel", "at": _now(), "region": region, "params": p})
        return {"ModelArn": model.arn}

    def model(self, name: str, region: str):
        found = self.store.models.get(name)
        if found is None:
            from .models import arn

            raise _validation(f'Could not find model "{arn(region, "model", name)}".')
        return found

    def _DescribeModel(self, info, p: dict) -> dict:
        return self.model(p["ModelName"], info.region).describe()

    def _DeleteModel(self, info, p: dict) -> dict:
        self.model(p["ModelName"], info.region)
        self.commit({"op": "DeleteModel", "name": p["ModelName"], "at": _now()})
        return {}

    def _ListModels(self, info, p: dict) -> dict:
        items = [m for m in self.store.models.values() if _name_ok(m.name, p)]
        return _page(sorted(items, key=lambda m: m.created, reverse=p.get("SortOrder", "Descending") == "Descending"),
                     p, "Models", lambda m: m.summary())

    # -- endpoint configurations -----------------------------------------------------------------------------------
    def _CreateEndpointConfig(self, info, p: dict) -> dict:
        name = p["EndpointConfigName"]
        if name in self.store.configs:
            raise _validation(f'Cannot create already existing endpoint configuration "{self.store.configs[name].arn}".')
        for variant in p["ProductionVariants"]:
            if not variant.get("InstanceType") and not variant.get("ServerlessConfig"):
                raise _validation(f"Invalid ProductionVariant {variant['VariantName']}: specify InstanceType (with "
                                  "InitialInstanceCount) or ServerlessConfig.")
            if variant.get("InstanceType") and variant.get("ServerlessConfig"):
                raise _validation(f"Invalid ProductionVariant {variant['VariantName']}: InstanceType and ServerlessConfig "
                                  "cannot both be specified.")
            if variant.get("ModelName"):
                self.model(variant["ModelName"], info.region)
        names = [v["VariantName"] for v in p["ProductionVariants"]]
        if len(set(names)) != len(names):
            raise _validation("Each production variant must have a unique VariantName.")
        config = self.commit({"op": "CreateEndpointConfig", "at": _now(), "region": info.region, "params": p})
        return {"EndpointConfigArn": config.arn}

    def config(self, name: str, region: str):
        found = self.store.configs.get(name)
        if found is None:
            from .models import arn

            raise _validation(f'Could not find endpoint configuration "{arn(region, "endpoint-config", name)}".')
        return found

    def _DescribeEndpointConfig(self, info, p: dict) -> dict:
        return self.config(p["EndpointConfigName"], info.region).describe()

    def _DeleteEndpointConfig(self, info, p: dict) -> dict:
        self.config(p["EndpointConfigName"], info.region)
        self.commit({"op": "DeleteEndpointConfig", "name": p["EndpointConfigName"], "at": _now()})
        return {}

    def _ListEndpointConfigs(self, info, p: dict) -> dict:
        items = [c for c in self.store.configs.values() if _name_ok(c.name, p)]
        return _page(sorted(items, key=lambda c: c.created, reverse=p.get("SortOrder", "Descending") == "Descending"),
                     p, "EndpointConfigs", lambda c: c.summary())

    # -- endpoints ------------------------------------------------------------------------------------------------
    def _deployment(self, config, region: str) -> tuple[list[dict], str | None]:
        """The variants to run (with their images) and why they cannot start, if they cannot."""
        variants, failure = [], None
        for variant in config.variants:
            model = self.store.models.get(variant.get("ModelName", ""))
            if model is None:
                failure = failure or (f"Model {variant.get('ModelName')} of production variant {variant['VariantName']} "
                                      "no longer exists.")
                variants.append(dict(variant))
                continue
            container = model.containers[0] if model.containers else {}
            serving = containers.serving(container, model.tags)
            variants.append({**variant, "_image": container.get("Image", "")})
            failure = failure or self._cannot_start(variant, model, container, serving)
        return variants, failure

    def _cannot_start(self, variant: dict, model, container: dict, serving) -> str | None:
        name = variant["VariantName"]
        if serving.container is None:
            return (f"The primary container for production variant {name} did not pass the ping health check: the "
                    f"local cloud runs the Hugging Face TGI, TEI, LMI (DJL) and inference-toolkit containers, not "
                    f"{serving.image}.")
        instance = variant.get("InstanceType")
        if instance and serving.needs_gpu and not is_gpu(instance):
            return (f"The primary container for production variant {name} did not pass the ping health check. "
                    f"{serving.model} is served by a GPU container ({serving.container.upper()}), and {instance} has no "
                    "GPU: choose a GPU instance type such as ml.g5.2xlarge. Please check CloudWatch logs for this endpoint.")
        uri = ((container.get("ModelDataSource") or {}).get("S3DataSource") or {}).get("S3Uri") or container.get("ModelDataUrl")
        if uri and uri.startswith("s3://"):
            reason = _model_data_problem(uri, model.params.get("ExecutionRoleArn", ""))
            if reason:
                return (f'Failed to download model data for container "container_1" from URL: "{uri}". Please ensure '
                        "that there is an object located at the URL and that the role passed to CreateModel has "
                        f"permissions to download the object. ({reason})")
        return None

    def _CreateEndpoint(self, info, p: dict) -> dict:
        name = p["EndpointName"]
        if name in self.store.endpoints:
            raise _validation(f'Cannot create already existing endpoint "{self.store.endpoints[name].arn}".')
        config = self.config(p["EndpointConfigName"], info.region)
        variants, failure = self._deployment(config, info.region)
        tags = {t["Key"]: t["Value"] for t in p.get("Tags") or []}
        endpoint = self.commit({"op": "CreateEndpoint", "at": _now(), "region": info.region, "name": name,
                                "config": config.name, "variants": variants, "failure": failure, "tags": tags})
        return {"EndpointArn": endpoint.arn}

    def endpoint(self, name: str, region: str):
        found = self.store.endpoints.get(name)
        if found is None:
            from .models import arn

            raise _validation(f'Could not find endpoint "{arn(region, "endpoint", name)}".')
        return found

    def _DescribeEndpoint(self, info, p: dict) -> dict:
        return self.endpoint(p["EndpointName"], info.region).describe(_now())

    def _UpdateEndpoint(self, info, p: dict) -> dict:
        endpoint = self.endpoint(p["EndpointName"], info.region)
        status = endpoint.status(_now())
        if status in ("Creating", "Updating"):
            raise _validation(f'Cannot update in-progress endpoint "{endpoint.arn}".')
        config = self.config(p["EndpointConfigName"], info.region)
        variants, failure = self._deployment(config, info.region)
        self.commit({"op": "UpdateEndpoint", "at": _now(), "name": endpoint.name, "config": config.name,
                     "variants": variants, "failure": failure})
        return {"EndpointArn": endpoint.arn}

    def _DeleteEndpoint(self, info, p: dict) -> dict:
        self.endpoint(p["EndpointName"], info.region)
        self.commit({"op": "DeleteEndpoint", "name": p["EndpointName"], "at": _now()})
        return {}

    def _ListEndpoints(self, info, p: dict) -> dict:
        t = _now()
        items = [e for e in self.store.endpoints.values() if _name_ok(e.name, p)
                 and (not p.get("StatusEquals") or e.status(t) == p["StatusEquals"])]
        return _page(sorted(items, key=lambda e: e.created, reverse=p.get("SortOrder", "Descending") == "Descending"),
                     p, "Endpoints", lambda e: e.summary(t))

    # -- tags -----------------------------------------------------------------------------------------------------
    def _tagged(self, p: dict):
        item = self.store.by_arn(p["ResourceArn"])
        if item is None:
            raise _validation(f"Resource {p['ResourceArn']} not found.")  # AWS reports unknown ARNs as invalid input
        return item

    def _AddTags(self, info, p: dict) -> dict:
        item = self._tagged(p)
        tags = {t["Key"]: t["Value"] for t in p["Tags"]}
        self.commit({"op": "AddTags", "arn": item.arn, "tags": tags, "at": _now()})
        return {"Tags": p["Tags"]}

    def _ListTags(self, info, p: dict) -> dict:
        return {"Tags": [{"Key": k, "Value": v} for k, v in self._tagged(p).tags.items()]}

    def _DeleteTags(self, info, p: dict) -> dict:
        item = self._tagged(p)
        self.commit({"op": "DeleteTags", "arn": item.arn, "keys": p["TagKeys"], "at": _now()})
        return {}

    # -- runtime --------------------------------------------------------------------------------------------------
    def invoke(self, info, name: str) -> Response:
        region = info.region
        endpoint = self.store.endpoints.get(name)
        if endpoint is None:
            return awserrors.error_response("sagemaker", "ValidationError",
                                            f"Endpoint {name} of account {ACCOUNT_ID} not found.", 400)
        status = endpoint.status(_now())
        if status not in ("InService", "Updating"):
            return awserrors.error_response("sagemaker", "ValidationError",
                                            f"Endpoint {name} of account {ACCOUNT_ID} is not in service (status {status}).", 400)
        wanted = info.headers.get("X-Amzn-SageMaker-Target-Variant")
        variants = [v for v in endpoint.variants if not wanted or v["VariantName"] == wanted]
        if not variants:
            return awserrors.error_response("sagemaker", "ValidationError",
                                            f"Variant {wanted} not found for endpoint {name}.", 400)
        variant = variants[0]
        model = self.store.models.get(variant.get("ModelName", ""))
        container = (model.containers[0] if model and model.containers else {})
        serving = containers.serving(container, model.tags if model else {})
        started = time.perf_counter()
        try:
            body, _, out_tokens = invoke.answer(serving, info.body)
        except invoke.ContainerError as exc:
            metrics.refused(name, variant["VariantName"], exc.status, region)
            return _model_error(name, region, exc)
        request_id = awserrors.request_id()
        self.commit({"op": "Invoke", "name": name, "arn": endpoint.arn, "variant": variant["VariantName"],
                     "instanceType": variant.get("InstanceType"), "model": variant.get("ModelName"),
                     "inputBytes": len(info.body or b""), "requestId": request_id, "at": _now(), "region": region,
                     "instances": variant.get("InitialInstanceCount", 1),
                     "modelLatencyUs": metrics.model_latency_us(serving, out_tokens),
                     "overheadUs": int((time.perf_counter() - started) * 1_000_000)})
        return Response(json.dumps(body, ensure_ascii=False), status=200, content_type="application/json",
                        headers={"x-amzn-RequestId": request_id,
                                 "x-Amzn-Invoked-Production-Variant": variant["VariantName"]})

    # -- costs ------------------------------------------------------------------------------------------------------
    def costs(self, since: float | None) -> list[dict]:
        """Instance-hours of every endpoint variant, from creation until deletion (or now), called or not."""
        t = _now()
        items = []
        with self.store.lock:
            billing = list(self.store.billing)
        for b in billing:
            end = b.end if b.end is not None else t
            start = max(b.start, since) if since is not None else b.start
            if end <= start:
                continue
            hours = round((end - start) / 3600 * b.count, 6)
            price, source = price_per_hour(b.instance_type)
            items.append({
                "service": "Amazon SageMaker AI", "item": f"endpoint {b.endpoint} ({b.variant}): {b.count} x {b.instance_type}",
                "quantity": hours, "unit": "instance-hours", "unitPriceUsd": price,
                "costUsd": round(hours * price, 8), "source": source, "start": iso(start),
                "end": iso(end) if b.end is not None else None,
            })
        return items


def _now() -> float:
    return time.time()


def _name_ok(name: str, p: dict) -> bool:
    return not p.get("NameContains") or p["NameContains"].lower() in name.lower()


def _page(items: list, p: dict, key: str, view) -> dict:
    start = int(p["NextToken"]) if str(p.get("NextToken") or "").isdigit() else 0
    size = p.get("MaxResults") or 10
    out = {key: [view(i) for i in items[start:start + size]]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


def _sagemaker_can_assume(role_arn: str) -> bool:
    from moto.iam.models import iam_backends

    from ..iam.trust import service_can_assume

    try:
        role = iam_backends[ACCOUNT_ID]["aws"].get_role_by_arn(role_arn)
    except Exception:
        return False
    return service_can_assume(role.assume_role_policy_document, "sagemaker.amazonaws.com")


def _model_data_problem(uri: str, role_arn: str) -> str | None:
    """Why the execution role cannot download the model data (a .tar.gz object or an uncompressed prefix)."""
    from moto.s3.models import s3_backends

    from ..iam.actions import Access
    from ..iam.authorizer import service_role_denial

    bucket_name, _, key = uri[len("s3://"):].partition("/")
    if _JUMPSTART_BUCKET.match(bucket_name):
        return None  # AWS's public JumpStart model bucket
    bucket = s3_backends[ACCOUNT_ID]["aws"].buckets.get(bucket_name)
    if bucket is None:
        return f"the bucket {bucket_name} does not exist"
    names = [n for n in bucket.keys.keys() if n == key or (key.endswith("/") or not key) and n.startswith(key)]
    if not names:
        return f"no object at s3://{bucket_name}/{key}"
    denied = service_role_denial(role_arn, "SageMaker", Access("s3:GetObject", f"arn:aws:s3:::{bucket_name}/{names[0]}"))
    return denied


def _model_error(name: str, region: str, exc: invoke.ContainerError) -> Response:
    log_group = f"/aws/sagemaker/Endpoints/{name}"
    message = (f'Received client error ({exc.status}) from primary with message "{exc.message}". See '
               f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group={log_group} "
               f"in account {ACCOUNT_ID} for more information.")
    body = {"__type": "ModelError", "message": message, "Message": message, "OriginalStatusCode": exc.status,
            "OriginalMessage": exc.message, "LogStreamArn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{log_group}"}
    return Response(json.dumps(body), status=424, content_type="application/json",
                    headers={"x-amzn-RequestId": awserrors.request_id(), "x-amzn-ErrorType": "ModelError"})


def factory() -> SageMakerHosting:
    return SageMakerHosting()
