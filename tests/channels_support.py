"""Local fakes of the channel providers (LINE Messaging API, a Twilio-compatible SMS API) behind an
httpx.MockTransport, and helpers that set a merchant's channels up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx

from orderhub.db import engine
from orderhub.db.channels import services
from orderhub.db.channels.tables import ChannelOutboxMessage

LINE_SECRET = "line-channel-secret-0123456789"
LINE_TOKEN = "line-access-token-abcdefghijklmnop"
SMS_SID = "AC0123456789abcdef0123456789abcdef"
SMS_TOKEN = "sms-auth-token-zyxwvutsrq"
SMS_SENDER = "+15005550006"


class FakeProviders:
    """Answers LINE pushes, link tokens and replies, and SMS sends; `answers` queues status codes to
    give first (then 200)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[int] = []
        self.timeouts = 0
        self.link_tokens = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.timeouts:
            self.timeouts -= 1
            raise httpx.ReadTimeout("timed out", request=request)
        status = self.answers.pop(0) if self.answers else 200
        if request.url.path == "/v2/bot/message/push":
            body = {"sentMessages": [{"id": "461230966842064897"}]} if status == 200 else {"message": "no"}
            return httpx.Response(status, json=body, headers={"x-line-request-id": f"req-{len(self.requests)}"})
        if request.url.path.startswith("/v2/bot/user/") and request.url.path.endswith("/linkToken"):
            self.link_tokens += 1
            body = {"linkToken": f"LinkToken{self.link_tokens:04d}abcdefXYZ"} if status == 200 else {"message": "no"}
            return httpx.Response(status, json=body)
        if request.url.path == "/v2/bot/message/reply":
            return httpx.Response(status, json={} if status == 200 else {"message": "Invalid reply token"})
        if request.url.path.endswith("/Messages.json"):
            return httpx.Response(201 if status == 200 else status, json={"sid": f"SM{len(self.requests):032d}"})
        return httpx.Response(404)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))

    def sent(self, path_end: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(path_end)]

    @staticmethod
    def form(request: httpx.Request) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}

    @staticmethod
    def json(request: httpx.Request) -> dict:
        return json.loads(request.content)


async def line_on(merchant_id: int, settings, now, events: list[str] | None = None) -> None:
    await services.save_account(merchant_id, "line", {
        "enabled": True, "events": events or ["shipment.delivered", "shipment.shipped"],
        "channel_secret": LINE_SECRET, "access_token": LINE_TOKEN}, secret_key=settings.secret_key, now=now)


async def sms_on(merchant_id: int, settings, now, events: list[str] | None = None) -> None:
    await services.save_account(merchant_id, "sms", {
        "enabled": True, "events": events or ["shipment.delivered", "shipment.shipped"],
        "account_sid": SMS_SID, "auth_token": SMS_TOKEN, "sender": SMS_SENDER},
        secret_key=settings.secret_key, now=now)


async def link_line(merchant_id: int, order_id: int, user_id: str, now) -> None:
    nonce = await services.line_link_started(merchant_id, order_id, now=now)
    assert await services.line_link_done(merchant_id, nonce, user_id, now=now)


def line_signature(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def messages(where: Callable | None = None) -> list[dict]:
    async with engine.read():
        query = ChannelOutboxMessage.select().order_by(ChannelOutboxMessage.id)
        return list(await query)


def replies(fake: FakeProviders) -> list[str]:
    """The texts the LINE bot replied, in order."""
    return [fake.json(r)["messages"][0]["text"] for r in fake.sent("/v2/bot/message/reply")]
