"""`orderhub serve` and `orderhub demo` share one default database, and the address served is allowed:
another port works without ORDERHUB_BASE_URL, and a host the server does not answer to gets an answer a
person can act on (a page in their language, or JSON for the API), never a bare refusal."""

from __future__ import annotations

import dataclasses

import httpx

from orderhub import cli
from orderhub.settings import DEFAULT_DATABASE_URL, Settings

SECRET = {"ORDERHUB_SECRET_KEY": "s" * 40}


def test_serve_and_demo_agree_on_the_database_without_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bare = Settings.from_env(SECRET)
    assert bare.database_url == DEFAULT_DATABASE_URL == "sqlite:///./orderhub.sqlite3"  # CONTRACT.md
    # `orderhub serve --port 8123` reads the same settings, with the port it serves
    served = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "127.0.0.1:8123"})
    assert served.database_url == bare.database_url
    # a data folder of its own keeps the secret elsewhere, not the database
    moved = Settings.from_env({**SECRET, "ORDERHUB_DATA_DIR": str(tmp_path / "data")})
    assert moved.database_url == bare.database_url
    print(cli.database_line(bare))
    assert f"database: {tmp_path / 'orderhub.sqlite3'}" in capsys.readouterr().out


def test_the_port_served_is_allowed_and_becomes_the_base_url():
    s = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "127.0.0.1:8123"})
    assert s.base_url == "http://127.0.0.1:8123"
    assert {"127.0.0.1:8123", "localhost:8123", "127.0.0.1", "localhost"} <= set(s.allowed_hosts)
    anywhere = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "0.0.0.0:9000"})
    assert anywhere.base_url == "http://127.0.0.1:9000" and "localhost:9000" in anywhere.allowed_hosts
    named = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "shop.local:8080"})
    assert "shop.local:8080" in named.allowed_hosts
    # a configured base URL wins for links; the served port stays allowed
    kept = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "127.0.0.1:8123", "ORDERHUB_BASE_URL": "https://hub.example"})
    assert kept.base_url == "https://hub.example" and "127.0.0.1:8123" in kept.allowed_hosts


async def _client(app, host: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}")


async def test_another_port_is_served_and_an_unknown_host_gets_a_helpful_answer(db, settings, clock):
    from orderhub.db import engine as db_engine
    from orderhub.site.app import create_app

    served = Settings.from_env({**SECRET, "ORDERHUB_LISTEN": "127.0.0.1:8123", "DATABASE_URL": settings.database_url,
                                "ORDERHUB_DATA_DIR": str(settings.data_dir)})
    served = dataclasses.replace(served, secret_key=settings.secret_key)
    app = create_app(served, clock=clock)
    db_engine.bind(db)
    for host in ("127.0.0.1:8123", "localhost:8123"):
        async with await _client(app, host) as c:
            r = await c.get("/lookup")
            assert r.status_code == 200, host
    async with await _client(app, "evil.example:8123") as c:
        page = await c.get("/lookup", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
        assert "evil.example:8123" in page.text and "http://127.0.0.1:8123" in page.text
        assert "ORDERHUB_ALLOWED_HOSTS" in page.text and "invalid host header" not in page.text
        ja = await c.get("/lookup", headers={"Accept": "text/html", "Accept-Language": "ja"})
        assert ja.status_code == 400 and "このアドレス" in ja.text
        api = await c.get("/api/v1/returns")
        assert api.status_code == 400
        assert api.json()["errors"][0]["code"] == "invalid_host" and "127.0.0.1:8123" in api.json()["errors"][0]["message"]
        hostile = await c.get("/lookup", headers={"Host": "<script>x</script>", "Accept": "text/html"})
        assert hostile.status_code == 400 and "<script>x" not in hostile.text
