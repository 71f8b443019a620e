"""Survey and review invitations: every few minutes, ask shoppers whose order arrived (caps
permitting) and invite reviews once they open. Wiring only: rules and writes live in rules/services."""

from __future__ import annotations

from orderhub.db.clock import Clock
from orderhub.db.feedback import services
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def invitations(settings: Settings, clock: Clock) -> dict[str, int]:
    return await services.send_invitations(now=clock())


JOBS: tuple[Job, ...] = (
    Job("feedback-invitations", 300, invitations),
)
