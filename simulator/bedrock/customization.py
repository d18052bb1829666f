"""Model customization: CreateModelCustomizationJob / Get / List / Stop, and custom models (Get / List / Delete).

FINE_TUNING and CONTINUED_PRE_TRAINING on the catalog models that support them (``customizationsSupported``). The
training (and validation) JSONL is read from S3 with the service role and checked as AWS does: prompt/completion
records for Titan and Llama, the Converse message format for Nova and Claude, ``{"input"}`` for continued
pre-training; a bad line fails the job with its line number. Hyperparameters are checked against each model's
documented ranges. The job validates, processes data, trains (seconds), writes step-wise training (and
validation) metrics to the output S3 prefix, and leaves a custom model. A custom model answers only through
Provisioned Throughput, and answers as its data taught it (:func:`adapt`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field

from werkzeug.wrappers import Response

from ..billing.items import line, overlap
from ..billing.prices import hours_per_month, section
from . import catalog, s3io, tokens
from .control import _body, _page, ok
from .errors import BedrockError, not_found, validation
from ..core.pace import scaled
from .jobs import arn, iso, listed, new_id, request_time, required

#: Seconds validating and processing data, then training (at least three seconds); Stopping. At the cloud's pace.
VALIDATING, PROCESSING = 2.0, 1.0
MIN_TRAINING, SECONDS_PER_RECORD_EPOCH, STOPPING = 3.0, 0.01, 1.0
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9\+\-\.])*$")
_MODEL_NAME = re.compile(r"^([0-9a-zA-Z][_-]?){1,63}$")

#: Hyperparameters per model family: name -> (type, minimum, maximum, default), from AWS's hyperparameter pages.
_TITAN = {"epochCount": (int, 1, 10, 5), "batchSize": (int, 1, 64, 1), "learningRate": (float, 0.0, 1.0, 0.00001),
          "learningRateWarmupSteps": (int, 0, 250, 5)}
_TITAN_PREMIER = {"epochCount": (int, 1, 5, 2), "batchSize": (int, 1, 1, 1),
                  "learningRate": (float, 0.0000001, 0.00001, 0.000001), "learningRateWarmupSteps": (int, 0, 20, 5)}
_NOVA = {"epochCount": (int, 1, 5, 2), "learningRate": (float, 0.000001, 0.0001, 0.00001),
         "learningRateWarmupSteps": (int, 0, 100, 10)}
_LLAMA = {"epochCount": (int, 1, 10, 5), "batchSize": (int, 1, 1, 1), "learningRate": (float, 0.000005, 0.1, 0.0001)}
HYPERPARAMETERS = {"amazon.titan-text-express-v1": _TITAN, "amazon.titan-text-lite-v1": _TITAN,
                   "amazon.titan-text-premier-v1:0": _TITAN_PREMIER, "nova": _NOVA, "llama": _LLAMA}
#: Quota "Sum of training and validation records" (default) per model family, and validation records at most.
MAX_RECORDS = {"titan-text": 10_000, "nova": 20_000, "llama": 10_000, "anthropic": 10_000}
MAX_VALIDATION_RECORDS = 1_000


@dataclass
class CustomModel:
    """What a completed job leaves: its settings are the job's."""

    id: str
    arn: str
    job: "CustomizationJob"
    created: float
    examples: list = field(default_factory=list)  # [(prompt, completion)] or [(text, "")] for pre-training
    deleted: float | None = None

    @property
    def name(self) -> str:
        return self.job.model_name

    @property
    def base_model(self) -> str:
        return self.job.base_model

    @property
    def customization_type(self) -> str:
        return self.job.customization_type

    def describe(self) -> dict:
        job = self.job
        out = {
            "modelArn": self.arn, "modelName": self.name, "jobName": job.name, "jobArn": job.arn,
            "baseModelArn": job.base_model_arn, "customizationType": job.customization_type,
            "hyperParameters": job.hyperparameters, "trainingDataConfig": job.training_config,
            "outputDataConfig": job.output_config, "trainingMetrics": {"trainingLoss": job.training_loss},
            "creationTime": iso(self.created), "modelStatus": "Active",
        }
        if job.validation_config:
            out["validationDataConfig"] = job.validation_config
            out["validationMetrics"] = [{"validationLoss": job.validation_loss}]
        return out

    def summary(self) -> dict:
        return {"modelArn": self.arn, "modelName": self.name, "creationTime": iso(self.created),
                "baseModelArn": self.job.base_model_arn, "baseModelName": self.base_model,
                "customizationType": self.customization_type, "ownerAccountId": self.arn.split(":")[4],
                "modelStatus": "Active"}


