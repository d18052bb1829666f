"""The local cloud: one loopback endpoint with moto behind gailab's router, Bedrock, Lambda execution,
API Gateway execution, a durable journal and the admin API. Never imports Textual.

Public API (lazy, so ``import gailab.simulator`` stays cheap)::

    from gailab.simulator import Cloud, CloudProcess, env_exports
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Cloud", "CloudProcess", "CloudUnavailable", "env_exports", "resolve_home", "active_cloud"]

_LAZY = {
    "Cloud": "gailab.simulator.core.server",
    "active_cloud": "gailab.simulator.core.server",
    "CloudProcess": "gailab.simulator.core.process",
    "CloudUnavailable": "gailab.simulator.client",
    "env_exports": "gailab.simulator.core.home",
    "resolve_home": "gailab.simulator.core.home",
}

if TYPE_CHECKING:
    from .core.home import env_exports, resolve_home
    from .client import CloudUnavailable
    from .core.process import CloudProcess
    from .core.server import Cloud, active_cloud


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
