"""Batch inference: CreateModelInvocationJob / Get / List / Stop.

A job reads every ``.jsonl`` file under its input S3 location (one record per line: ``{"recordId", "modelInput"}``,
the model's native InvokeModel body, or a Converse request with ``modelInvocationType`` Converse), and writes
``<output>/<jobId>/<file>.out`` (``{"recordId", "modelInput", "modelOutput"}`` or ``"error"`` per record) and
``<output>/<jobId>/manifest.json.out``. Status: Submitted → Validating → Scheduled → InProgress → Completed
(PartiallyCompleted when some records failed, Failed when the input cannot be used), over seconds. Each record is
one ledger entry in mode ``batch``, at half the on-demand price. The service role must trust
bedrock.amazonaws.com and may read the input and write the output, as in AWS.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass, field

from werkzeug.wrappers import Response

from . import catalog, s3io
from .control import _body, _page, ok
from .errors import BedrockError, not_found, validation
from ..core.pace import scaled
from .jobs import arn, iso, listed, new_id, request_time, required

#: Seconds in each status before processing; then a share of a second per record (at least two seconds); Stopping.
#: All at the cloud's pace (a throwaway cloud's pass sooner).
SUBMITTED, VALIDATING, SCHEDULED = 1.0, 1.0, 1.0
SECONDS_PER_RECORD, MIN_PROCESSING, STOPPING = 0.02, 2.0, 1.0
#: AWS's default quota "Minimum number of records per batch inference job" (per model).
DEFAULT_MIN_RECORDS = 100
_NAME = re.compile(r"^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}$")
_ROLE = re.compile(r"^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$")
_S3 = re.compile(r"^s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?$")


@dataclass
class Record:
    file: str
    line: int
    record_id: str
    model_input: dict


@dataclass
class BatchJob:
    id: str
    arn: str
    name: str
    model_given: str
    model_id: str
    role: str
    input_config: dict
    output_config: dict
    invocation_type: str
    timeout_hours: int
    submitted: float
    region: str
    token: str | None = None
    records: list[Record] = field(default_factory=list)
    failure: str | None = None
    stopped: float | None = None
    finished: bool = False
    counts: dict = field(default_factory=dict)

    @property
    def processing_end(self) -> float:
        start = self.submitted + scaled(SUBMITTED + VALIDATING + SCHEDULED)
        return start + scaled(max(MIN_PROCESSING, SECONDS_PER_RECORD * len(self.records)))

    @property
    def end_time(self) -> float | None:
        if self.failure is not None:
            return self.submitted + scaled(SUBMITTED + VALIDATING)
        if self.stopped is not None and self.stopped < self.processing_end:
            return self.stopped + scaled(STOPPING)
        return self.processing_end if self.finished else None

    def status(self, now: float) -> str:
        t = now - self.submitted
        submitted, validated = scaled(SUBMITTED), scaled(SUBMITTED + VALIDATING)
        if self.failure is not None:
            return "Submitted" if t < submitted else "Validating" if t < validated else "Failed"
        if self.stopped is not None and self.stopped < self.processing_end:
            return "Stopping" if now < self.stopped + scaled(STOPPING) else "Stopped"
        if t < submitted:
            return "Submitted"
        if t < validated:
            return "Validating"
        if t < scaled(SUBMITTED + VALIDATING + SCHEDULED):
            return "Scheduled"
        if now < self.processing_end or not self.finished:
            return "InProgress"
        if self.counts.get("errorRecordCount") and self.counts.get("successRecordCount"):
            return "PartiallyCompleted"
        return "Failed" if self.counts.get("errorRecordCount") else "Completed"

    def message(self, now: float) -> str | None:
        status = self.status(now)
        if status == "Failed":
            return self.failure or "Every record failed; see the output file for each record's error."
        if status == "PartiallyCompleted":
            return f"{self.counts['errorRecordCount']} of {self.counts['totalRecordCount']} records failed."
        return None

    def describe(self, now: float) -> dict:
        out = {
            "jobArn": self.arn, "jobName": self.name, "modelId": self.model_given, "roleArn": self.role,
            "status": self.status(now), "submitTime": iso(self.submitted),
            "lastModifiedTime": iso(min(now, self.end_time or now)),
            "inputDataConfig": self.input_config, "outputDataConfig": self.output_config,
            "timeoutDurationInHours": self.timeout_hours,
            "jobExpirationTime": iso(self.submitted + self.timeout_hours * 3600),
            "modelInvocationType": self.invocation_type,
        }
        if self.token:
            out["clientRequestToken"] = self.token
        if self.status(now) in ("Completed", "PartiallyCompleted", "Failed", "Stopped"):
            out["endTime"] = iso(self.end_time or now)
        if self.message(now):
            out["message"] = self.message(now)
        if self.counts:
            out.update(self.counts)
        return out


# -- creating -------------------------------------------------------------------------------------------------
def _s3_uri(config: dict, outer: str, inner: str) -> str:
    uri = ((config or {}).get(outer) or {}).get("s3Uri")
    if not isinstance(uri, str) or not _S3.match(uri):
        raise validation(f"1 validation error detected: Value '{uri}' at '{inner}.s3Uri' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: s3://[a-z0-9][-.a-z0-9]{1,61}"
                         "[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?")
    return uri


def create_model_invocation_job(state, info, labels) -> Response:
    body = _body(info)
    name = required(body, "jobName")
    role = required(body, "roleArn")
    model_given = required(body, "modelId")
    input_config = required(body, "inputDataConfig")
    output_config = required(body, "outputDataConfig")
    if not isinstance(name, str) or not _NAME.match(name):
        raise validation(f"1 validation error detected: Value '{name}' at 'jobName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}")
    if not isinstance(role, str) or not _ROLE.match(role):
        raise validation(f"1 validation error detected: Value '{role}' at 'roleArn' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+")
    input_uri = _s3_uri(input_config, "s3InputDataConfig", "inputDataConfig.s3InputDataConfig")
    output_uri = _s3_uri(output_config, "s3OutputDataConfig", "outputDataConfig.s3OutputDataConfig")
    timeout = body.get("timeoutDurationInHours", 168)
    if not isinstance(timeout, int) or not 24 <= timeout <= 168:
        raise validation(f"1 validation error detected: Value '{timeout}' at 'timeoutDurationInHours' failed to "
                         "satisfy constraint: Member must have value between 24 and 168")
    invocation_type = body.get("modelInvocationType") or "InvokeModel"
    if invocation_type not in ("InvokeModel", "Converse"):
        raise validation(f"1 validation error detected: Value '{invocation_type}' at 'modelInvocationType' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [InvokeModel, Converse]")
    resolved = catalog.resolve(model_given)
    if resolved is None:
        raise validation("The provided model identifier is invalid.")
    if resolved.model.output == ("IMAGE",) and resolved.model.input == ("TEXT",) and invocation_type == "Converse":
        raise validation("This model doesn't support the Converse API.")
    problem = s3io.role_problem(role)
    if problem:
        raise validation(problem)
    jobs = state.jobs
    with jobs.lock:
        if any(j.name == name and j.status(request_time(info)) not in ("Completed", "Failed", "Stopped",
                                                                       "PartiallyCompleted", "Expired")
               for j in jobs.batch.values()):
            raise BedrockError("ConflictException", f"A job with the name {name} already exists.", 400)
        job_id = new_id()
        job = BatchJob(job_id, arn(info.region, "model-invocation-job", job_id), name, model_given,
                       resolved.model.id, role, input_config, output_config, invocation_type, timeout,
                       request_time(info), info.region, body.get("clientRequestToken"))
        job.failure = _load_records(state, job, input_uri, output_uri)
        jobs.batch[job_id] = job
    jobs.start_clock()
    return ok({"jobArn": job.arn})


def _min_records(state) -> int:
    settings = getattr(state.cloud, "settings", {}) or {}
    return int(settings.get("bedrock_batch_min_records", DEFAULT_MIN_RECORDS))


def _key_problem(job: BatchJob, files: list[tuple[str, str]], out_bucket: str) -> str | None:
    """As in AWS, the service role also uses the customer managed KMS keys: kms:Decrypt on the key of each SSE-KMS
    input file, kms:GenerateDataKey on the key the output is written with (s3EncryptionKeyId or the bucket's
    default encryption)."""
    for file_bucket, key in files:
        problem = s3io.read_key_problem(job.role, file_bucket, key, job.region)
        if problem:
            return problem
    given = (job.output_config.get("s3OutputDataConfig") or {}).get("s3EncryptionKeyId")
    return s3io.write_key_problem(job.role, out_bucket, given, job.region)


def _load_records(state, job: BatchJob, input_uri: str, output_uri: str) -> str | None:
    """Read and check the input as the Validating step does; the reason the job will fail, or None."""
    bucket, _ = s3io.split(input_uri)
    out_bucket, out_prefix = s3io.split(output_uri)
    if not s3io.bucket_exists(bucket):
        return f"The S3 bucket {bucket} in inputDataConfig does not exist."
    if not s3io.bucket_exists(out_bucket):
        return f"The S3 bucket {out_bucket} in outputDataConfig does not exist."
    files = s3io.objects(input_uri, ".jsonl")
    if not files:
        return f"No .jsonl file was found at {input_uri}."
    for file_bucket, key in files:
        if not s3io.role_may(job.role, "s3:GetObject", s3io.object_arn(file_bucket, key)):
            return (f"The role {job.role} is not authorized to perform s3:GetObject on "
                    f"{s3io.object_arn(file_bucket, key)}.")
    if not s3io.role_may(job.role, "s3:PutObject", s3io.object_arn(out_bucket, f"{out_prefix.rstrip('/')}/{job.id}/x")):
        return f"The role {job.role} is not authorized to perform s3:PutObject on {s3io.object_arn(out_bucket, out_prefix + '*')}."
    problem = _key_problem(job, files, out_bucket)
    if problem:
        return problem
    for file_bucket, key in files:
        text = s3io.read(file_bucket, key).decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                return f"Line {number} of s3://{file_bucket}/{key} is not valid JSON."
            if not isinstance(entry, dict) or not isinstance(entry.get("modelInput"), dict):
                return f"Line {number} of s3://{file_bucket}/{key} has no modelInput object."
            record_id = str(entry.get("recordId") or f"{len(job.records) + 1:011d}")
            job.records.append(Record(key, number, record_id, entry["modelInput"]))
    minimum = _min_records(state)
    if len(job.records) < minimum:
        return (f"The job has {len(job.records)} records; a batch inference job for {job.model_id} needs at least "
                f"{minimum} (quota: Minimum number of records per batch inference job).")
    return None


# -- finishing --------------------------------------------------------------------------------------------------
def finish(state, now: float) -> None:
    """Run every job whose processing time has come: outputs to S3, records to the ledger, one journal event."""
    for job in list(state.jobs.batch.values()):
        if job.finished or job.failure is not None or job.stopped is not None or now < job.processing_end:
            continue
        outputs, counts = _run(state, job)
        payload = {"type": "batch", "id": job.id, "counts": counts,
                   "outputs": [{"bucket": b, "key": k, "data": _pack(d)} for b, k, d in outputs]}
        state.jobs.journal(payload)
        _complete(job, outputs, counts)


def _run(state, job: BatchJob) -> tuple[list[tuple[str, str, bytes]], dict]:
    from . import internal

    out_bucket, out_prefix = s3io.split(job.output_config["s3OutputDataConfig"]["s3Uri"])
    base = f"{out_prefix.rstrip('/')}/{job.id}" if out_prefix.strip("/") else job.id
    per_file: dict[str, list[str]] = {}
    counts = {"totalRecordCount": len(job.records), "processedRecordCount": 0, "successRecordCount": 0,
              "errorRecordCount": 0}
    tokens = {"inputTokenCount": 0, "outputTokenCount": 0}
    for record in job.records:
        line: dict = {"recordId": record.record_id, "modelInput": record.model_input}
        try:
            output = internal.invoke(state, job.model_given, record.model_input, region=job.region, caller=job.role,
                                     ledger_extra={"jobArn": job.arn, "recordId": record.record_id},
                                     converse=job.invocation_type == "Converse")
            line["modelOutput"] = output
            counts["successRecordCount"] += 1
            last = state.ledger.records[-1] if state.ledger.records else {}
            tokens["inputTokenCount"] += last.get("inputTokens", 0)
            tokens["outputTokenCount"] += last.get("outputTokens", 0)
        except BedrockError as exc:
            line["error"] = {"errorCode": exc.status, "errorMessage": exc.message}
            counts["errorRecordCount"] += 1
        counts["processedRecordCount"] += 1
        per_file.setdefault(record.file, []).append(json.dumps(line, ensure_ascii=False))
    outputs = [(out_bucket, f"{base}/{key.rsplit('/', 1)[-1]}.out", ("\n".join(lines) + "\n").encode("utf-8"))
               for key, lines in per_file.items()]
    manifest = {**counts, **tokens}
    outputs.append((out_bucket, f"{base}/manifest.json.out", json.dumps(manifest).encode("utf-8")))
    return outputs, counts


def _complete(job: BatchJob, outputs: list[tuple[str, str, bytes]], counts: dict) -> None:
    for bucket, key, data in outputs:
        s3io.write(bucket, key, data)
    job.counts = counts
    job.finished = True


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data)).decode("ascii")


def replay_finished(state, event: dict) -> None:
    job = state.jobs.batch.get(event.get("id"))
    if job is None:
        return
    outputs = [(o["bucket"], o["key"], zlib.decompress(base64.b64decode(o["data"]))) for o in event.get("outputs") or []]
    _complete(job, outputs, event.get("counts") or {})


# -- reading and stopping ------------------------------------------------------------------------------------
def _find(state, identifier: str) -> BatchJob:
    job_id = identifier.rsplit("/", 1)[-1]
    job = state.jobs.batch.get(job_id)
    if job is None:
        raise not_found(f"The model invocation job {identifier} was not found.")
    return job


def get_model_invocation_job(state, info, labels) -> Response:
    state.jobs.finish_due()
    return ok(_find(state, labels["jobIdentifier"]).describe(request_time(info)))


def list_model_invocation_jobs(state, info, labels) -> Response:
    state.jobs.finish_due()
    now = request_time(info)
    jobs = listed(state.jobs.batch.values(), info.query, now, lambda j: j.submitted)
    return _page([j.describe(now) for j in jobs], info.query, "invocationJobSummaries")


def stop_model_invocation_job(state, info, labels) -> Response:
    state.jobs.finish_due()
    job = _find(state, labels["jobIdentifier"])
    now = request_time(info)
    status = job.status(now)
    if status not in ("Submitted", "Validating", "Scheduled", "InProgress"):
        raise validation(f"The job {job.name} is {status} and cannot be stopped.")
    job.stopped = now
    return ok({})


def costs(state, since: float | None, now: float) -> list[dict]:
    """Batch records are priced in the ledger (mode batch); nothing else to add."""
    return []