@dataclass
class CustomizationJob:
    id: str
    arn: str
    name: str
    model_name: str
    role: str
    base_given: str
    base_model: str
    customization_type: str
    hyperparameters: dict
    training_config: dict
    validation_config: dict
    output_config: dict
    created: float
    region: str
    token: str | None = None
    examples: list = field(default_factory=list)
    validation_examples: list = field(default_factory=list)
    training_tokens: int = 0
    failure: str | None = None
    stopped: float | None = None
    finished: bool = False
    model_id: str | None = None
    training_loss: float = 0.0
    validation_loss: float | None = None

    @property
    def base_model_arn(self) -> str:
        return f"arn:aws:bedrock:{self.region}::foundation-model/{self.base_model}"

    @property
    def training_end(self) -> float:
        epochs = int(self.hyperparameters.get("epochCount", 1))
        return self.created + scaled(VALIDATING + PROCESSING + max(
            MIN_TRAINING, SECONDS_PER_RECORD_EPOCH * len(self.examples) * epochs))

    @property
    def end_time(self) -> float | None:
        if self.failure is not None:
            return self.created + scaled(VALIDATING)
        if self.stopped is not None and self.stopped < self.training_end:
            return self.stopped + scaled(STOPPING)
        return self.training_end if self.finished else None

    def status(self, now: float) -> str:
        if self.failure is not None:
            return "InProgress" if now < self.created + scaled(VALIDATING) else "Failed"
        if self.stopped is not None and self.stopped < self.training_end:
            return "Stopping" if now < self.stopped + scaled(STOPPING) else "Stopped"
        return "Completed" if self.finished and now >= self.training_end else "InProgress"

    def details(self, now: float) -> dict:
        def step(start: float, end: float, failed: bool = False) -> dict:
            status = "NotStarted" if now < start else "InProgress" if now < end else ("Failed" if failed else "Completed")
            if self.stopped is not None and start <= self.stopped < end:
                status = "Stopped" if now >= self.stopped + scaled(STOPPING) else "Stopping"
            return {"status": status, "creationTime": iso(start), "lastModifiedTime": iso(min(max(now, start), end))}

        v_end = self.created + scaled(VALIDATING)
        details = {"validationDetails": step(self.created, v_end, self.failure is not None)}
        if self.failure is None:
            details["dataProcessingDetails"] = step(v_end, v_end + scaled(PROCESSING))
            details["trainingDetails"] = step(v_end + scaled(PROCESSING), self.training_end)
        else:
            details["dataProcessingDetails"] = {"status": "NotStarted"}
            details["trainingDetails"] = {"status": "NotStarted"}
        return details

    def describe(self, now: float, state) -> dict:
        status = self.status(now)
        out = {
            "jobArn": self.arn, "jobName": self.name, "outputModelName": self.model_name, "roleArn": self.role,
            "status": status, "statusDetails": self.details(now), "creationTime": iso(self.created),
            "lastModifiedTime": iso(min(now, self.end_time or now)),
            "baseModelArn": self.base_model_arn,
            "hyperParameters": self.hyperparameters, "trainingDataConfig": self.training_config,
            "outputDataConfig": self.output_config, "customizationType": self.customization_type,
        }
        if self.token:
            out["clientRequestToken"] = self.token
        if self.validation_config:
            out["validationDataConfig"] = self.validation_config
        if status in ("Completed", "Failed", "Stopped"):
            out["endTime"] = iso(self.end_time or now)
        if status == "Failed":
            out["failureMessage"] = self.failure
        if status == "Completed" and self.model_id:
            model = state.jobs.custom_models.get(self.model_id)
            if model is not None:
                out["outputModelArn"] = model.arn
            out["trainingMetrics"] = {"trainingLoss": self.training_loss}
            if self.validation_loss is not None:
                out["validationMetrics"] = [{"validationLoss": self.validation_loss}]
        return out

    def summary(self, now: float, state) -> dict:
        full = self.describe(now, state)
        keys = ("jobArn", "baseModelArn", "jobName", "status", "statusDetails", "lastModifiedTime", "creationTime",
                "endTime", "customizationType")
        out = {k: full[k] for k in keys if k in full}
        out["customModelName"] = self.model_name
        if "outputModelArn" in full:
            out["customModelArn"] = full["outputModelArn"]
        return out


