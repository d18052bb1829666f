"""Knowledge bases, data sources and ingestion jobs: state rebuilt from events, status read from the clock.

Every change is an event (``{"op": ..., "at": unix time, ids..., "params": ...}``) applied here and journaled by the
service, so a restart replays the same IDs, times and results. Statuses that move over time (a knowledge base
CREATING → ACTIVE, a job STARTING → IN_PROGRESS → COMPLETE) are computed from the event's time, so a replay long
after shows what a learner would see then. An ingestion job reads its documents when it starts (at its place in the
journal, so a replay reads the same S3 state); chunks and vectors are derived lazily and cached by content.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import threading
import time
from dataclasses import dataclass, field

from ..core.home import ACCOUNT_ID
from ..core.pace import scaled
from . import chunking, engines, sources

KB_CREATING_SECONDS = 0.5
#: Simulated ingestion time: a fixed start-up, then per document and per megabyte read.
JOB_BASE_SECONDS, JOB_PER_DOCUMENT, JOB_PER_MB = 0.4, 0.004, 0.5
JOB_STARTING_SECONDS = 0.1


def iso(ts: float) -> str:
    from ..bedrock.ledger import iso as ledger_iso

    return ledger_iso(ts)


@dataclass
class KnowledgeBase:
    id: str
    name: str
    region: str
    role_arn: str
    configuration: dict
    storage: dict | None
    description: str | None
    created: float
    updated: float
    tags: dict = field(default_factory=dict)
    retained: dict = field(default_factory=dict)  # uri -> (SourceDocument, chunking config) kept after a RETAIN delete

    @property
    def arn(self) -> str:
        return f"arn:aws:bedrock:{self.region}:{ACCOUNT_ID}:knowledge-base/{self.id}"

    @property
    def embedding_model_arn(self) -> str:
        return self.configuration["vectorKnowledgeBaseConfiguration"]["embeddingModelArn"]

    @property
    def embedding_model(self):
        return engines.resolve_model(self.embedding_model_arn)

    @property
    def dimensions(self) -> int:
        vector = self.configuration["vectorKnowledgeBaseConfiguration"]
        asked = (((vector.get("embeddingModelConfiguration") or {}).get("bedrockEmbeddingModelConfiguration") or {})
                 .get("dimensions"))
        return engines.dimensions(self.embedding_model, asked)

    def status(self, now: float) -> str:
        return "CREATING" if now - self.created < scaled(KB_CREATING_SECONDS) else "ACTIVE"

    def describe(self, now: float) -> dict:
        out = {
            "knowledgeBaseId": self.id, "name": self.name, "knowledgeBaseArn": self.arn, "roleArn": self.role_arn,
            "knowledgeBaseConfiguration": self.configuration, "status": self.status(now),
            "createdAt": iso(self.created), "updatedAt": iso(self.updated),
        }
        if self.storage is not None:
            out["storageConfiguration"] = self.storage
        if self.description:
            out["description"] = self.description
        return out

    def summary(self, now: float) -> dict:
        out = {"knowledgeBaseId": self.id, "name": self.name, "status": self.status(now), "updatedAt": iso(self.updated)}
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class DataSource:
    kb_id: str
    id: str
    name: str
    configuration: dict
    vector_ingestion: dict | None
    deletion_policy: str
    encryption: dict | None
    description: str | None
    created: float
    updated: float

    @property
    def chunking(self) -> dict:
        return (self.vector_ingestion or {}).get("chunkingConfiguration") or chunking.DEFAULT

    @property
    def bucket_arn(self) -> str:
        return self.configuration["s3Configuration"]["bucketArn"]

    @property
    def prefixes(self) -> list[str]:
        return list(self.configuration["s3Configuration"].get("inclusionPrefixes") or [])

    def describe(self) -> dict:
        out = {
            "knowledgeBaseId": self.kb_id, "dataSourceId": self.id, "name": self.name, "status": "AVAILABLE",
            "dataSourceConfiguration": self.configuration, "dataDeletionPolicy": self.deletion_policy,
            "vectorIngestionConfiguration": self.vector_ingestion or {"chunkingConfiguration": chunking.DEFAULT},
            "createdAt": iso(self.created), "updatedAt": iso(self.updated),
        }
        if self.description:
            out["description"] = self.description
        if self.encryption:
            out["serverSideEncryptionConfiguration"] = self.encryption
        return out

    def summary(self) -> dict:
        out = {"knowledgeBaseId": self.kb_id, "dataSourceId": self.id, "name": self.name, "status": "AVAILABLE",
               "updatedAt": iso(self.updated)}
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class IngestionJob:
    kb_id: str
    ds_id: str
    id: str
    description: str | None
    started: float
    chunking: dict
    documents: dict  # uri -> SourceDocument: the data source's documents once this job completes
    statistics: dict
    failure_reasons: list[str]
    fatal: bool
    duration: float
    bytes_read: int
    changed: list[str]  # uris embedded by this job (new or modified)
    stopped: float | None = None
    #: Set once a worker has embedded the job's chunks; None for jobs rebuilt from the journal (embedded lazily).
    embedded: threading.Event | None = None

    def status(self, now: float) -> str:
        if self.stopped is not None:
            return "STOPPED" if now - self.stopped >= JOB_STARTING_SECONDS else "STOPPING"
        elapsed = now - self.started
        if elapsed < JOB_STARTING_SECONDS:
            return "STARTING"
        if elapsed < self.duration or (self.embedded is not None and not self.embedded.is_set() and not self.fatal):
            return "IN_PROGRESS"
        return "FAILED" if self.fatal else "COMPLETE"

    def ended(self, now: float) -> float:
        if self.stopped is not None:
            return self.stopped + JOB_STARTING_SECONDS
        return self.started + self.duration

    def updated(self, now: float) -> float:
        status = self.status(now)
        if status == "IN_PROGRESS" and now - self.started >= self.duration:
            return self.started + JOB_STARTING_SECONDS
        if status == "STARTING":
            return self.started
        if status in ("IN_PROGRESS", "STOPPING"):
            return self.started + JOB_STARTING_SECONDS if self.stopped is None else self.stopped
        return self.ended(now)

    def visible_statistics(self, now: float) -> dict:
        if self.status(now) in ("STARTING",):
            return {k: 0 for k in self.statistics}
        return dict(self.statistics)

    def describe(self, now: float) -> dict:
        out = {
            "knowledgeBaseId": self.kb_id, "dataSourceId": self.ds_id, "ingestionJobId": self.id,
            "status": self.status(now), "statistics": self.visible_statistics(now),
            "startedAt": iso(self.started), "updatedAt": iso(self.updated(now)),
        }
        if self.description:
            out["description"] = self.description
        if self.failure_reasons and self.status(now) in ("COMPLETE", "FAILED", "STOPPED"):
            out["failureReasons"] = list(self.failure_reasons)
        return out

    def summary(self, now: float) -> dict:
        out = self.describe(now)
        out.pop("failureReasons", None)
        return out


@dataclass(frozen=True)
class IndexedChunk:
    chunk_id: str
    kb_id: str
    ds_id: str
    uri: str
    text: str  # what retrieval returns (the parent for hierarchical chunking)
    searched: str  # what was embedded
    metadata: tuple  # ((key, value), ...)
    vector: tuple
    tokens: int
    #: The vector's non-zero positions and values (hashed-feature embeddings are sparse: dot products stay cheap).
    nonzero: tuple[tuple[int, ...], tuple[float, ...]] = ((), ())

    def dot(self, query, query_nonzero: tuple[tuple[int, ...], tuple[float, ...]]) -> float:
        """Dot product with a query vector, over whichever side has fewer non-zero positions."""
        idx, vals = self.nonzero
        q_idx, q_vals = query_nonzero
        if len(q_idx) < len(idx):
            return sum(map(operator.mul, map(self.vector.__getitem__, q_idx), q_vals))
        return sum(map(operator.mul, map(query.__getitem__, idx), vals))


@functools.lru_cache(maxsize=4096)
def _document_chunks(text: str, config_json: str, dims: int) -> tuple[chunking.Chunk, ...]:
    return tuple(chunking.chunk(text, json.loads(config_json), dims))


def document_chunks(doc: sources.SourceDocument, config: dict, dims: int) -> tuple[chunking.Chunk, ...]:
    return _document_chunks(doc.text, json.dumps(config, sort_keys=True), dims)


def chunk_id(kb_id: str, ds_id: str, uri: str, digest: str, index: int) -> str:
    return hashlib.sha256(f"{kb_id}|{ds_id}|{uri}|{digest}|{index}".encode()).hexdigest()[:36]


class Store:
    """All knowledge-base state of one cloud, changed only through :meth:`apply`."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.kbs: dict[str, KnowledgeBase] = {}
            self.sources: dict[str, DataSource] = {}  # by data source id
            self.jobs: dict[str, IngestionJob] = {}  # by job id, in start order
            self.sessions: dict[str, dict] = {}
            self._index_cache: dict = {}
            self._served_cache: dict = {}

    # -- reading ------------------------------------------------------------------------------------------------
    def sources_of(self, kb_id: str) -> list[DataSource]:
        return [d for d in self.sources.values() if d.kb_id == kb_id]

    def jobs_of(self, ds_id: str) -> list[IngestionJob]:
        return [j for j in self.jobs.values() if j.ds_id == ds_id]

    def running_job(self, ds_id: str, now: float) -> IngestionJob | None:
        return next((j for j in self.jobs_of(ds_id) if j.status(now) in ("STARTING", "IN_PROGRESS", "STOPPING")), None)

    def current_job(self, ds_id: str, now: float) -> "IngestionJob | None":
        """The data source's latest completed job: what it serves now."""
        done = [j for j in self.jobs_of(ds_id) if j.status(now) == "COMPLETE"]
        return done[-1] if done else None

    def current_documents(self, ds_id: str, now: float) -> tuple[dict, dict]:
        """(documents, chunking config) the data source serves now: those of its latest completed job."""
        last = self.current_job(ds_id, now)
        return (last.documents, last.chunking) if last is not None else ({}, chunking.DEFAULT)

    def served(self, kb: KnowledgeBase, now: float) -> tuple[tuple, list[tuple[str, dict, dict]]]:
        """(a key naming what is served, [(data source id, documents, chunking)]) for the knowledge base now."""
        with self.lock:
            jobs = [(ds.id, self.current_job(ds.id, now)) for ds in self.sources_of(kb.id)]
            out = [(ds_id, job.documents, job.chunking) for ds_id, job in jobs if job is not None]
            out += [(ds_id, {uri: doc}, config) for uri, (ds_id, doc, config) in kb.retained.items()]
            key = (kb.id, kb.dimensions, tuple(job.id for _, job in jobs if job is not None),
                   tuple((uri, doc.digest) for uri, (_, doc, _) in sorted(kb.retained.items())))
        return key, out

    def index(self, kb: KnowledgeBase, now: float) -> list[IndexedChunk]:
        """Every chunk the knowledge base serves now, with its vector (built outside the lock, cached)."""
        dims = kb.dimensions
        key, served = self.served(kb, now)
        cached = self._served_cache.get(key)
        if cached is not None:
            return cached
        out: list[IndexedChunk] = []
        for ds_id, docs, config in served:
            for uri in sorted(docs):
                out.extend(self._chunks(kb, ds_id, docs[uri], config, dims))
        self._served_cache = {key: out}  # one entry per knowledge base is enough for a lab
        return out

    def warm(self, job: "IngestionJob") -> None:
        """Chunk and embed what a job indexed (a worker thread does this while the job runs)."""
        kb = self.kbs.get(job.kb_id)
        if kb is None:
            return
        for uri in sorted(job.documents):
            self._chunks(kb, job.ds_id, job.documents[uri], job.chunking, kb.dimensions)

    def _chunks(self, kb: KnowledgeBase, ds_id: str, doc: sources.SourceDocument, config: dict, dims: int) -> list[IndexedChunk]:
        key = (kb.id, ds_id, doc.uri, doc.digest, json.dumps(config, sort_keys=True), dims,
               json.dumps(doc.metadata, sort_keys=True))
        cached = self._index_cache.get(key)
        if cached is not None:
            return cached
        metadata = {**doc.metadata, "x-amz-bedrock-kb-source-uri": doc.uri, "x-amz-bedrock-kb-data-source-id": ds_id}
        chunks = []
        for i, piece in enumerate(document_chunks(doc, config, dims)):
            cid = chunk_id(kb.id, ds_id, doc.uri, doc.digest, i)
            meta = {**metadata, "x-amz-bedrock-kb-chunk-id": cid}
            vector = engines.embed(piece.text, dims)
            nonzero = tuple(i for i, v in enumerate(vector) if v)
            chunks.append(IndexedChunk(cid, kb.id, ds_id, doc.uri, piece.parent or piece.text, piece.text,
                                       tuple(sorted(meta.items(), key=lambda kv: kv[0])), vector,
                                       engines.count_tokens(piece.text), (nonzero, tuple(vector[i] for i in nonzero))))
        self._index_cache[key] = chunks
        return chunks

    # -- applying events ----------------------------------------------------------------------------------------
    def apply(self, event: dict) -> object:
        with self.lock:
            return getattr(self, "_" + event["op"])(event)

    def _CreateKnowledgeBase(self, e: dict) -> KnowledgeBase:
        p = e["params"]
        kb = KnowledgeBase(e["id"], p["name"], e["region"], p["roleArn"], p["knowledgeBaseConfiguration"],
                           p.get("storageConfiguration"), p.get("description"), e["at"], e["at"], dict(p.get("tags") or {}))
        self.kbs[kb.id] = kb
        return kb

    def _UpdateKnowledgeBase(self, e: dict) -> KnowledgeBase:
        kb = self.kbs[e["id"]]
        p = e["params"]
        kb.name, kb.role_arn = p["name"], p["roleArn"]
        kb.configuration = p["knowledgeBaseConfiguration"]
        kb.storage = p.get("storageConfiguration", kb.storage)
        kb.description = p.get("description")
        kb.updated = e["at"]
        return kb

    def _DeleteKnowledgeBase(self, e: dict) -> KnowledgeBase:
        kb = self.kbs.pop(e["id"])
        for ds in self.sources_of(kb.id):
            self._drop_source(ds.id)
        return kb

    def _drop_source(self, ds_id: str) -> DataSource:
        ds = self.sources.pop(ds_id)
        for job in self.jobs_of(ds_id):
            del self.jobs[job.id]
        return ds

    def _CreateDataSource(self, e: dict) -> DataSource:
        p = e["params"]
        ds = DataSource(e["kbId"], e["id"], p["name"], p["dataSourceConfiguration"], p.get("vectorIngestionConfiguration"),
                        p.get("dataDeletionPolicy") or "DELETE", p.get("serverSideEncryptionConfiguration"),
                        p.get("description"), e["at"], e["at"])
        self.sources[ds.id] = ds
        return ds

    def _UpdateDataSource(self, e: dict) -> DataSource:
        ds = self.sources[e["id"]]
        p = e["params"]
        ds.name, ds.configuration = p["name"], p["dataSourceConfiguration"]
        ds.vector_ingestion = p.get("vectorIngestionConfiguration", ds.vector_ingestion)
        ds.deletion_policy = p.get("dataDeletionPolicy") or ds.deletion_policy
        ds.encryption = p.get("serverSideEncryptionConfiguration", ds.encryption)
        ds.description = p.get("description")
        ds.updated = e["at"]
        return ds

    def _DeleteDataSource(self, e: dict) -> DataSource:
        ds = self.sources[e["id"]]
        kb = self.kbs.get(ds.kb_id)
        if ds.deletion_policy == "RETAIN" and kb is not None:
            docs, config = self.current_documents(ds.id, e["at"])
            for uri, doc in docs.items():
                kb.retained[uri] = (ds.id, doc, config)
        return self._drop_source(ds.id)

    def _StartIngestionJob(self, e: dict) -> IngestionJob:
        ds = self.sources[e["dsId"]]
        kb = self.kbs[e["kbId"]]
        previous, _ = self._latest_documents(ds.id)
        scan = sources.scan(kb.role_arn, ds.bucket_arn, ds.prefixes, kb.region)
        model_denied = None
        if scan.fatal is None:
            from ..iam.actions import Access
            from ..iam.authorizer import service_role_denial

            model = kb.embedding_model
            model_denied = service_role_denial(kb.role_arn, sources.SESSION_NAME,
                                               Access("bedrock:InvokeModel", model.arn(kb.region)))
        stats = {"numberOfDocumentsScanned": 0, "numberOfMetadataDocumentsScanned": scan.metadata_scanned,
                 "numberOfNewDocumentsIndexed": 0, "numberOfModifiedDocumentsIndexed": 0,
                 "numberOfMetadataDocumentsModified": 0, "numberOfDocumentsDeleted": 0, "numberOfDocumentsFailed": 0}
        reasons: list[str] = []
        fatal = scan.fatal or model_denied
        changed: list[str] = []
        if fatal:
            reasons.append(fatal if scan.fatal else f"Failed to invoke the embedding model: {model_denied}")
            documents = previous
        else:
            documents = {d.uri: d for d in scan.documents}
            stats["numberOfDocumentsScanned"] = len(scan.documents) + len([f for f in scan.failed if not f[0].endswith(sources.METADATA_SUFFIX)])
            for uri, doc in documents.items():
                old = previous.get(uri)
                if old is None:
                    stats["numberOfNewDocumentsIndexed"] += 1
                    changed.append(uri)
                elif old.digest != doc.digest:
                    stats["numberOfModifiedDocumentsIndexed"] += 1
                    changed.append(uri)
                elif old.metadata != doc.metadata:
                    stats["numberOfMetadataDocumentsModified"] += 1
                    changed.append(uri)
            failed_uris = {uri.removesuffix(sources.METADATA_SUFFIX) for uri, _ in scan.failed}
            for uri in failed_uris:  # a file that fails keeps what was indexed before
                if uri in previous:
                    documents[uri] = previous[uri]
            stats["numberOfDocumentsDeleted"] = len([u for u in previous if u not in documents])
            stats["numberOfDocumentsFailed"] = len(failed_uris)
            for uri, reason in scan.failed:
                reasons.append(f"Encountered error: {uri}: {reason}")
            if ds.chunking != self._latest_chunking(ds.id) and previous:
                # A new chunking configuration re-chunks every document that stayed.
                for uri in documents:
                    if uri not in changed and uri in previous:
                        changed.append(uri)
        if not fatal and scan.failed and not scan.documents:
            fatal = "every document failed"  # nothing could be read: the job fails with the files' reasons
            documents = previous
        duration = scaled(JOB_BASE_SECONDS + JOB_PER_DOCUMENT * len(scan.documents) + JOB_PER_MB * scan.bytes_read / 1_000_000)
        job = IngestionJob(kb.id, ds.id, e["id"], e.get("description"), e["at"], ds.chunking, documents, stats, reasons,
                           bool(fatal), duration, scan.bytes_read, changed)
        self.jobs[job.id] = job
        return job

    def _latest_documents(self, ds_id: str) -> tuple[dict, dict]:
        ended = [j for j in self.jobs_of(ds_id) if j.stopped is None and not j.fatal]
        return (ended[-1].documents, ended[-1].chunking) if ended else ({}, chunking.DEFAULT)

    def _latest_chunking(self, ds_id: str) -> dict:
        return self._latest_documents(ds_id)[1]

    def _StopIngestionJob(self, e: dict) -> IngestionJob:
        job = self.jobs[e["id"]]
        job.stopped = e["at"]
        return job

    def _TagResource(self, e: dict) -> None:
        kb = self._kb_by_arn(e["arn"])
        if kb is not None:
            kb.tags.update(e["tags"])

    def _UntagResource(self, e: dict) -> None:
        kb = self._kb_by_arn(e["arn"])
        if kb is not None:
            for key in e["keys"]:
                kb.tags.pop(key, None)

    def _kb_by_arn(self, arn: str) -> KnowledgeBase | None:
        return next((kb for kb in self.kbs.values() if kb.arn == arn), None)

    def _SessionTurn(self, e: dict) -> dict:
        session = self.sessions.setdefault(e["sessionId"], {"created": e["at"], "turns": [], "kbId": e.get("kbId")})
        session["turns"].append({"question": e["question"], "query": e["query"], "answer": e["answer"], "at": e["at"]})
        session["updated"] = e["at"]
        return session


def now() -> float:
    return time.time()
