"""The email sender: every few seconds, render what is due (orderhub.emails.render) and send it over
SMTP (db/emails/clients.py). Wiring only: the outbox's rules and writes live in db/emails. It lives
beside the renderer so that nothing in db imports the presentation layer."""

from __future__ import annotations

import email.message

from orderhub.db.clock import Clock
from orderhub.db.emails import rules, services
from orderhub.db.emails.clients import SmtpSender
from orderhub.db.emails.queries import OutgoingEmail
from orderhub.db.schedule import Job
from orderhub.emails.render import build_message
from orderhub.settings import Settings

NOTHING = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}


async def send_due(settings: Settings, clock: Clock, *, sender: SmtpSender | None = None,
                   after_send: services.AfterSend | None = None) -> dict[str, int]:
    """One pass of the sender. Without ORDERHUB_SMTP_URL nothing is sent (messages wait). `sender`:
    another SMTP connection (an async context manager giving the send function) than the settings'."""
    now = clock()
    await services.release_stuck(now)
    if not settings.smtp_url:
        return dict(NOTHING)
    if not await services.due(now, 1):
        return dict(NOTHING)

    async def build(message: OutgoingEmail) -> email.message.EmailMessage | None:
        return await build_message(message, settings, now=now)

    async with (sender or SmtpSender(rules.parse_smtp_url(settings.smtp_url))) as send:
        return await services.deliver_due(build, send, now=now, after_send=after_send)


async def _send(settings: Settings, clock: Clock) -> None:
    await send_due(settings, clock)


JOBS: tuple[Job, ...] = (
    Job("transactional emails", 5.0, _send),
)