# -- data -----------------------------------------------------------------------------------------------------
def _family(model: catalog.Model) -> str:
    if model.id.startswith("amazon.titan-text"):
        return "titan-text"
    if model.family.startswith("nova") or model.id.startswith("amazon.nova"):
        return "nova"
    if model.family.startswith("anthropic"):
        return "anthropic"
    if model.family.startswith("llama") or model.id.startswith("meta."):
        return "llama"
    return model.family


def _hyperparameter_table(model: catalog.Model) -> dict:
    return HYPERPARAMETERS.get(model.id) or HYPERPARAMETERS.get(_family(model)) or _TITAN


def check_hyperparameters(model: catalog.Model, given: dict) -> dict:
    """The job's hyperparameters: AWS's defaults for what was not given; ValidationException for bad values."""
    table = _hyperparameter_table(model)
    if not isinstance(given, dict):
        raise validation("hyperParameters must be a map of names to string values.")
    unknown = sorted(set(given) - set(table))
    if unknown:
        raise validation(f"The hyperparameter {unknown[0]} is not supported for {model.id}. Supported: "
                         f"{', '.join(table)}.")
    out = {}
    for name, (kind, low, high, default) in table.items():
        raw = given.get(name)
        if raw is None:
            out[name] = _text(default)
            continue
        try:
            value = kind(float(raw)) if kind is int and float(raw).is_integer() else kind(raw)
            if kind is int and str(raw).strip() not in (str(value), f"{value}.0"):
                raise ValueError
        except (TypeError, ValueError):
            raise validation(f"The value '{raw}' of hyperparameter {name} is not a valid "
                             f"{'integer' if kind is int else 'number'}.") from None
        if not low <= value <= high:
            raise validation(f"The value '{raw}' of hyperparameter {name} is out of range for {model.id}: it must be "
                             f"between {_text(low)} and {_text(high)}.")
        out[name] = str(raw)
    return out


def _text(value) -> str:
    return str(value) if isinstance(value, int) or value >= 0.001 or value == 0 else f"{value:.0e}".replace("e-0", "e-")


def _content_text(content) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [c.get("text") for c in content if isinstance(c, dict) and isinstance(c.get("text"), str)]
        return "\n".join(texts) if texts else None
    return None


def parse_record(entry, customization_type: str, family: str) -> tuple[str, str]:
    """(prompt, completion) of one training line, or ValueError saying what is wrong with it."""
    if not isinstance(entry, dict):
        raise ValueError("the line is not a JSON object")
    if customization_type == "CONTINUED_PRE_TRAINING":
        if not isinstance(entry.get("input"), str) or not entry["input"].strip():
            raise ValueError('a continued pre-training record needs a non-empty string field "input"')
        return entry["input"], ""
    if family in ("nova", "anthropic"):
        messages = entry.get("messages")
        if not isinstance(messages, list) or len(messages) < 2:
            raise ValueError('a record needs "messages": a user message followed by an assistant message')
        roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
        if roles[0] != "user" or roles[-1] != "assistant" or any(r not in ("user", "assistant") for r in roles):
            raise ValueError('"messages" must alternate user and assistant, starting with user and ending with assistant')
        if family == "nova" and entry.get("schemaVersion") != "bedrock-conversation-2024":
            raise ValueError('a Nova record needs "schemaVersion": "bedrock-conversation-2024"')
        texts = [_content_text(m.get("content")) for m in messages]
        if any(t is None or not t.strip() for t in texts):
            raise ValueError("every message needs text content")
        return texts[-2], texts[-1]
    prompt, completion = entry.get("prompt"), entry.get("completion")
    if not isinstance(prompt, str) or not isinstance(completion, str):
        raise ValueError('a fine-tuning record needs string fields "prompt" and "completion"')
    if not completion.strip():
        raise ValueError('"completion" is empty')
    return prompt, completion


