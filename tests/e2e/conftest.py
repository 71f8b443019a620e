"""Browser suite: a live server with the demo data, Playwright driving Debian's chromium.

Fixtures: `server` (url, token(merchant, state), api_key(slug), webhook_secret(slug), env),
`open_page(path, viewport="phone"|"desktop", lang="ja"|"en", javascript=True)`,
`check_axe(page)` (zero violations, WCAG 2.2 AA tags), `shoot(page, name)` (docs/screenshots/<name>.png).
A missing chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "orderhub" / "static" / "vendor" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    env: dict
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def token(self, merchant: str, state: str) -> str:
        return self.tokens[(merchant, state)]

    def api_key(self, slug: str) -> str:
        return self.api_keys[slug]

    def webhook_secret(self, slug: str) -> str:
        return self.secrets[slug]

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "orderhub.cli", *args], env=self.env, input=input,
                              capture_output=True, text=True, check=True, cwd=ROOT)


def start_server(workers: int = 1, database_url: str | None = None, extra_env: dict | None = None) -> Server:
    folder = tempfile.mkdtemp(prefix="orderhub-e2e-")
    port = free_port()
    env = {**os.environ,
           "DATABASE_URL": database_url or f"sqlite:///{folder}/orderhub.sqlite3",
           "ORDERHUB_DATA_DIR": folder,
           "ORDERHUB_SECRET_KEY": "e2e-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           "ORDERHUB_BASE_URL": f"http://127.0.0.1:{port}",
           "ORDERHUB_SECURE_COOKIES": "0", **(extra_env or {})}
    server = Server(url=f"http://127.0.0.1:{port}", env=env)
    server.log = Path(folder) / "server.log"  # type: ignore[attr-defined]
    demo = server.cli("demo")
    for line in demo.stdout.splitlines():
        m = re.match(r"\s+(\S+)\s+(\S+)\s+http://[^/]+/o/(\S+)$", line)
        if m:
            server.tokens.setdefault((m.group(1), m.group(2)), m.group(3))  # the first order in each state
        m = re.match(r"\s+(\S+)\s+api_key=(\S+) webhook_secret=(\S+)$", line)
        if m:
            server.api_keys[m.group(1)] = m.group(2)
            server.secrets[m.group(1)] = m.group(3)
    assert server.tokens, f"orderhub demo printed no hub URLs:\n{demo.stdout}\n{demo.stderr}"
    log = open(Path(folder) / "server.log", "w")
    server.process = subprocess.Popen(
        [sys.executable, "-m", "orderhub.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server.url}/lookup", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {(Path(folder) / 'server.log').read_text()[-3000:]}")
        time.sleep(0.1)


def stop_server(server: Server) -> None:
    if server.process and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()


@pytest.fixture(scope="session")
def server():
    s = start_server()
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed: run `make test-deps`"
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


@contextmanager
def pages_of(browser, server):
    """Opens pages of `server` in a new browser context each (viewport phone or desktop, page
    language, JavaScript on or off, `on_request` told of every request), collecting console errors;
    closes them all at the end."""
    contexts = []

    def _open(path: str, viewport: str = "phone", lang: str = "ja", javascript: bool = True, on_request=None):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="ja-JP" if lang == "ja" else "en-US",
            java_script_enabled=javascript, extra_http_headers={"Accept-Language": "ja" if lang == "ja" else "en"},
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        if on_request is not None:  # every request the page makes, from its first
            page.on("request", on_request)
        sep = "&" if "?" in path else "?"
        url = path if path.startswith("http") else f"{server.url}{path}"
        if "lang=" not in url:
            url = f"{url}{sep}lang={lang}"
        page.goto(url)
        return page

    try:
        yield _open
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def open_page(browser, server):
    with pages_of(browser, server) as _open:
        yield _open


@pytest.fixture(scope="session")
def check_axe():
    source = AXE.read_text()

    def _check(page) -> None:
        page.evaluate(source)  # through the devtools protocol: not blocked by the page's CSP
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not problems, "axe-core violations on " + page.url + ":\n" + "\n".join(problems)

    return _check


@pytest.fixture(scope="session")
def shoot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
