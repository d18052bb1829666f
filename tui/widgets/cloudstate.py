"""What a pane needs to know about the cloud, given to it by its screen (``endpoint``, ``cloud_state``), and the
one way a pane refuses to act without a ready cloud."""

from __future__ import annotations

from ..i18n import t


def cloud_ready(pane) -> bool:
    """True when the pane's cloud is ready; otherwise tell the learner why nothing happens."""
    if pane.cloud_state == "ready" and pane.endpoint:
        return True
    if pane.cloud_state == "starting":
        pane.app.notify(t("cloud.not_ready"), severity="warning")
    else:
        pane.app.notify(t("cloud.down_restart", reason=pane.app.cloud_reason or "—"), severity="warning")
    return False
