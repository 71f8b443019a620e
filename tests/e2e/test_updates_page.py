"""The updates page in a browser (ja, en; phone, desktop): LINE's short code and the one SMS opt-in
form (site/hub/_sms.html.jinja, shared with the notify panel): "Text me" comes back to this page with
the SMS on; axe-core finds nothing; screenshots in docs/screenshots/."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, VIEWPORTS, start_server, stop_server

ENABLE_CHANNELS = """
import asyncio, datetime as dt
from orderhub.db import engine
from orderhub.db.channels import services
from orderhub.db.merchants.tables import Merchant
from orderhub.settings import Settings

async def main():
    settings = Settings.from_env()
    db = engine.engine_for(settings)
    engine.bind(db)
    await engine.start(db, settings)
    async with engine.read():
        merchants = await Merchant.select(Merchant.id)
    now = dt.datetime.now(dt.UTC)
    for m in merchants:
        await services.save_account(m["id"], "line", {"enabled": True, "events": ["shipment.delivered"],
            "channel_secret": "line-channel-secret-0123456789", "access_token": "line-access-token-abcdefghijklmnop"},
            secret_key=settings.secret_key, now=now)
        await services.save_account(m["id"], "sms", {"enabled": True, "events": ["shipment.delivered"],
            "account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "sms-auth-token-zyxwvutsrq",
            "sender": "+15005550006"}, secret_key=settings.secret_key, now=now)
    await engine.stop(db)

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def channels_server():
    s = start_server()
    subprocess.run([sys.executable, "-c", ENABLE_CHANNELS], env=s.env, check=True, capture_output=True, text=True,
                   cwd=ROOT)
    yield s
    stop_server(s)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_updates_page_line_code_and_the_sms_form(browser, channels_server, check_axe, shoot, viewport, lang):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a different order for each case, so each starts with text messages off
    tokens = [t for (slug, _), t in sorted(channels_server.tokens.items()) if slug == "yamakaze"]
    assert len(tokens) >= 4
    token = tokens[[("ja", "phone"), ("ja", "desktop"), ("en", "phone"), ("en", "desktop")].index((lang, viewport))]
    page.goto(f"{channels_server.url}/o/{token}/updates?lang={lang}")
    code = page.locator(".updates-code").inner_text()
    assert len(code.split()) == 2 and len(code.split()[1]) == 8
    check_axe(page)
    shoot(page, f"updates-{lang}-{viewport}")
    page.click("#updates-sms button[type=submit]")
    page.wait_for_selector("#updates-sms [role=status]:has-text('•••')")  # on, to the order's phone (masked)
    assert page.url.split("?")[0].endswith("/updates")
    assert page.locator("#updates-sms button.button--secondary").is_visible()
    check_axe(page)
    shoot(page, f"updates-sms-on-{lang}-{viewport}")
    assert errors == [], errors
    context.close()
