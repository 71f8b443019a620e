"""Outbound webhooks: written in the same transaction as the change, signed, retried with backoff,
dead after the last attempt and retryable by hand, each merchant seeing only its own log."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from orderhub.db import engine
from orderhub.db.errors import NotFound
from orderhub.db.outbox import queries, rules, services


async def test_notify_commits_and_rolls_back_with_the_change(merchants, clock):
    acme = merchants["acme"][0]
    endpoint_id, secret = await services.add_endpoint(acme.id, "https://hooks.acme.example/orderhub", now=clock())
    async with engine.write():
        await services.notify(acme.id, "pickup.ready", {"order": "1042"}, order_id=None, now=clock())
    with pytest.raises(RuntimeError):
        async with engine.write():
            await services.notify(acme.id, "pickup.expired", {"order": "1042"}, order_id=None, now=clock())
            raise RuntimeError("the change failed")
    log = await queries.deliveries(acme.id)
    assert [d.event for d in log] == ["pickup.ready"]
    assert await queries.deliveries(merchants["yamakaze"][0].id) == []


async def test_delivery_is_signed_and_marked_delivered(merchants, clock):
    acme = merchants["acme"][0]
    _, secret = await services.add_endpoint(acme.id, "https://hooks.acme.example/in", now=clock())
    await services.notify(acme.id, "return.approved", {"return": "R-1"}, order_id=None, now=clock())
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert rules.verify(secret, request.content, request.headers["x-orderhub-signature"], clock())
        seen.append(json.loads(request.content))
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        assert await services.deliver_due(client, now=clock()) == {"delivered": 1, "retry": 0, "dead": 0}
        assert await services.deliver_due(client, now=clock()) == {"delivered": 0, "retry": 0, "dead": 0}
    assert seen[0]["type"] == "return.approved" and seen[0]["data"] == {"return": "R-1"}
    assert (await queries.deliveries(acme.id))[0].state == "delivered"


async def test_failures_back_off_then_die_and_can_be_retried(merchants, clock):
    acme = merchants["acme"][0]
    await services.add_endpoint(acme.id, "https://hooks.acme.example/down", now=clock())
    await services.notify(acme.id, "feedback.detractor", {"score": 2}, order_id=None, now=clock())
    calls = []

    def down(request):
        calls.append(clock())
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as client:
        await services.deliver_due(client, now=clock())
        row = (await queries.deliveries(acme.id))[0]
        assert row.state == "pending" and row.attempts == 1 and row.last_status == 503
        assert row.next_attempt_at - clock() == dt.timedelta(seconds=30)
        assert await services.deliver_due(client, now=clock()) == {"delivered": 0, "retry": 0, "dead": 0}  # not due yet
        for _ in range(rules.MAX_ATTEMPTS):
            clock.advance(hours=7)
            await services.deliver_due(client, now=clock())
    row = (await queries.deliveries(acme.id))[0]
    assert row.state == "dead" and row.attempts == rules.MAX_ATTEMPTS and len(calls) == rules.MAX_ATTEMPTS
    assert row.retryable
    with pytest.raises(NotFound) as refused:
        await services.retry(merchants["yamakaze"][0].id, row.id, now=clock())  # not theirs
    assert refused.value.code == rules.DELIVERY_NOT_FOUND
    await services.retry(acme.id, row.id, now=clock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        assert (await services.deliver_due(client, now=clock()))["delivered"] == 1


async def test_endpoint_urls_and_secret_rotation(merchants, clock):
    from orderhub.db.errors import ValidationFailed

    acme = merchants["acme"][0]
    with pytest.raises(ValidationFailed):
        await services.add_endpoint(acme.id, "javascript:alert(1)", now=clock())
    endpoint_id, secret = await services.add_endpoint(acme.id, "https://hooks.acme.example/x", events=["pickup.*"],
                                                      now=clock())
    assert await services.rotate_secret(acme.id, endpoint_id) != secret
    await services.notify(acme.id, "return.approved", {}, order_id=None, now=clock())
    await services.notify(acme.id, "pickup.ready", {}, order_id=None, now=clock())
    assert [d.event for d in await queries.deliveries(acme.id)] == ["pickup.ready"]


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (6, 960), (7, 1920), (8, None)])
def test_backoff_schedule(attempts, seconds):
    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    expected = None if seconds is None else now + dt.timedelta(seconds=seconds)
    assert rules.next_attempt(attempts, now) == expected


def test_signature_rejects_stale_and_forged():
    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    header = rules.signature_header("whsec_x", b"{}", now)
    assert rules.verify("whsec_x", b"{}", header, now)
    assert not rules.verify("whsec_y", b"{}", header, now)
    assert not rules.verify("whsec_x", b"{ }", header, now)
    assert not rules.verify("whsec_x", b"{}", header, now + dt.timedelta(seconds=301))
