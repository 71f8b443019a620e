"""For bench/suite.py's wrk scripts, from the database of DATABASE_URL: `paths.txt` (hub paths of up
to 2,000 orders) and `parcels.txt` ("api_key carrier tracking_number" of up to 2,000 shipments).

    python bench/export_lists.py FOLDER   (BENCH_KEYS: {"merchant slug": "api key", ...} as JSON)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderhub.db import engine  # noqa: E402
from orderhub.db.orders.tables import Order  # noqa: E402
from orderhub.db.tokens import hub_token  # noqa: E402
from orderhub.settings import Settings  # noqa: E402


async def main(folder: Path) -> None:
    settings = Settings.from_env()
    db = engine.engine_for(settings)
    engine.bind(db)
    await engine.start(db, settings)
    key = settings.key_for("hub-token")
    keys = json.loads(os.environ["BENCH_KEYS"])
    async with engine.read():
        orders = await Order.raw("SELECT key, token_generation FROM orders ORDER BY id LIMIT 2000")
        parcels = await Order.raw("SELECT m.slug, s.carrier, s.tracking_number FROM shipments s "
                                  "JOIN merchants m ON m.id = s.merchant ORDER BY s.id LIMIT 2000")
    await engine.stop(db)
    (folder / "paths.txt").write_text("".join(f"/o/{hub_token(key, o['key'], o['token_generation'])}\n"
                                              for o in orders))
    (folder / "parcels.txt").write_text("".join(f"{keys[p['slug']]} {p['carrier']} {p['tracking_number']}\n"
                                                for p in parcels))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
