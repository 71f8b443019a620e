"""Outbound webhooks cannot reach inside (issue 18, item 2) and a slow endpoint delays only itself
(item 7). Real HTTP receivers on loopback, reached only where ORDERHUB_ALLOW_INTERNAL_HOSTS names them."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from orderhub import outbound
from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.outbox import jobs, queries, rules, services
from orderhub.db.outbox.tables import WebhookEndpoint
from tests.admin_ops_support import signed_in
from tests.integration.test_admin_settings import error_of, post
from tests.outbound_support import Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def spellings(port: int) -> list[str]:
    return [f"http://127.0.0.1:{port}/hooks", f"http://localhost:{port}/hooks", f"http://2130706433:{port}/hooks",
            f"http://0x7f000001:{port}/hooks", f"http://0177.0.0.1:{port}/hooks", f"http://127.1:{port}/hooks",
            f"http://[::ffff:127.0.0.1]:{port}/hooks", f"http://[::1]:{port}/hooks"]


async def _endpoint_row(merchant_id: int, url: str, now) -> int:
    """An endpoint as stored before the save-time check existed (or before its DNS changed)."""
    async with engine.write():
        row = WebhookEndpoint(merchant=merchant_id, url=url, secret="whsec_test", events=["*"], active=True,
                              created_at=now)
        await row.save()
    return row.id


async def test_loopback_in_every_spelling_is_refused_when_saved_and_when_sent(merchants, receiver, clock):
    acme = merchants["acme"][0]
    for url in spellings(receiver.port):
        with pytest.raises(ValidationFailed) as refused:
            await services.add_endpoint(acme.id, url, now=clock())
        assert refused.value.errors[0]["code"] == rules.INTERNAL_URL, url
        await _endpoint_row(acme.id, url, clock())
    await services.notify(acme.id, "return.approved", {"return": "R-1"}, order_id=None, now=clock())
    async with outbound.client() as client:
        counts = await services.deliver_due(client, now=clock())
    assert counts == {"delivered": 0, "retry": len(spellings(receiver.port)), "dead": 0}
    assert receiver.received == []  # nothing reached the loopback receiver
    log = await queries.deliveries(acme.id)
    assert {(d.last_status, d.last_error) for d in log} == {(None, rules.GENERIC_ERROR)}


async def test_a_closed_port_and_a_refused_address_read_the_same(merchants, clock):
    from tests.emails_support import free_port

    acme = merchants["acme"][0]
    closed = free_port()
    await _endpoint_row(acme.id, f"http://127.0.0.1:{closed}/x", clock())
    await _endpoint_row(acme.id, "http://hooks.nowhere.invalid/x", clock())
    await _endpoint_row(acme.id, "http://169.254.169.254/latest/meta-data", clock())
    await services.notify(acme.id, "return.approved", {}, order_id=None, now=clock())
    async with outbound.client(allow=["127.0.0.1"]) as client:  # the closed port is reachable, nobody listens
        await services.deliver_due(client, now=clock())
    assert {d.last_error for d in await queries.deliveries(acme.id)} == {rules.GENERIC_ERROR}


async def test_a_named_internal_host_is_delivered_and_redirects_are_not_followed(merchants, receiver, clock):
    acme = merchants["acme"][0]
    inner = Receiver(status=307, location=receiver.url)
    try:
        await services.add_endpoint(acme.id, receiver.url, now=clock(), allow_internal=["127.0.0.1"])
        await services.add_endpoint(acme.id, f"http://localhost:{inner.port}/r", now=clock(),
                                    allow_internal=["localhost"])
        await services.notify(acme.id, "return.approved", {}, order_id=None, now=clock())
        async with outbound.client(allow=["127.0.0.1", "localhost"]) as client:
            assert await services.deliver_due(client, now=clock()) == {"delivered": 1, "retry": 1, "dead": 0}
        assert len(receiver.received) == 1 and len(inner.received) == 1  # the redirect went nowhere
        assert sorted(d.last_error for d in await queries.deliveries(acme.id)) == ["", "HTTP 307"]
        assert inner.hosts == [f"localhost:{inner.port}"]
    finally:
        inner.close()


async def test_the_admin_form_refuses_internal_addresses_clearly(client, merchants, receiver, clock):
    await signed_in(client, clock)
    for url in ("http://127.0.0.1:8000/x", "http://2130706433/x", "https://[::1]/x", "http://localhost/x"):
        r = await post(client, "/admin/settings/webhooks?lang=en", {"url": url})
        assert r.status_code == 422 and "private network" in error_of(r, "url"), url
    ja = await post(client, "/admin/settings/webhooks?lang=ja", {"url": "http://10.0.0.8/x"})
    assert ja.status_code == 422 and "プライベート" in error_of(ja, "url")
    async with engine.read():
        assert await WebhookEndpoint.count() == 0


async def test_a_slow_endpoint_delays_only_its_own_merchant(merchants, settings, clock):
    """Merchant A's endpoint holds every answer; merchant B's delivery, due later, still arrives
    within a small bound while A's is in flight: once through deliver_due, once through the job."""
    slow, fast = Receiver(hold=True), Receiver()
    a, b = merchants["acme"][0], merchants["yamakaze"][0]
    allow = ["127.0.0.1"]
    try:
        await services.add_endpoint(a.id, slow.url, now=clock(), allow_internal=allow)
        await services.add_endpoint(b.id, fast.url, now=clock(), allow_internal=allow)
        await services.notify(a.id, "return.approved", {"n": 1}, order_id=None, now=clock())
        clock.advance(seconds=1)
        await services.notify(b.id, "return.approved", {"n": 2}, order_id=None, now=clock())

        async with outbound.client(allow=allow) as client:
            started = time.monotonic()
            sending = asyncio.create_task(services.deliver_due(client, now=clock()))
            await asyncio.to_thread(fast.arrived.wait, 5)
            b_after = time.monotonic() - started
            assert fast.received and not slow.received  # B delivered while A is still held
            assert b_after < 3.0
            slow.release.set()
            assert await asyncio.wait_for(sending, 15) == {"delivered": 2, "retry": 0, "dead": 0}

        # the background job: a round never waits for a slow send, and A never gets more than
        # rules.PER_ENDPOINT sends at once
        slow.release.clear()
        slow.arrived.clear()
        fast.arrived.clear()
        job_settings = dataclasses.replace(settings, allow_internal_hosts=tuple(allow))
        clock.advance(seconds=1)
        for n in range(4):
            await services.notify(a.id, "return.approved", {"n": 10 + n}, order_id=None, now=clock())
        await jobs.send_webhooks(job_settings, clock)
        await asyncio.to_thread(slow.arrived.wait, 5)
        await services.notify(b.id, "return.approved", {"n": 20}, order_id=None, now=clock())
        started = time.monotonic()
        dispatcher = jobs.dispatcher(job_settings)
        while not fast.arrived.is_set() and time.monotonic() - started < 5:
            await asyncio.wait_for(jobs.send_webhooks(job_settings, clock), 2)  # a round returns at once
            await asyncio.to_thread(fast.arrived.wait, 0.2)
        assert fast.arrived.is_set() and time.monotonic() - started < 3.0
        assert len(dispatcher.running[(await _endpoint_of(a.id))]) <= rules.PER_ENDPOINT
        slow.release.set()
        await asyncio.wait_for(jobs.finish_webhooks(job_settings, clock), 20)
        assert len(slow.received) == 5 and len(set(slow.received)) == 5 and len(fast.received) == 2
    finally:
        slow.close()
        fast.close()


async def _endpoint_of(merchant_id: int) -> int:
    async with engine.read():
        return (await WebhookEndpoint.select(WebhookEndpoint.id).where(WebhookEndpoint.merchant == merchant_id)
                .first())["id"]
