"""Knowledge Bases as a router extension: bedrock-agent (build time) and bedrock-agent-runtime (Retrieve...).

Both sign as ``bedrock``; their paths (``/knowledgebases/...``, ``/retrieveAndGenerate``, ``/tags/<kb arn>``) are
ours, the rest of bedrock-agent (agents) stays with moto. Requests are validated against botocore's model (AWS's
wording), turned into events (:mod:`.models`), journaled as ``bedrock-agent`` records and replayed from them.
Admin route: ``GET /_gailab/knowledge-bases/chunks?knowledgeBaseId=...`` lists the chunks a knowledge base serves.
"""

from __future__ import annotations

import json
import logging
import random
import re
import string
import threading
from urllib.parse import unquote

from werkzeug.wrappers import Response

from ..core import awserrors, shapes
from ..core.admin import json_response
from ..core.extensions import Extension
from ..core.home import ACCOUNT_ID
from . import chunking, engines, runtime
from .errors import KbError, conflict, not_found, validation
from .models import Store, now

_KB = r"/knowledgebases/(?P<kb>[^/]+)"
_DS = _KB + r"/datasources/(?P<ds>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile("^" + pattern + "/?$"), op) for method, pattern, op in [
        ("PUT", r"/knowledgebases", "CreateKnowledgeBase"),
        ("POST", r"/knowledgebases", "ListKnowledgeBases"),
        ("GET", _KB, "GetKnowledgeBase"),
        ("PUT", _KB, "UpdateKnowledgeBase"),
        ("DELETE", _KB, "DeleteKnowledgeBase"),
        ("PUT", _KB + r"/datasources", "CreateDataSource"),
        ("POST", _KB + r"/datasources", "ListDataSources"),
        ("GET", _DS, "GetDataSource"),
        ("PUT", _DS, "UpdateDataSource"),
        ("DELETE", _DS, "DeleteDataSource"),
        ("PUT", _DS + r"/ingestionjobs", "StartIngestionJob"),
        ("POST", _DS + r"/ingestionjobs", "ListIngestionJobs"),
        ("GET", _DS + r"/ingestionjobs/(?P<job>[^/]+)", "GetIngestionJob"),
        ("POST", _DS + r"/ingestionjobs/(?P<job>[^/]+)/stop", "StopIngestionJob"),
        ("POST", _KB + r"/retrieve", "Retrieve"),
        ("POST", r"/retrieveAndGenerate", "RetrieveAndGenerate"),
        ("POST", r"/retrieveAndGenerateStream", "RetrieveAndGenerateStream"),
        ("GET", r"/tags/(?P<arn>[^/]+)", "ListTagsForResource"),
        ("POST", r"/tags/(?P<arn>[^/]+)", "TagResource"),
        ("DELETE", r"/tags/(?P<arn>[^/]+)", "UntagResource"),
    ]
]
_RUNTIME_OPS = {"Retrieve", "RetrieveAndGenerate", "RetrieveAndGenerateStream"}
_STATUS = {"CreateKnowledgeBase": 202, "UpdateKnowledgeBase": 202, "DeleteKnowledgeBase": 202,
           "DeleteDataSource": 202, "StartIngestionJob": 202, "StopIngestionJob": 202}
_ID_CHARS = string.ascii_uppercase + string.digits
_STORAGE_FIELD = {
    "OPENSEARCH_SERVERLESS": "opensearchServerlessConfiguration", "PINECONE": "pineconeConfiguration",
    "REDIS_ENTERPRISE_CLOUD": "redisEnterpriseCloudConfiguration", "RDS": "rdsConfiguration",
    "MONGO_DB_ATLAS": "mongoDbAtlasConfiguration", "NEPTUNE_ANALYTICS": "neptuneAnalyticsConfiguration",
    "OPENSEARCH_MANAGED_CLUSTER": "opensearchManagedClusterConfiguration", "S3_VECTORS": "s3VectorsConfiguration",
}
_rng = random.SystemRandom()
log = logging.getLogger("gailab.simulator.bedrockagent")


