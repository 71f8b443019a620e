"""The SMTP server (aiosmtplib): one connection reused for a batch, reconnected when it drops."""

from __future__ import annotations

import email.message

import aiosmtplib
from aiosmtplib.errors import SMTPDataError, SMTPRecipientRefused, SMTPRecipientsRefused, SMTPServerDisconnected

from orderhub.db.emails.rules import SmtpTarget
from orderhub.db.emails.services import PermanentFailure


class SmtpSender:
    """`async with SmtpSender(target) as send: await send(message)`; connects on first use."""

    def __init__(self, target: SmtpTarget, *, timeout: float = 30.0) -> None:
        self.target = target
        self.timeout = timeout
        self.client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        t = self.target
        return aiosmtplib.SMTP(
            hostname=t.host, port=t.port, username=t.username, password=t.password, timeout=self.timeout,
            use_tls=t.tls == "implicit",
            start_tls={"starttls": True, "off": False, "auto": None, "implicit": False}[t.tls],
        )

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()
        self.client = None

    async def __call__(self, message: email.message.EmailMessage) -> None:
        for attempt in (1, 2):
            if self.client is None or not self.client.is_connected:
                self.client = self._new_client()
                await self.client.connect()
            try:
                await self.client.send_message(message)
                return
            except SMTPServerDisconnected:
                self.client = None
                if attempt == 2:
                    raise
            except (SMTPRecipientsRefused, SMTPRecipientRefused, SMTPDataError) as exc:
                if _permanent(exc):
                    await self._reset()
                    raise PermanentFailure(f"refused by the mail server: {exc}") from exc
                await self._reset()
                raise

    async def _reset(self) -> None:
        try:
            if self.client is not None and self.client.is_connected:
                await self.client.rset()
        except aiosmtplib.SMTPException:
            self.client = None


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, SMTPRecipientsRefused):
        return bool(exc.recipients) and all(getattr(r, "code", 0) >= 500 for r in exc.recipients)
    return getattr(exc, "code", 0) >= 500
