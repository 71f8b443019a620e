"""Receipt rendering: cold render, cached download, and the hub page's p99 while 20 new receipts
render at once (against its p99 when idle), on a demo server (uvicorn, loopback, temp SQLite).
Then, in-process, where the time of a three-line Japanese receipt goes (fonts).

    .venv/bin/python bench/receipts.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, demo_server  # noqa: E402

sys.path.insert(0, str(ROOT))


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def hub_latencies(client: httpx.AsyncClient, url: str, n: int, stop: asyncio.Event | None = None) -> list[float]:
    out = []
    while len(out) < n or (stop is not None and not stop.is_set()):
        t = time.perf_counter()
        r = await client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
        if stop is None and len(out) >= n:
            break
    return out


async def more_orders(env: dict, count: int) -> list[str]:
    """`count` new Japanese orders (copies of the fixture order) in the server's database."""
    import copy
    import datetime as dt
    import json

    from orderhub.db import engine
    from orderhub.db.merchants.tables import Merchant
    from orderhub.db.orders import services
    from orderhub.settings import Settings

    settings = Settings.from_env(env)
    db = engine.engine_for(settings)
    engine.bind(db)
    await engine.start(db, settings)
    try:
        body = json.loads((ROOT.parent / "shared" / "fixtures" / "orders" / "jp_ship.json").read_text())
        async with engine.read():
            merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == "yamakaze").first()
        tokens = []
        for i in range(count):
            b = copy.deepcopy(body)
            b["number"] = f"YK-B{i:05d}"
            ref = await services.upsert_order(merchant, f"bench-{i}", b, token_key=settings.key_for("hub-token"),
                                              now=dt.datetime.now(dt.UTC))
            tokens.append(ref.token)
        return tokens
    finally:
        await engine.stop(db)


async def server_part() -> None:
    with demo_server() as (base, tokens, env):
        fresh_orders = await more_orders(env, 40)
        orders = list(tokens.values())
        jp = [t for (m, _s), t in tokens.items() if m == "yamakaze"]
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            # start the worker pool (spawned processes, warm-up render) with a document we don't measure
            t = time.perf_counter()
            r = await client.get(f"/o/{jp[0]}/receipt.pdf?lang=en")
            assert r.status_code == 200, r.text[:300]
            first = time.perf_counter() - t
            cold, cached = [], []
            for token in jp[1:6]:
                t = time.perf_counter()
                r = await client.get(f"/o/{token}/receipt.pdf?lang=ja")
                cold.append(time.perf_counter() - t)
                assert r.status_code == 200
                t = time.perf_counter()
                r = await client.get(f"/o/{token}/receipt.pdf?lang=ja")
                cached.append(time.perf_counter() - t)
            print(f"receipt PDF, first request (pool start + render): {first * 1000:7.0f} ms")
            print(f"receipt PDF, cold render (new document), median:  {statistics.median(cold) * 1000:7.0f} ms  "
                  f"(n={len(cold)}, min {min(cold) * 1000:.0f}, max {max(cold) * 1000:.0f})")
            print(f"receipt PDF, cached download, median:             {statistics.median(cached) * 1000:7.1f} ms")

            hub = f"/o/{orders[0]}"
            await hub_latencies(client, hub, 20)
            idle = await hub_latencies(client, hub, 300)
            # 20 documents nobody has rendered yet, all at once
            fresh = [(t, "ja") for t in fresh_orders[:20]]
            t0 = time.perf_counter()
            alone = await asyncio.gather(*(client.get(f"/o/{t}/receipt.pdf") for t in fresh_orders[20:]))
            assert all(r.status_code == 200 for r in alone)
            print(f"20 new receipts at once, no other load:            {time.perf_counter() - t0:7.1f} s")
            stop = asyncio.Event()

            async def burst():
                t0 = time.perf_counter()
                rs = await asyncio.gather(*(client.get(f"/o/{t}/receipt.pdf?lang={lang}") for t, lang in fresh))
                stop.set()
                return time.perf_counter() - t0, [r.status_code for r in rs]

            async with httpx.AsyncClient(base_url=base, timeout=60) as hub_client:
                (elapsed, codes), busy = await asyncio.gather(burst(), hub_latencies(hub_client, hub, 50, stop))
            print(f"hub page p99 idle:                                 {p99(idle):7.1f} ms  (n={len(idle)})")
            print(f"hub page p99 while {len(fresh)} new receipts render:       {p99(busy):7.1f} ms  (n={len(busy)}; "
                  f"the 20 took {elapsed:.1f} s, statuses {sorted(set(codes))})")


