"""Scale-out on PostgreSQL: two app processes (each with its jobs process, as `orderhub serve` runs by
default) plus one `orderhub jobs` process, all on one database. A tracking event ingested by one
process reaches a live page held open on the other, the other's cached page changes at once, and
every email and webhook is sent exactly once although three job runners compete for them.

PostgreSQL only (SQLite is one host's file; its live updates stay in one process): the SQLite pass
deselects this module, the PostgreSQL pass of `make test` runs it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from orderhub.db import engine
from orderhub.db.emails import rules as email_rules
from orderhub.db.emails import services as email_services
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.outbox import rules as hook_rules
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from tests.conftest import bearer
from tests.emails_support import free_port, smtp_server  # noqa: F401 (fixture)
from tests.tracking_support import events_body, shipment_body

pytestmark = pytest.mark.pg
ROOT = Path(__file__).resolve().parent.parent.parent


class Receiver:
    """A merchant's webhook endpoint on loopback, counting what arrives by event id."""

    def __init__(self) -> None:
        self.received: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(json.loads(body)["id"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "orderhub.cli", *args], env=env, cwd=ROOT,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)


def _wait_until(check, what: str, timeout: float = 60.0, explain=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f": {explain()}" if explain else ""))


@pytest.fixture
def cluster(db, merchants, orders, smtp_server, tmp_path):  # noqa: F811 (the fixture)
    """Two app servers and one jobs process; yields their base URLs."""
    env = {**os.environ, "ORDERHUB_SMTP_URL": smtp_server.url, "ORDERHUB_SMTP_FROM": "orders@orderhub.example",
           "ORDERHUB_PAGE_CACHE_ENTRIES": "100", "ORDERHUB_ALLOW_INTERNAL_HOSTS": "127.0.0.1"}
    procs, bases = [], []
    for i in range(2):
        port = free_port()
        bases.append(f"http://127.0.0.1:{port}")
        procs.append(_start(["serve", "--host", "127.0.0.1", "--port", str(port)],
                            {**env, "ORDERHUB_BASE_URL": bases[-1]}, tmp_path / f"app{i}.log"))
    procs.append(_start(["jobs"], env, tmp_path / "jobs.log"))
    try:
        for base, proc in zip(bases, procs, strict=False):
            def up(base=base, proc=proc):
                assert proc.poll() is None, (tmp_path / "app0.log").read_text()[-2000:]
                try:
                    return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False
            _wait_until(up, f"{base} to answer")
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        stuck = []
        for proc, log in zip(procs, ("app0", "app1", "jobs"), strict=True):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                stuck.append(log)
                proc.kill()
                proc.wait()
    # every process stops on SIGTERM (a server's jobs once held the pool its pages had closed)
    assert not stuck, {log: (tmp_path / f"{log}.log").read_text()[-2000:] for log in stuck}


async def _sse_until(url: str, ready: asyncio.Event, want: str) -> str:
    async with httpx.AsyncClient(timeout=30) as client, client.stream("GET", url) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line == "event: ready":
                ready.set()
            elif line.startswith("event: ") and line[7:] in want.split("|"):
                return line[7:]
    raise AssertionError("the stream ended without the event")


async def test_two_processes_and_a_jobs_process_share_live_updates_caches_and_jobs(
        cluster, merchants, orders, smtp_server, clock):  # noqa: F811 (the fixture)
    first, second = cluster
    merchant, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    receiver = Receiver()
    await outbox.add_endpoint(merchant.id, receiver.url, now=clock(), allow_internal=["127.0.0.1"])
    async with httpx.AsyncClient(timeout=30) as client:
        # the second process renders and keeps the tracking page
        page = f"{second}/o/{token}/tracking?lang=en"
        assert "Not shipped yet" in (await client.get(page)).text
        assert "Not shipped yet" in (await client.get(page)).text
        # a live page held open on the second process; the shipment and its scans arrive at the first
        ready = asyncio.Event()
        live = asyncio.create_task(_sse_until(f"{second}/o/{token}/tracking/events", ready, "update|final"))
        await asyncio.wait_for(ready.wait(), 30)
        r = await client.put(f"{first}/api/v1/orders/jp_ship/shipments/S1", json=shipment_body(),
                             headers=bearer(key))
        assert r.status_code in (200, 201)
        assert await asyncio.wait_for(live, 30) in ("update", "final")
        r = await client.post(f"{first}/api/v1/tracking-events", json=events_body(), headers=bearer(key))
        assert r.status_code == 202 and r.json()["accepted"] > 0
        # the second process's cached page is not served any more
        after = (await client.get(page)).text
        assert "Not shipped yet" not in after and "Delivered" in after

    async def settled():
        async with engine.read():
            emails = await EmailMessage.select(EmailMessage.id, EmailMessage.state)
            hooks = await WebhookDelivery.select(WebhookDelivery.event_id, WebhookDelivery.state)
        # a message may wait for the merchant's sending hours (quiet hours in the shopper's night)
        due = await email_services.due(dt.datetime.now(dt.UTC))
        return emails, hooks, due

    def done():
        emails, hooks, due = asyncio.run_coroutine_threadsafe(settled(), loop).result()
        busy = due + [e for e in emails if e["state"] == email_rules.SENDING] + \
            [h for h in hooks if h["state"] in (hook_rules.PENDING, hook_rules.SENDING)]
        return (emails, hooks) if emails and hooks and not busy else None

    loop = asyncio.get_running_loop()
    emails, hooks = await asyncio.to_thread(
        _wait_until, done, "every email and webhook to be sent",
        explain=lambda: asyncio.run_coroutine_threadsafe(settled(), loop).result())
    # one more round of every job, by a fourth runner: nothing is left to send twice
    subprocess.run([sys.executable, "-m", "orderhub.cli", "jobs", "--once"], cwd=ROOT, check=True,
                   env={**os.environ, "ORDERHUB_SMTP_URL": smtp_server.url, "ORDERHUB_ALLOW_INTERNAL_HOSTS": "127.0.0.1",
                        "ORDERHUB_SMTP_FROM": "orders@orderhub.example"}, capture_output=True)
    emails, hooks, _ = await settled()  # as they are now, after that round too
    sent = [e for e in emails if e["state"] == email_rules.SENT]
    assert sent  # what was due went out (the rest waits for the merchant's sending hours)
    assert len(smtp_server.wait_for(len(sent))) == len(sent)
    delivered = sorted(h["event_id"] for h in hooks if h["state"] == hook_rules.DELIVERED)
    assert delivered and sorted(receiver.received) == delivered  # each webhook once, none twice
    assert len(set(receiver.received)) == len(receiver.received)
    assert len(smtp_server.messages) == len(sent)
    receiver.server.shutdown()
