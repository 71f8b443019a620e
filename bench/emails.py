"""Transactional emails: messages sent per second by the outbox worker (claim, render in the brand
and language, build multipart/alternative, send over SMTP, record) to a local aiosmtpd server, against
raw aiosmtplib sends of the same, already built message over one connection in the same run.

    .venv/bin/python bench/emails.py [--messages 300] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, free_port, postgres_url  # noqa: E402

sys.path.insert(0, str(ROOT))


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


async def run(database_url: str, n: int) -> dict:
    folder = tempfile.mkdtemp(prefix="orderhub-bench-emails-")
    env = {**os.environ, "DATABASE_URL": database_url, "ORDERHUB_DATA_DIR": folder,
           "ORDERHUB_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           "ORDERHUB_BASE_URL": "https://hub.shop.example"}
    os.environ.update(env)
    from aiosmtpd.controller import Controller

    from orderhub.cli import migrate
    from orderhub.db import engine
    from orderhub.db.clock import system_clock
    from orderhub.db.emails import rules
    from orderhub.db.emails.clients import SmtpSender
    from orderhub.db.emails.queries import OutgoingEmail
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.db.merchants import services as merchants
    from orderhub.db.merchants.tables import Merchant
    from orderhub.db.orders import services as orders
    from orderhub.emails.jobs import send_due
    from orderhub.emails.render import build_message
    from orderhub.settings import Settings

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = dataclasses.replace(Settings.from_env(env), smtp_url=f"smtp://127.0.0.1:{port}?starttls=off",
                                   smtp_from="orders@shop.example")
    await migrate(settings)
    db = engine.engine_for(settings)
    engine.bind(db)
    await engine.start(db, settings)
    clock = system_clock
    try:
        fixtures = ROOT.parent / "shared" / "fixtures"
        entry = json.loads((fixtures / "merchants.json").read_text())[0]
        await merchants.create_merchant(entry["slug"], entry["name"], locale=entry["locale"],
                                        currency=entry["currency"], timezone=entry["timezone"], now=clock())
        async with engine.write():
            await Merchant.update({Merchant.brand: entry["brand"], Merchant.support: entry["support"]}).where(
                Merchant.slug == entry["slug"])
            merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == entry["slug"]).first()
        body = json.loads((fixtures / "orders" / "jp_ship.json").read_text())
        key = settings.key_for("hub-token")
        t = time.perf_counter()
        for i in range(n):
            b = copy.deepcopy(body)
            b["number"] = f"YK-{300000 + i}"
            await orders.upsert_order(merchant, f"bench-{i}", b, token_key=key, now=clock())
        enqueue_s = time.perf_counter() - t

        # one message built the way the worker builds it, for the raw baseline and the render timing
        async with engine.read():
            row = OutgoingEmail.of(await EmailMessage.select().output(load_json=True).first())
        t = time.perf_counter()
        for _ in range(50):
            message = await build_message(row, settings, now=clock())
        render_ms = (time.perf_counter() - t) / 50 * 1000

        # baseline: the same message, raw aiosmtplib, one connection
        target = rules.parse_smtp_url(settings.smtp_url)
        t = time.perf_counter()
        async with SmtpSender(target) as send:
            for _ in range(n):
                await send(message)
        raw_rate = n / (time.perf_counter() - t)

        before = sink.count
        t = time.perf_counter()
        sent = 0
        while True:
            counts = await send_due(settings, clock)
            sent += counts["sent"]
            if not counts["sent"]:
                break
        worker_s = time.perf_counter() - t
        assert sent == n, (sent, n)
        deadline = time.monotonic() + 10
        while sink.count - before < n and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert sink.count - before == n
        return {"messages": n, "enqueue_per_s": n / enqueue_s, "render_ms": render_ms, "worker_per_s": n / worker_s,
                "raw_per_s": raw_rate, "size_bytes": len(message.as_bytes())}
    finally:
        await engine.stop(db)
        controller.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=300)
    p.add_argument("--postgres", action="store_true")
    args = p.parse_args()
    if args.postgres:
        with postgres_url() as url:
            result = asyncio.run(run(url, args.messages))
        engine_name = "PostgreSQL"
    else:
        folder = tempfile.mkdtemp(prefix="orderhub-bench-emails-db-")
        result = asyncio.run(run(f"sqlite:///{folder}/bench.sqlite3", args.messages))
        engine_name = "SQLite"
    print(f"transactional emails ({engine_name}, {result['messages']} order confirmations, ja, "
          f"{result['size_bytes']} bytes each, local aiosmtpd, one connection)")
    print(f"  orders written with their email row:  {result['enqueue_per_s']:8.0f} orders/s")
    print(f"  render + build one message:           {result['render_ms']:8.2f} ms")
    print(f"  outbox worker (claim, render, send, record): {result['worker_per_s']:8.0f} messages/s")
    print(f"  raw aiosmtplib, same message:         {result['raw_per_s']:8.0f} messages/s")
    print(f"  ratio worker / raw:                   {result['worker_per_s'] / result['raw_per_s']:8.2f}")


if __name__ == "__main__":
    main()