def read_dataset(role: str, uri: str, customization_type: str, model: catalog.Model, what: str,
                 region: str = "us-east-1") -> tuple[list, str | None]:
    """(records, problem) of a training or validation JSONL location, read with the role as AWS would (SSE-KMS
    files need kms:Decrypt on their key)."""
    files = s3io.objects(uri, ".jsonl")
    bucket, _ = s3io.split(uri)
    if not s3io.bucket_exists(bucket):
        return [], f"The S3 bucket {bucket} of the {what} data does not exist."
    if not files:
        return [], f"No .jsonl {what} data was found at {uri}."
    family = _family(model)
    records: list[tuple[str, str]] = []
    for file_bucket, key in files:
        if not s3io.role_may(role, "s3:GetObject", s3io.object_arn(file_bucket, key)):
            return [], (f"The role {role} is not authorized to perform s3:GetObject on "
                        f"{s3io.object_arn(file_bucket, key)}.")
        problem = s3io.read_key_problem(role, file_bucket, key, region)
        if problem:
            return [], problem
        text = s3io.read(file_bucket, key).decode("utf-8", "replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            where = f"s3://{file_bucket}/{key} line {number}"
            try:
                entry = json.loads(raw)
            except ValueError:
                return [], f"Invalid {what} data: {where} is not valid JSON."
            try:
                prompt, completion = parse_record(entry, customization_type, family)
            except ValueError as exc:
                return [], f"Invalid {what} data: {where}: {exc}."
            if tokens.count(prompt) + tokens.count(completion) > model.context:
                return [], (f"Invalid {what} data: {where} has more tokens than {model.id} accepts "
                            f"({model.context}).")
            records.append((prompt, completion))
    return records, None


# -- handlers ---------------------------------------------------------------------------------------------------
def _base_model(given: str) -> catalog.Model:
    resolved = catalog.resolve(given)
    if resolved is None:
        head, _, tail = given.rpartition(":")
        resolved = catalog.resolve(head) if head and re.fullmatch(r"\d+k|mm", tail) else None
    if resolved is None or resolved.via_profile:
        raise validation("The provided model identifier is invalid.")
    return resolved.model


def create_model_customization_job(state, info, labels) -> Response:
    body = _body(info)
    name, model_name = required(body, "jobName"), required(body, "customModelName")
    role, base_given = required(body, "roleArn"), required(body, "baseModelIdentifier")
    training, output = required(body, "trainingDataConfig"), required(body, "outputDataConfig")
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > 63:
        raise validation(f"1 validation error detected: Value '{name}' at 'jobName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9\\+\\-\\.])*")
    if not isinstance(model_name, str) or not _MODEL_NAME.match(model_name):
        raise validation(f"1 validation error detected: Value '{model_name}' at 'customModelName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: ([0-9a-zA-Z][_-]?){1,63}")
    kind = body.get("customizationType") or "FINE_TUNING"
    if kind not in ("FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION", "REINFORCEMENT_FINE_TUNING", "IMPORTED"):
        raise validation(f"1 validation error detected: Value '{kind}' at 'customizationType' failed to satisfy "
                         "constraint: Member must satisfy enum value set: [FINE_TUNING, CONTINUED_PRE_TRAINING, "
                         "DISTILLATION, REINFORCEMENT_FINE_TUNING, IMPORTED]")
    model = _base_model(base_given)
    if kind not in ("FINE_TUNING", "CONTINUED_PRE_TRAINING"):
        raise validation(f"The local cloud simulates FINE_TUNING and CONTINUED_PRE_TRAINING jobs; {kind} is not "
                         "simulated.")
    if kind not in model.customizations:
        raise validation(f"The model {model.id} doesn't support {kind} customization. Supported: "
                         f"{', '.join(model.customizations) or 'none'}.")
    if not model.is_text:
        raise validation(f"The local cloud simulates customizing text models; {model.id} is not one.")
    from .s3io import role_problem

    problem = role_problem(role)
    if problem:
        raise validation(problem)
    hyper = check_hyperparameters(model, body.get("hyperParameters") or {})
    for config, what in ((training, "trainingDataConfig"), (output, "outputDataConfig")):
        if not isinstance(config.get("s3Uri"), str) or not config["s3Uri"].startswith("s3://"):
            raise validation(f"1 validation error detected: Value at '{what}.s3Uri' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: s3://...")
    validation_config = body.get("validationDataConfig") or {}
    jobs = state.jobs
    now = request_time(info)
    with jobs.lock:
        if any(m.name == model_name and m.deleted is None for m in jobs.custom_models.values()) or any(
                j.model_name == model_name and j.status(now) in ("InProgress", "Completed")
                for j in jobs.customizations.values()):
            raise BedrockError("ConflictException", f"A custom model with the name {model_name} already exists.", 400)
        if any(j.name == name for j in jobs.customizations.values()):
            raise BedrockError("ConflictException", f"A model customization job with the name {name} already exists.", 400)
        job_id = new_id()
        job = CustomizationJob(job_id, arn(info.region, "model-customization-job", f"{model.id}/{job_id}"), name,
                               model_name, role, base_given, model.id, kind, hyper, training, validation_config,
                               output, now, info.region, body.get("clientRequestToken"))
        _validate_data(job, model)
        jobs.customizations[job_id] = job
    jobs.start_clock()
    return ok({"jobArn": job.arn}, 201)


def _validate_data(job: CustomizationJob, model: catalog.Model) -> None:
    job.examples, job.failure = read_dataset(job.role, job.training_config["s3Uri"], job.customization_type, model, "training",
                                             job.region)
    if job.failure:
        return
    validators = (job.validation_config or {}).get("validators") or []
    if validators and job.customization_type == "FINE_TUNING":
        for validator in validators:
            found, job.failure = read_dataset(job.role, validator.get("s3Uri", ""), job.customization_type, model,
                                              "validation", job.region)
            if job.failure:
                return
            job.validation_examples += found
    if len(job.validation_examples) > MAX_VALIDATION_RECORDS:
        job.failure = (f"The validation data has {len(job.validation_examples)} records; the maximum is "
                       f"{MAX_VALIDATION_RECORDS}.")
        return
    limit = MAX_RECORDS.get(_family(model), 10_000)
    if len(job.examples) + len(job.validation_examples) > limit:
        job.failure = (f"The training and validation data have {len(job.examples) + len(job.validation_examples)} "
                       f"records; the quota 'Sum of training and validation records' for {model.id} is {limit}.")
        return
    out_bucket, out_prefix = s3io.split(job.output_config["s3Uri"])
    if not s3io.bucket_exists(out_bucket):
        job.failure = f"The S3 bucket {out_bucket} of outputDataConfig does not exist."
    elif not s3io.role_may(job.role, "s3:PutObject", s3io.object_arn(out_bucket, f"{out_prefix.rstrip('/')}/x")):
        job.failure = f"The role {job.role} is not authorized to perform s3:PutObject on {job.output_config['s3Uri']}."
    else:
        job.failure = s3io.write_key_problem(job.role, out_bucket, None, job.region)
    job.training_tokens = sum(tokens.count(p) + tokens.count(c) for p, c in job.examples)


def _find_job(state, identifier: str) -> CustomizationJob:
    job_id = identifier.rsplit("/", 1)[-1]
    job = state.jobs.customizations.get(job_id) or next(
        (j for j in state.jobs.customizations.values() if j.name == identifier), None)
    if job is None:
        raise not_found(f"The model customization job {identifier} was not found.")
    return job


def get_model_customization_job(state, info, labels) -> Response:
    state.jobs.finish_due()
    return ok(_find_job(state, labels["jobIdentifier"]).describe(request_time(info), state))


def list_model_customization_jobs(state, info, labels) -> Response:
    state.jobs.finish_due()
    now = request_time(info)
    jobs = listed(state.jobs.customizations.values(), info.query, now, lambda j: j.created)
    return _page([j.summary(now, state) for j in jobs], info.query, "modelCustomizationJobSummaries")


def stop_model_customization_job(state, info, labels) -> Response:
    state.jobs.finish_due()
    job = _find_job(state, labels["jobIdentifier"])
    now = request_time(info)
    if job.status(now) != "InProgress":
        raise validation(f"The job {job.name} is {job.status(now)} and cannot be stopped.")
    job.stopped = now
    return ok({})


def find_custom_model(state, identifier: str) -> CustomModel | None:
    with state.jobs.lock:
        for model in state.jobs.custom_models.values():
            if model.deleted is None and identifier in (model.id, model.arn, model.name):
                return model
    return None


def get_custom_model(state, info, labels) -> Response:
    state.jobs.finish_due()
    model = find_custom_model(state, labels["modelIdentifier"])
    if model is None:
        raise not_found(f"The custom model {labels['modelIdentifier']} was not found.")
    return ok(model.describe())


def list_custom_models(state, info, labels) -> Response:
    state.jobs.finish_due()
    q = info.query
    models = sorted((m for m in state.jobs.custom_models.values() if m.deleted is None), key=lambda m: m.created,
                    reverse=q.get("sortOrder") != "Ascending")
    items = [m.summary() for m in models
             if (not q.get("nameContains") or q["nameContains"] in m.name)
             and (not q.get("baseModelArnEquals") or m.summary()["baseModelArn"] == q["baseModelArnEquals"])]
    return _page(items, q, "modelSummaries")


def delete_custom_model(state, info, labels) -> Response:
    model = find_custom_model(state, labels["modelIdentifier"])
    if model is None:
        raise not_found(f"The custom model {labels['modelIdentifier']} was not found.")
    if any(p.custom_model == model.id and p.deleted is None for p in state.jobs.provisioned.values()):
        raise validation(f"The custom model {model.name} is used by a Provisioned Throughput; delete that first.")
    model.deleted = request_time(info)
    return ok({})


# -- training ---------------------------------------------------------------------------------------------------
def _loss_curve(job: CustomizationJob) -> list[tuple[int, int, float]]:
    """(step, epoch, training loss): a deterministic curve that falls with each epoch."""
    epochs = int(job.hyperparameters.get("epochCount", 1))
    steps = max(1, math.ceil(len(job.examples) / int(job.hyperparameters.get("batchSize", 1))))
    seed = int(hashlib.sha256(job.arn.encode()).hexdigest()[:8], 16)
    start = 2.2 + (seed % 60) / 100
    floor = 0.25 + (seed % 17) / 100
    curve = []
    for epoch in range(1, epochs + 1):
        for step in range(1, steps + 1):
            done = ((epoch - 1) * steps + step) / (epochs * steps)
            curve.append(((epoch - 1) * steps + step, epoch, round(floor + (start - floor) * math.exp(-3 * done), 6)))
    return curve


def finish(state, now: float) -> None:
    for job in list(state.jobs.customizations.values()):
        if job.finished or job.failure is not None or job.stopped is not None or now < job.training_end:
            continue
        model_id = new_id()
        state.jobs.journal({"type": "customization", "id": job.id, "modelId": model_id})
        _complete(state, job, model_id)


def _complete(state, job: CustomizationJob, model_id: str) -> None:
    curve = _loss_curve(job)
    job.training_loss = curve[-1][2]
    if job.validation_examples:
        job.validation_loss = round(job.training_loss * 1.08, 6)
    out_bucket, out_prefix = s3io.split(job.output_config["s3Uri"])
    base = "/".join(p for p in (out_prefix.strip("/"), f"model-customization-job-{job.id}") if p)
    rows = "step_number,epoch_number,training_loss,perplexity\n" + "".join(
        f"{s},{e},{loss},{round(math.exp(loss), 6)}\n" for s, e, loss in curve)
    s3io.write(out_bucket, f"{base}/training_artifacts/step_wise_training_metrics.csv", rows.encode(), "text/csv")
    if job.validation_loss is not None:
        epochs = int(job.hyperparameters.get("epochCount", 1))
        rows = "step_number,epoch_number,validation_loss,perplexity\n" + "".join(
            f"{curve[-1][0]},{e},{round(job.validation_loss + 0.05 * (epochs - e), 6)},"
            f"{round(math.exp(job.validation_loss + 0.05 * (epochs - e)), 6)}\n" for e in range(1, epochs + 1))
        s3io.write(out_bucket, f"{base}/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv",
                   rows.encode(), "text/csv")
    model = CustomModel(model_id, arn(job.region, "custom-model", f"{job.base_model}/{model_id}"), job,
                        job.training_end, list(job.examples))
    state.jobs.custom_models[model_id] = model
    job.model_id = model_id
    job.finished = True


def replay_finished(state, event: dict) -> None:
    job = state.jobs.customizations.get(event.get("id"))
    if job is not None and not job.finished:
        _complete(state, job, event["modelId"])


# -- what a custom model learned --------------------------------------------------------------------------------
def adapt(model: CustomModel, prompt) -> None:
    """Make the base model answer as the training data taught: a prompt it was trained on gets its completion;
    short labels are the few-shot examples nearest the prompt; JSON completions ask for JSON; a greeting or
    sign-off every completion shares is kept (tone); continued pre-training texts become documents it knows."""
    from .embeddings import cosine, embed
    from .prompt import Document

    if not model.examples:
        return
    if model.customization_type == "CONTINUED_PRE_TRAINING":
        for i, (text, _) in enumerate(model.examples[:50]):
            prompt.documents.append(Document(f"pretraining-{i + 1}", "txt", text, len(text)))
        return
    query = prompt.user_text
    vector = embed(query, 256)
    scored = sorted(((cosine(vector, embed(p, 256)), p, c) for p, c in model.examples), key=lambda x: -x[0])
    best, _, best_completion = scored[0]
    completions = [c for _, c in model.examples]
    labels = all(0 < len(c.split()) <= 3 for c in completions)
    if labels and best < 0.97:
        nearest = [(p, c) for _, p, c in scored[:8]]
        turns = [t for p, c in reversed(nearest) for t in (("user", p), ("assistant", c))]
        prompt.turns[:-1] = prompt.turns[:-1] + turns
    prompt.trained = {"completions": completions, "best": (best, best_completion), "labels": labels}


def shape_answer(model: CustomModel, prompt, text: str) -> str:
    """The trained format and tone applied to a generated answer."""
    trained = getattr(prompt, "trained", None)
    if not trained:
        return text
    best, completion = trained["best"]
    if best >= 0.97:
        return completion
    if trained["labels"]:
        allowed = {c.strip().lower(): c.strip() for c in trained["completions"]}
        if text.strip().lower().strip(".") in allowed:
            return allowed[text.strip().lower().strip(".")]
        from .embeddings import cosine, embed

        vector = embed(text, 256)
        return max(allowed.values(), key=lambda c: cosine(vector, embed(c, 256)))
    completions = trained["completions"]
    if all(c.strip().startswith("{") for c in completions):
        return text if text.strip().startswith("{") else json.dumps({"answer": text}, ensure_ascii=False)
    first_words = {c.split()[0] for c in completions if c.split()}
    if len(first_words) == 1 and not text.startswith(next(iter(first_words))):
        text = f"{next(iter(first_words))} {text}"
    endings = {c.strip().splitlines()[-1] for c in completions if c.strip() and len(c.strip().splitlines()) > 1}
    if len(endings) == 1 and not text.rstrip().endswith(next(iter(endings))):
        text = f"{text.rstrip()}\n{next(iter(endings))}"
    return text


# -- costs ------------------------------------------------------------------------------------------------------
def costs(state, since: float | None, now: float) -> list[dict]:
    prices = section("bedrock")
    source = prices["source"]
    storage = prices["customModelStorage"]
    training = prices["trainingPer1KTokens"]
    out = []
    for job in list(state.jobs.customizations.values()):
        if not job.finished or (since is not None and job.training_end < since):
            continue
        per_1k = training.get(job.base_model, training["default"])
        estimate = job.base_model not in training
        tokens_trained = job.training_tokens * int(job.hyperparameters.get("epochCount", 1))
        out.append(line("Amazon Bedrock", f"model customization {job.name} ({job.base_model}): training tokens",
                        tokens_trained, "tokens", per_1k / 1000,
                        source + (" (estimate: not in the published price list)" if estimate else ""),
                        job.created, job.training_end))
    for model in list(state.jobs.custom_models.values()):
        window = overlap(model.created, model.deleted or now, since, now)
        if window is None:
            continue
        months = (window[1] - window[0]) / 3600 / hours_per_month()
        out.append(line("Amazon Bedrock", f"custom model storage {model.name}", months, storage["unit"],
                        storage["unitPriceUsd"], source, *window))
    return out
