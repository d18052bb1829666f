"""Per-request seeded randomness, so replaying the journal recreates the same IDs and ARNs.

moto draws every generated ID from one shared ``MotoRandom`` instance. We make that instance thread-aware:
while a request runs inside :func:`seeded`, every draw on its thread comes from a private ``Random`` seeded
with the request's recorded seed. Concurrent requests therefore cannot disturb each other's IDs, and a replay
that re-seeds each request with its recorded seed gets exactly the IDs the learner saw.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
from collections.abc import Iterator

_local = threading.local()


def current_random() -> random.Random | None:
    """The seeded generator of the request running on this thread, if any."""
    return getattr(_local, "rng", None)


def new_seed() -> int:
    return int.from_bytes(os.urandom(8), "big")


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[random.Random]:
    """Run a block with this thread's draws coming from ``Random(seed)``."""
    previous = getattr(_local, "rng", None)
    rng = random.Random(seed)
    _local.rng = rng
    try:
        yield rng
    finally:
        _local.rng = previous


@contextlib.contextmanager
def unseeded() -> Iterator[None]:
    """Draw from the shared source for a while (for work that may happen in any request, or in none)."""
    previous = getattr(_local, "rng", None)
    _local.rng = None
    try:
        yield
    finally:
        _local.rng = previous


def short_id(length: int = 12) -> str:
    """A lowercase letters-and-digits ID from the request's seeded generator (the OS outside requests), as AWS
    uses for guardrails, jobs and provisioned models."""
    import string

    alphabet = string.ascii_lowercase + string.digits
    rng = current_random()
    pick = rng.choice if rng is not None else random.SystemRandom().choice
    return "".join(pick(alphabet) for _ in range(length))


def random_bytes(n: int) -> bytes:
    """Bytes from the request's seeded generator (or the OS when no request is running)."""
    rng = current_random()
    if rng is None:
        return os.urandom(n)
    return rng.getrandbits(8 * n).to_bytes(n, "big") if n else b""


def install() -> None:
    """Route moto's shared random source (and KMS key material, S3 upload ids, STS tokens) through the per-thread
    seed: the patches are declared in :mod:`.motoseam`. Idempotent."""
    from . import motoseam

    motoseam.install()


# -- replacements for moto (declared in motoseam.PATCHES) -----------------------------------------------------------
def seeded_getrandbits(k: int) -> int:
    rng = current_random()
    if rng is not None:
        return rng.getrandbits(k)
    from .motoseam import original

    return original("moto.moto_api._internal:mock_random.getrandbits")(k)


def seeded_random() -> float:
    rng = current_random()
    if rng is not None:
        return rng.random()
    from .motoseam import original

    return original("moto.moto_api._internal:mock_random.random")()


def generate_master_key() -> bytes:
    import moto.kms.utils as kms_utils

    return random_bytes(kms_utils.MASTER_KEY_LEN)


def unseeded_backend_getitem(self, region_name):
    from .motoseam import original

    getitem = original("moto.core.base_backend:AccountSpecificBackend.__getitem__")
    if dict.__contains__(self, region_name):
        return getitem(self, region_name)
    with unseeded():
        return getitem(self, region_name)


class _SeededOs:
    """``os`` for one moto module, except that ``urandom`` is seeded per request."""

    urandom = staticmethod(random_bytes)

    def __getattr__(self, name: str):
        return getattr(os, name)


#: The ``os`` three moto modules see (S3 models, STS utils, IAM models).
seeded_os = _SeededOs()
