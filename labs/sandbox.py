"""A throwaway local cloud for ``gailab grade --fresh`` and ``gailab lab validate``.

In this process when no cloud runs here yet (fastest), else as a ``gailab serve`` child (moto keeps one state per
process, so a process that already serves a cloud cannot host a second one). Its home is a temporary folder, and
its simulated waits (jobs, endpoints, realistic latency) pass at :data:`~gailab.simulator.core.pace.FRESH` pace.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


class SandboxUnavailable(RuntimeError):
    """The throwaway cloud could not start."""


class Sandbox:
    def __init__(self, settings: dict | None = None, in_process: bool | None = None):
        from gailab.simulator.core.pace import FRESH

        self.settings = {"pace": FRESH, **(settings or {})}
        self.in_process = in_process
        self.home: Path | None = None
        self.endpoint: str | None = None
        self._cloud = None

    def start(self) -> "Sandbox":
        from gailab.simulator.core.server import Cloud, active_cloud

        self.home = Path(tempfile.mkdtemp(prefix="gailab-fresh-"))
        in_process = self.in_process if self.in_process is not None else active_cloud() is None
        try:
            if in_process:
                self._cloud = Cloud(self.home, port=0, fresh=True, fsync=False, settings=self.settings,
                                    checkpoints=False).start()  # thrown away after: no checkpoint to take
            else:
                from gailab.simulator.core.process import CloudProcess

                self._cloud = CloudProcess(self.home, port=0, fresh=True,
                                           extra_args=["--pace", str(self.settings["pace"])]).start(timeout=60)
        except Exception as exc:
            shutil.rmtree(self.home, ignore_errors=True)
            raise SandboxUnavailable(f"the throwaway cloud did not start: {exc}") from None
        self.endpoint = self._cloud.endpoint
        return self

    def reset(self) -> None:
        """Empty every service (POST /_gailab/reset)."""
        from gailab.simulator.client import admin

        admin(self.endpoint, "/_gailab/reset", {}, timeout=30, home=self.home)

    def stop(self) -> None:
        if self._cloud is not None:
            self._cloud.stop()
            self._cloud = None
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
