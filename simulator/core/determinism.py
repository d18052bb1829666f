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
_installed = False


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
    """Route moto's shared random source (and KMS key material) through the per-thread seed. Idempotent."""
    global _installed
    if _installed:
        return
    from moto.moto_api._internal import mock_random

    base_getrandbits = mock_random.getrandbits
    base_random = mock_random.random

    def getrandbits(k: int) -> int:
        rng = current_random()
        return rng.getrandbits(k) if rng is not None else base_getrandbits(k)

    def _random() -> float:
        rng = current_random()
        return rng.random() if rng is not None else base_random()

    # Instance attributes shadow the C methods; Random's helpers (choice, choices, uuid4...) look them up on self.
    mock_random.getrandbits = getrandbits  # type: ignore[method-assign]
    mock_random.random = _random  # type: ignore[method-assign]

    from .lazyimport import when_imported

    def patch_kms(kms_models) -> None:
        import moto.kms.utils as kms_utils

        def generate_master_key() -> bytes:
            return random_bytes(kms_utils.MASTER_KEY_LEN)

        kms_models.generate_master_key = generate_master_key

    # Modules that draw IDs or tokens from os.urandom: S3 multipart upload ids (parts refer to them), STS session
    # tokens, IAM virtual MFA seeds. They see an ``os`` whose urandom follows the request's seed. Patched when
    # moto first imports them, so start stays fast.
    def patch_os(module) -> None:
        module.os = _SeededOs()

    when_imported("moto.kms.models", patch_kms)
    for name in ("moto.s3.models", "moto.sts.utils", "moto.iam.models"):
        when_imported(name, patch_os)

    # moto creates a service's backend on first use, inside whichever request touches it first, and the backend
    # may draw IDs as it starts (AWS managed policies...). Replay can touch it first in another request, so
    # creation must not consume the request's seeded draws.
    from moto.core.base_backend import AccountSpecificBackend

    original_getitem = AccountSpecificBackend.__getitem__

    def getitem(self, region_name):
        if dict.__contains__(self, region_name):
            return original_getitem(self, region_name)
        with unseeded():
            return original_getitem(self, region_name)

    AccountSpecificBackend.__getitem__ = getitem  # type: ignore[method-assign]
    _installed = True


class _SeededOs:
    """``os`` for one moto module, except that ``urandom`` is seeded per request."""

    urandom = staticmethod(random_bytes)

    def __getattr__(self, name: str):
        return getattr(os, name)