def new_id() -> str:
    return "".join(_rng.choice(_ID_CHARS) for _ in range(10))


class KnowledgeBases(Extension):
    name = "bedrock-agent"
    event_kinds = ("bedrock-agent",)

    def __init__(self):
        self.store = Store()
        self.tokens: dict[str, str] = {}
        self.cloud = None
        self._journal_lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.store.reset()
        self.tokens.clear()

    def replay_event(self, record: dict) -> None:
        self._apply(record["event"])

    def health(self) -> dict:
        return {"status": "ready", "knowledgeBases": len(self.store.kbs), "ingestionJobs": len(self.store.jobs)}

    def admin_routes(self) -> dict:
        return {("GET", "/_gailab/knowledge-bases/chunks"): self._admin_chunks}

    def _admin_chunks(self, info) -> Response:
        kb = self.store.kbs.get(info.query.get("knowledgeBaseId", ""))
        if kb is None:
            return awserrors.error_response("gailab", "NotFound", "Pass knowledgeBaseId= of an existing knowledge base.", 404)
        chunks = self.store.index(kb, now())
        wanted = info.query.get("dataSourceId")
        return json_response({"knowledgeBaseId": kb.id, "chunks": [
            {"chunkId": c.chunk_id, "dataSourceId": c.ds_id, "uri": c.uri, "text": c.searched, "returnedText": c.text,
             "tokens": c.tokens, "metadata": dict(c.metadata)} for c in chunks if not wanted or c.ds_id == wanted]})

    # -- events -------------------------------------------------------------------------------------------------
    def _apply(self, event: dict):
        result = self.store.apply(event)
        if event.get("clientToken"):
            self.tokens[event["clientToken"]] = event.get("id")
        return result

    def commit(self, event: dict):
        """Apply one change and make it durable before the response leaves."""
        with self.store.lock:
            result = self._apply(event)
            if self.cloud is not None:
                self.cloud.journal.append("bedrock-agent", {"event": event})
        return result

    # -- routing ------------------------------------------------------------------------------------------------
    def matches(self, info) -> bool:
        if info.service != "bedrock":
            return False
        path = info.raw_uri.split("?", 1)[0]
        if path.startswith("/tags/"):
            return ":knowledge-base/" in unquote(path)
        return path.startswith("/knowledgebases") or path.rstrip("/") in ("/retrieveAndGenerate", "/retrieveAndGenerateStream")

    def handle(self, info) -> Response:
        info.journal = False  # our own events are the journal
        path = info.raw_uri.split("?", 1)[0]
        for method, pattern, op in _ROUTES:
            found = pattern.match(path)
            if found and method == info.method:
                try:
                    return self._run(info, op, {k: unquote(v) for k, v in found.groupdict().items()})
                except KbError as exc:
                    return awserrors.error_response("bedrock", exc.code, exc.message, exc.status)
        return awserrors.error_response("bedrock", "UnknownOperationException",
                                        f"No operation {info.method} {info.path} in Knowledge Bases.", 404)

    def _run(self, info, op: str, path: dict) -> Response:
        body = self._body(info)
        model = "bedrock-agent-runtime" if op in _RUNTIME_OPS else "bedrock-agent"
        params = {**body, **{_PATH_NAMES.get(k, k): v for k, v in path.items()}}
        if op in ("ListTagsForResource", "UntagResource"):
            params.update({"tagKeys": info.request.args.getlist("tagKeys")} if op == "UntagResource" else {})
        problem = shapes.check(model, op, params)
        if problem:
            raise validation(problem)
        handler = getattr(self, "_" + op, None) or getattr(runtime, op)
        if op in _RUNTIME_OPS:
            out = handler(self, info, params)
        else:
            out = handler(info, params)
        if isinstance(out, Response):
            return out
        return Response(json.dumps(out, ensure_ascii=False), status=_STATUS.get(op, 200), content_type="application/json",
                        headers={"x-amzn-RequestId": awserrors.request_id()})

    @staticmethod
    def _body(info) -> dict:
        if not info.body:
            return {}
        try:
            body = json.loads(info.body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise KbError("SerializationException", f"The request body is not valid JSON: {exc}", 400) from None
        if not isinstance(body, dict):
            raise KbError("SerializationException", "The request body must be a JSON object.", 400)
        return body

    # -- lookups ------------------------------------------------------------------------------------------------
    def kb(self, kb_id: str):
        if kb_id.startswith("arn:"):
            kb_id = kb_id.rsplit("/", 1)[-1]
        found = self.store.kbs.get(kb_id)
        if found is None:
            raise not_found(f"KnowledgeBase with id {kb_id} does not exist")
        return found

    def ds(self, kb_id: str, ds_id: str):
        kb = self.kb(kb_id)
        found = self.store.sources.get(ds_id)
        if found is None or found.kb_id != kb.id:
            raise not_found(f"DataSource with id {ds_id} does not exist in KnowledgeBase {kb.id}")
        return found

    def _replayed_token(self, params: dict):
        token = params.get("clientToken")
        return self.tokens.get(token) if token else None

    # -- knowledge bases ------------------------------------------------------------------------------------------
    def _check_kb(self, params: dict) -> None:
        config = params["knowledgeBaseConfiguration"]
        if config["type"] != "VECTOR":
            raise validation(f"The local cloud supports knowledge bases of type VECTOR, not {config['type']}.")
        vector = config.get("vectorKnowledgeBaseConfiguration")
        if not vector:
            raise validation("vectorKnowledgeBaseConfiguration is required when the knowledge base type is VECTOR.")
        model = engines.resolve_model(vector["embeddingModelArn"])
        if model is None or not engines.is_embedding(model):
            raise validation(f"The model {vector['embeddingModelArn']} is not a supported embedding model for knowledge "
                             "bases. Use an embedding model such as amazon.titan-embed-text-v2:0.")
        dims = (((vector.get("embeddingModelConfiguration") or {}).get("bedrockEmbeddingModelConfiguration") or {})
                .get("dimensions"))
        if dims is not None and dims not in model.dimensions:
            raise validation(f"The embedding model {model.id} does not support {dims} dimensions. Supported: "
                             f"{', '.join(map(str, model.dimensions))}.")
        storage = params.get("storageConfiguration")
        if not storage:
            raise validation("storageConfiguration is required for a knowledge base of type VECTOR.")
        needed = _STORAGE_FIELD[storage["type"]]
        if not storage.get(needed):
            raise validation(f"{needed} is required when the storage type is {storage['type']}.")
        extra = [f for t, f in _STORAGE_FIELD.items() if f != needed and storage.get(f)]
        if extra:
            raise validation(f"{extra[0]} cannot be specified when the storage type is {storage['type']}.")
        from ..iam.trust import service_can_assume
        from moto.iam.models import iam_backends

        try:
            role = iam_backends[ACCOUNT_ID]["aws"].get_role_by_arn(params["roleArn"])
        except Exception:
            raise validation(f"The role {params['roleArn']} does not exist. Create the knowledge base's service role "
                             "first.") from None
        if not service_can_assume(role.assume_role_policy_document, "bedrock.amazonaws.com"):
            raise validation(f"Bedrock cannot assume the role {params['roleArn']}: its trust policy must let "
                             "bedrock.amazonaws.com call sts:AssumeRole.")

    def _CreateKnowledgeBase(self, info, params: dict) -> dict:
        again = self._replayed_token(params)
        if again and again in self.store.kbs:
            return {"knowledgeBase": self.store.kbs[again].describe(now())}
        self._check_kb(params)
        params = {k: v for k, v in params.items() if k != "clientToken"}
        t = now()
        kb = self.commit({"op": "CreateKnowledgeBase", "id": new_id(), "at": t, "region": info.region,
                          "params": params, "clientToken": self._token(info)})
        return {"knowledgeBase": kb.describe(t)}

    @staticmethod
    def _token(info) -> str | None:
        try:
            return json.loads(info.body or b"{}").get("clientToken")
        except ValueError:
            return None

    def _ListKnowledgeBases(self, info, params: dict) -> dict:
        t = now()
        return self._page([kb.summary(t) for kb in self.store.kbs.values()], params, "knowledgeBaseSummaries")

    def _GetKnowledgeBase(self, info, params: dict) -> dict:
        return {"knowledgeBase": self.kb(params["knowledgeBaseId"]).describe(now())}

    def _UpdateKnowledgeBase(self, info, params: dict) -> dict:
        kb = self.kb(params["knowledgeBaseId"])
        if "storageConfiguration" not in params:
            params = {**params, "storageConfiguration": kb.storage}
        self._check_kb(params)
        if params["knowledgeBaseConfiguration"] != kb.configuration and \
                params["knowledgeBaseConfiguration"]["vectorKnowledgeBaseConfiguration"]["embeddingModelArn"] != kb.embedding_model_arn:
            raise validation("The embedding model of a knowledge base cannot be changed. Create a new knowledge base.")
        kb = self.commit({"op": "UpdateKnowledgeBase", "id": kb.id, "at": now(), "params": params})
        return {"knowledgeBase": kb.describe(now())}

    def _DeleteKnowledgeBase(self, info, params: dict) -> dict:
        kb = self.kb(params["knowledgeBaseId"])
        self.commit({"op": "DeleteKnowledgeBase", "id": kb.id, "at": now()})
        return {"knowledgeBaseId": kb.id, "status": "DELETING"}

    # -- data sources ---------------------------------------------------------------------------------------------
    def _check_ds(self, kb, params: dict) -> None:
        config = params["dataSourceConfiguration"]
        if config["type"] != "S3":
            raise validation(f"The local cloud supports data sources of type S3, not {config['type']}.")
        s3 = config.get("s3Configuration")
        if not s3:
            raise validation("s3Configuration is required when the data source type is S3.")
        bucket = s3["bucketArn"].split(":::", 1)[-1]
        from moto.s3.models import s3_backends

        if bucket not in s3_backends[ACCOUNT_ID]["aws"].buckets:
            raise validation(f"The S3 bucket {bucket} does not exist (bucketArn {s3['bucketArn']}). Create the bucket "
                             "or correct the bucket ARN.")
        chunk_config = (params.get("vectorIngestionConfiguration") or {}).get("chunkingConfiguration")
        problem = chunking.problem(chunk_config, kb.embedding_model.context)
        if problem:
            raise validation(problem)
        vector = params.get("vectorIngestionConfiguration") or {}
        unsupported = [k for k in ("customTransformationConfiguration", "parsingConfiguration",
                                   "contextEnrichmentConfiguration") if vector.get(k)]
        if unsupported:
            raise validation(f"The local cloud does not support {unsupported[0]} (standard parsing only).")

    def _CreateDataSource(self, info, params: dict) -> dict:
        kb = self.kb(params["knowledgeBaseId"])
        again = self._replayed_token(params)
        if again and again in self.store.sources:
            return {"dataSource": self.store.sources[again].describe()}
        self._check_ds(kb, params)
        body = {k: v for k, v in params.items() if k not in ("clientToken", "knowledgeBaseId")}
        ds = self.commit({"op": "CreateDataSource", "id": new_id(), "kbId": kb.id, "at": now(), "params": body,
                          "clientToken": params.get("clientToken")})
        return {"dataSource": ds.describe()}

    def _ListDataSources(self, info, params: dict) -> dict:
        kb = self.kb(params["knowledgeBaseId"])
        return self._page([d.summary() for d in self.store.sources_of(kb.id)], params, "dataSourceSummaries")

    def _GetDataSource(self, info, params: dict) -> dict:
        return {"dataSource": self.ds(params["knowledgeBaseId"], params["dataSourceId"]).describe()}

    def _UpdateDataSource(self, info, params: dict) -> dict:
        ds = self.ds(params["knowledgeBaseId"], params["dataSourceId"])
        asked = (params.get("vectorIngestionConfiguration") or {}).get("chunkingConfiguration")
        if asked is not None and asked != ds.chunking:
            raise validation("The chunking configuration of a data source cannot be changed after it is created. "
                             "Create a new data source with the chunking you want and ingest it.")
        self._check_ds(self.kb(ds.kb_id), params)
        body = {k: v for k, v in params.items() if k not in ("knowledgeBaseId", "dataSourceId")}
        ds = self.commit({"op": "UpdateDataSource", "id": ds.id, "at": now(), "params": body})
        return {"dataSource": ds.describe()}

    def _DeleteDataSource(self, info, params: dict) -> dict:
        ds = self.ds(params["knowledgeBaseId"], params["dataSourceId"])
        if self.store.running_job(ds.id, now()):
            raise conflict(f"DataSource {ds.id} has an ingestion job in progress. Stop it or wait for it to end.")
        self.commit({"op": "DeleteDataSource", "id": ds.id, "at": now()})
        return {"knowledgeBaseId": ds.kb_id, "dataSourceId": ds.id, "status": "DELETING"}

    # -- ingestion jobs -------------------------------------------------------------------------------------------
    def _StartIngestionJob(self, info, params: dict) -> dict:
        ds = self.ds(params["knowledgeBaseId"], params["dataSourceId"])
        t = now()
        again = self._replayed_token(params)
        if again and again in self.store.jobs:
            return {"ingestionJob": self.store.jobs[again].describe(t)}
        for other in self.store.sources_of(ds.kb_id):
            running = self.store.running_job(other.id, t)
            if running is not None:
                raise conflict(f"There is an ongoing ingestion job {running.id} "
                               f"for KnowledgeBase {ds.kb_id}. Only one ingestion job can run per knowledge base; "
                               "wait for it to end.")
        job = self.commit({"op": "StartIngestionJob", "id": new_id(), "kbId": ds.kb_id, "dsId": ds.id, "at": t,
                           "description": params.get("description"), "clientToken": params.get("clientToken")})
        job.embedded = threading.Event()
        threading.Thread(target=self._embed, args=(job,), name=f"kb-ingest-{job.id}", daemon=True).start()
        return {"ingestionJob": job.describe(t)}

    def _embed(self, job) -> None:
        """The job's chunking and embedding, while it is IN_PROGRESS (COMPLETE waits for it)."""
        try:
            self.store.warm(job)
        except Exception:
            log.exception("embedding the documents of ingestion job %s failed", job.id)
        finally:
            job.embedded.set()

    def ready(self) -> None:
        """After a restart, embed what the knowledge bases serve in the background, so the first Retrieve is quick."""
        kbs = list(self.store.kbs.values())
        if kbs:
            threading.Thread(target=self._warm_all, args=(kbs,), name="kb-warm", daemon=True).start()

    def _warm_all(self, kbs) -> None:
        for kb in kbs:
            try:
                self.store.index(kb, now())
            except Exception:
                log.exception("warming knowledge base %s failed", kb.id)

    def job(self, params: dict):
        ds = self.ds(params["knowledgeBaseId"], params["dataSourceId"])
        found = self.store.jobs.get(params["ingestionJobId"])
        if found is None or found.ds_id != ds.id:
            raise not_found(f"IngestionJob with id {params['ingestionJobId']} does not exist in DataSource {ds.id}")
        return found

    def _GetIngestionJob(self, info, params: dict) -> dict:
        return {"ingestionJob": self.job(params).describe(now())}

    def _StopIngestionJob(self, info, params: dict) -> dict:
        job = self.job(params)
        t = now()
        if job.status(t) not in ("STARTING", "IN_PROGRESS"):
            raise conflict(f"IngestionJob {job.id} is {job.status(t)} and cannot be stopped.")
        job = self.commit({"op": "StopIngestionJob", "id": job.id, "at": t})
        return {"ingestionJob": job.describe(now())}

    def _ListIngestionJobs(self, info, params: dict) -> dict:
        ds = self.ds(params["knowledgeBaseId"], params["dataSourceId"])
        t = now()
        jobs = [j.summary(t) for j in self.store.jobs_of(ds.id)]
        for flt in params.get("filters") or []:
            jobs = [j for j in jobs if j["status"] in flt["values"]]
        sort = params.get("sortBy")
        if sort:
            key = "status" if sort["attribute"] == "STATUS" else "startedAt"
            jobs.sort(key=lambda j: j[key], reverse=sort["order"] == "DESCENDING")
        return self._page(jobs, params, "ingestionJobSummaries")

    # -- tags -----------------------------------------------------------------------------------------------------
    def _tagged(self, params: dict):
        kb = self.store._kb_by_arn(params["resourceArn"])
        if kb is None:
            raise not_found(f"Resource {params['resourceArn']} not found")
        return kb

    def _ListTagsForResource(self, info, params: dict) -> dict:
        return {"tags": dict(self._tagged(params).tags)}

    def _TagResource(self, info, params: dict) -> dict:
        kb = self._tagged(params)
        self.commit({"op": "TagResource", "arn": kb.arn, "tags": params.get("tags") or {}, "at": now()})
        return {}

    def _UntagResource(self, info, params: dict) -> dict:
        kb = self._tagged(params)
        self.commit({"op": "UntagResource", "arn": kb.arn, "keys": params.get("tagKeys") or [], "at": now()})
        return {}

    # -- costs ----------------------------------------------------------------------------------------------------
    def costs(self, since: float | None) -> list[dict]:
        """Embedding tokens of each ingestion job (the chunks it embedded), at the embedding model's on-demand price.

        The generation of RetrieveAndGenerate is in the Bedrock ledger and counted there."""
        from .models import document_chunks, iso

        items = []
        t = now()
        with self.store.lock:
            for job in self.store.jobs.values():
                kb = self.store.kbs.get(job.kb_id)
                ended = job.ended(t)
                if kb is None or job.fatal or job.status(t) != "COMPLETE" or (since is not None and ended < since):
                    continue
                model = kb.embedding_model
                tokens = sum(engines.count_tokens(c.text) for uri in job.changed if uri in job.documents
                             for c in document_chunks(job.documents[uri], job.chunking, kb.dimensions))
                if not tokens:
                    continue
                price = model.price_input / 1000
                items.append({
                    "service": "Amazon Bedrock Knowledge Bases", "item": f"ingestion job {job.id}: {model.id} embedding tokens",
                    "quantity": tokens, "unit": "tokens", "unitPriceUsd": price, "costUsd": round(tokens * price, 8),
                    "source": f"Amazon Bedrock pricing, on-demand input tokens of {model.name} (the catalog's price)",
                    "start": iso(job.started), "end": iso(ended),
                })
        return items

    # -- pagination -----------------------------------------------------------------------------------------------
    @staticmethod
    def _page(items: list, params: dict, key: str) -> dict:
        start = 0
        token = params.get("nextToken")
        if token:
            if not token.isdigit():
                raise validation("The nextToken is not valid.")
            start = int(token)
        size = params.get("maxResults") or 1000
        out = {key: items[start:start + size]}
        if start + size < len(items):
            out["nextToken"] = str(start + size)
        return out


#: URI parameter names as botocore's model names them.
_PATH_NAMES = {"kb": "knowledgeBaseId", "ds": "dataSourceId", "job": "ingestionJobId", "arn": "resourceArn"}


def factory() -> KnowledgeBases:
    return KnowledgeBases()
