"""Which serving container a SageMaker model runs, and what it serves, read the way the Python SDK writes models.

The image repository says the container: Hugging Face TGI (``huggingface-pytorch-tgi-inference``), TEI
(``tei``/``tei-cpu``), LMI (``djl-inference``/``djl-lmi``) or the Hugging Face inference toolkit
(``huggingface-pytorch-inference``, task from ``HF_TASK``). The model comes from ``HF_MODEL_ID``, the SDK's
JumpStart tags (``sagemaker-sdk:jumpstart-model-id``) or the JumpStart model data path, and is looked up in the
simulated JumpStart catalogue (``jumpstart.json``).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

_IMAGE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repo>[^:@]+)(?P<ref>[:@].+)?$")
_KINDS = (
    ("huggingface-pytorch-tgi-inference", "tgi"),
    ("text-generation-inference", "tgi"),
    ("tei-cpu", "tei"),
    ("tei", "tei"),
    ("djl-inference", "lmi"),
    ("djl-lmi", "lmi"),
    ("huggingface-pytorch-inference", "hf"),
    ("huggingface-tensorflow-inference", "hf"),
)
JUMPSTART_TAG = "sagemaker-sdk:jumpstart-model-id"
_GENERATION_TASKS = {"text-generation", "text2text-generation", "summarization", "conversational"}


@dataclass(frozen=True)
class CatalogModel:
    model_id: str
    hf_model_id: str
    task: str
    container: str
    image: str
    default_instance_type: str
    gpu: bool
    engine: str | None
    dimensions: int | None


@dataclass(frozen=True)
class Serving:
    """What an endpoint built from a model would serve."""

    container: str | None  # tgi | tei | lmi | hf | None (an image the local cloud cannot run)
    task: str
    model: str  # the Hugging Face or JumpStart model it serves
    catalog: CatalogModel | None
    image: str

    @property
    def generates_text(self) -> bool:
        return self.task in _GENERATION_TASKS

    @property
    def needs_gpu(self) -> bool:
        """LLM serving containers (TGI GPU images, LMI) start only on instances with an accelerator."""
        if self.container == "lmi":
            return True
        if self.container == "tgi":
            return "cpu" not in self.image.rsplit(":", 1)[-1]
        return bool(self.catalog and self.catalog.gpu and self.generates_text)


@functools.lru_cache(maxsize=1)
def catalog() -> tuple[CatalogModel, ...]:
    data = json.loads(Path(__file__).with_name("jumpstart.json").read_text())
    return tuple(CatalogModel(m["modelId"], m["hfModelId"], m["task"], m["container"], m["image"],
                              m["defaultInstanceType"], m["gpu"], m.get("engine"), m.get("dimensions"))
                 for m in data["models"])


def find(name: str | None) -> CatalogModel | None:
    """A catalogue entry by JumpStart model id or Hugging Face id (case-insensitive)."""
    if not name:
        return None
    lowered = name.lower().strip("/")
    for model in catalog():
        if lowered in (model.model_id.lower(), model.hf_model_id.lower()):
            return model
    return None


def image_kind(image: str) -> str | None:
    found = _IMAGE.match(image or "")
    if not found:
        return None
    repo = found["repo"].rsplit("/", 1)[-1]
    for prefix, kind in _KINDS:
        if repo == prefix or repo.startswith(prefix + "-") and prefix != "tei":
            return kind
    return None


def valid_image(image: str) -> bool:
    return bool(_IMAGE.match(image or ""))


def _data_uri(container: dict) -> str:
    source = ((container.get("ModelDataSource") or {}).get("S3DataSource") or {}).get("S3Uri")
    return source or container.get("ModelDataUrl") or ""


def serving(container: dict, tags: dict[str, str]) -> Serving:
    image = container.get("Image") or ""
    env = container.get("Environment") or {}
    kind = image_kind(image)
    named = tags.get(JUMPSTART_TAG) or env.get("HF_MODEL_ID") or env.get("MODEL_ID") or env.get("OPTION_MODEL_ID")
    entry = find(named)
    if entry is None:
        data = _data_uri(container)
        entry = next((m for m in catalog() if m.model_id in data), None)
    task = env.get("HF_TASK") or (entry.task if entry else None)
    if task is None:
        task = {"tgi": "text-generation", "lmi": "text-generation", "tei": "feature-extraction"}.get(kind or "", "text-generation")
    if kind == "tei":
        task = "feature-extraction"
    model = named if named and not named.startswith("/opt/ml") else (entry.hf_model_id if entry else "the model in ModelDataUrl")
    return Serving(kind, task, model, entry, image)