def font_part() -> None:
    """In-process: a three-line Japanese receipt, rendered with different font set-ups."""
    import datetime as dt
    from decimal import Decimal
    from types import SimpleNamespace

    from orderhub.components import i18n
    from orderhub.db.orders.queries import BrandView, LineView
    from orderhub.pdf import worker
    from orderhub.site.app import template_environment
    from orderhub.site.hub.routes import brand_css
    from orderhub.site.receipts import presenter

    merchant = SimpleNamespace(
        name="山風アウトドア", legal_name="株式会社山風アウトドア", slug="yamakaze", version=1,
        tax_registration_number="T9234567890123", support={"phone": "03-1234-5678"},
        address={"country": "JP", "postal_code": "150-0041", "region": "東京都", "city": "渋谷区", "line1": "神南1-2-3"},
        brand={"font": "noto-sans-jp"}, storefront_url="", locale="ja-JP", timezone="Asia/Tokyo",
        policy={}, currency="JPY",
    )
    brand = BrandView.of(merchant)
    lines = [LineView("L1", "トレイルランナー GTX", "26.5cm / ブルー", 1, 13200, 0, 13200, Decimal("0.10"), False, "", "p1"),
             LineView("L2", "行動食バー 12本セット", "ミックス", 2, 1080, 0, 2160, Decimal("0.08"), False, "", "p2"),
             LineView("L3", "メリノウール ソックス", "M / グレー", 1, 2200, 0, 2200, Decimal("0.10"), True, "", "p3")]
    order = SimpleNamespace(
        id=1, number="YK-100234", placed_at=dt.datetime(2026, 11, 16, 3, tzinfo=dt.UTC), currency="JPY",
        timezone="Asia/Tokyo", prices_include_tax=True, lines=lines, discounts=[], subtotal_minor=17560,
        discount_minor=0, shipping_minor=0, tax_minor=1560, total_minor=17560,
        tax_by_rate={Decimal("0.10"): (15400, 1400), Decimal("0.08"): (2160, 160)},
        payment={"method": "card", "brand": "visa", "last4": "4242"}, version=1, cancelled=False,
    )
    hub = SimpleNamespace(merchant=merchant, brand=brand, order=order, token="x")
    receipt = SimpleNamespace(number=1, formal=False, addressee="", purpose="")
    env = template_environment()
    i18n.set_language("ja")
    html = env.get_template("site/receipts/receipt.html.jinja").render(
        **presenter.receipt_context(hub, receipt, pdf=True, reissue=False, lang="ja"))
    i18n.set_language("en")
    html_en = env.get_template("site/receipts/receipt.html.jinja").render(
        **presenter.receipt_context(hub, receipt, pdf=True, reissue=False, lang="en"))
    latin_only = html_en
    for ln in lines:  # an English receipt with Latin text only
        latin_only = latin_only.replace(ln.title, "Trail item").replace(ln.variant, "M / Grey")
    latin_only = latin_only.replace("山風アウトドア", "Yamakaze").replace("株式会社", "").replace("※", "*")
    brand_only = brand_css(brand)
    variants = {
        "brand font stack (fallback chain), regular + bold": (html, brand_only + "body.doc--pdf{font-family:var(--brand-font)}"),
        "one family (Noto Sans CJK JP), regular + bold": (html, brand_only + 'body.doc--pdf{font-family:"Noto Sans CJK JP"}'),
        "shipped: one family, one weight (presenter.pdf_css)": (html, presenter.pdf_css(hub)),
        "no CJK font: the same receipt in Latin text, DejaVu Sans": (
            latin_only,
            brand_only + 'body.doc--pdf{font-family:"DejaVu Sans"}',
        ),
    }
    worker.render_pdf("<p>warm-up 領収書</p>", "")
    print("\nthree-line Japanese receipt, in-process render (warm process), median of 7:")
    for label, (doc, css) in variants.items():
        times, size = [], 0
        for _ in range(7):
            pdf, _refused, seconds = worker.render_pdf(doc, css)
            times.append(seconds)
            size = len(pdf)
        print(f"  {label:58} {statistics.median(times) * 1000:6.0f} ms  {size / 1024:6.0f} KiB")
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    worker.render_pdf(html, presenter.pdf_css(hub))
    prof.disable()
    print("\nwhere the time goes (after), top cumulative:")
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative")
    for func, (_cc, _nc, _tt, ct, _callers) in sorted(stats.stats.items(), key=lambda kv: -kv[1][3])[:40]:
        name = f"{Path(func[0]).name}:{func[2]}"
        if any(k in name for k in ("subset", "write_pdf", "layout", "draw", "fonts", "render", "build", "_w_", "parse", "css")):
            print(f"  {ct * 1000:7.0f} ms  {name}")


def main() -> None:
    import os

    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    font_part()
    if "--fonts-only" in sys.argv:
        return
    asyncio.run(server_part())


if __name__ == "__main__":
    main()
