"""Browser notifications in chromium: "Notify me" subscribes (notifications permission granted), the
subscription is stored, a carrier event arrives through the API, and the server's job sends a
VAPID-signed, encrypted request to a local push endpoint that this browser's keys decrypt.

Chromium's own push service is unreachable here, so `PushManager.subscribe` answers with a
subscription pointing at the local endpoint, with keys the test holds (as a browser would)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.e2e.conftest import ROOT, VIEWPORTS, start_server, stop_server
from tests.push_support import Browser, vapid_claims

ENABLE_PUSH = """
import asyncio, datetime as dt
from orderhub.db import engine
from orderhub.db.channels import rules, services
from orderhub.db.merchants.tables import Merchant
from orderhub.settings import Settings

async def main():
    settings = Settings.from_env()
    db = engine.engine_for(settings)
    engine.bind(db)
    await engine.start(db, settings)
    async with engine.read():
        merchants = await Merchant.select(Merchant.id)
    for m in merchants:
        await services.save_account(m["id"], "push", {"enabled": True, "events": list(rules.EVENTS)},
                                    secret_key=settings.secret_key, now=dt.datetime.now(dt.UTC))
    await engine.stop(db)

asyncio.run(main())
"""

FAKE_PUSH_MANAGER = """
(() => {
  const fake = %s;
  let current = null;
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
  PushManager.prototype.subscribe = function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.__ohServerKey = btoa(String.fromCharCode.apply(null, key))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    current = { endpoint: fake.endpoint, toJSON() { return fake; },
                unsubscribe() { current = null; return Promise.resolve(true); } };
    return Promise.resolve(current);
  };
})();
"""


class PushEndpoint:
    """A push service on loopback: records each request (headers and body) and answers 201."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.arrived = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["content-length"]))
                endpoint.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                endpoint.arrived.set()
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/push/e2e-browser"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def push_server():
    s = start_server(extra_env={"ORDERHUB_ALLOW_INTERNAL_HOSTS": "127.0.0.1"})
    subprocess.run([sys.executable, "-c", ENABLE_PUSH], env=s.env, check=True, capture_output=True, text=True,
                   cwd=ROOT)
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def endpoint():
    e = PushEndpoint()
    yield e
    e.close()


def _page(browser, server, fake_browser: Browser, viewport: str, lang: str):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US")
    context.grant_permissions(["notifications"], origin=server.url)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(fake_browser.subscription()))
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return context, page


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_panel_and_notify_me(browser, push_server, endpoint, check_axe, shoot, viewport, lang):
    context, page = _page(browser, push_server, Browser(endpoint.url), viewport, lang)
    page.goto(f"{push_server.url}/o/{push_server.token('yamakaze', 'shipped')}/tracking?lang={lang}")
    page.wait_for_selector("[data-push]:not([hidden])")
    assert page.locator("#notify-panel h2").inner_text() == ("お知らせの受け取り方" if lang == "ja"
                                                             else "How should we tell you?")
    check_axe(page)
    shoot(page, f"notify-panel-{lang}-{viewport}")
    assert page.console_errors == [], page.console_errors
    context.close()


def test_without_javascript_notify_me_stays_hidden(browser, push_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{push_server.url}/o/{push_server.token('yamakaze', 'shipped')}/tracking?lang=en")
    assert page.is_visible("#notify-panel") and not page.is_visible("[data-push]")
    context.close()


def test_notify_me_subscribes_and_a_carrier_event_is_pushed(browser, push_server, endpoint, check_axe, shoot):
    fake = Browser(endpoint.url)
    context, page = _page(browser, push_server, fake, "phone", "en")
    token = push_server.token("acme", "delayed")
    page.goto(f"{push_server.url}/o/{token}/tracking?lang=en")
    page.click("[data-push]")
    page.wait_for_selector('#notify-panel [data-channel="push"][data-on="true"]', timeout=10_000)
    assert "On · in 1 browser" in page.inner_text("#notify-panel")
    public_key = httpx.get(f"{push_server.url}/push/vapid-public-key", timeout=5).text
    assert page.evaluate("window.__ohServerKey") == public_key  # subscribed with the server's VAPID key
    assert page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => !!r)")
    page.wait_for_selector("[data-push]", state="hidden")  # this browser gets them already
    assert page.is_visible('#notify-panel [data-channel="push"] button[type="submit"]')
    check_axe(page)
    shoot(page, "notify-panel-subscribed-en-phone")

    event = {"id": "e2e-push-1", "status": "delivered", "location": "Front door", "message": "Delivered",
             "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    answer = httpx.post(f"{push_server.url}/api/v1/tracking-events", timeout=10,
                        headers={"Authorization": f"Bearer {push_server.api_key('acme')}"},
                        json={"carrier": "ups", "tracking_number": "1Z999AA10123456784", "events": [event]})
    assert answer.status_code == 202, answer.text
    assert endpoint.arrived.wait(30), "the server sent nothing to the push endpoint"
    headers, body = endpoint.requests[0]
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == public_key
    claims = vapid_claims(fields["t"], public_key)
    assert claims["aud"] == endpoint.url.rsplit("/push/", 1)[0] and claims["sub"].startswith("mailto:")
    assert headers["content-encoding"] == "aes128gcm"
    shown = fake.decrypt(body)
    assert shown["url"] == f"{push_server.url}/o/{token}/tracking" and shown["lang"] == "en"
    assert "delivered" in shown["body"]

    # one tap turns it off: the row is removed, the panel says so
    page.click('#notify-panel [data-channel="push"] button[type="submit"]')
    page.wait_for_selector('#notify-panel [data-channel="push"][data-on="false"]', timeout=10_000)
    assert page.console_errors == [], page.console_errors
    context.close()
