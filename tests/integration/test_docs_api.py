"""docs/api.md agrees with the app: every path and method of the served OpenAPI document is named in
it, and it names no route (no `/api/` or `/webhooks/` path at all) that the app does not serve.

A route is named in docs/api.md as a code span `METHOD /path` (several methods may share one span:
`GET POST /lookup`), with the path parameters spelled as the app spells them (`{return_id}`)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = {"GET", "PUT", "POST", "PATCH", "DELETE"}
#: `GET /path` or `GET POST /path` inside backticks
NAMED_ROUTE = re.compile(r"`((?:(?:GET|PUT|POST|PATCH|DELETE) )+)(/[^`\s]*)`")
#: every whole path written anywhere in the page (prose, tables, examples, absolute URLs)
WHOLE_PATH = re.compile(r"(?<![\w./{}\-])(?:https?://[^/\s`'\"]+)?(/[A-Za-z0-9_.{}\-]+(?:/[A-Za-z0-9_.{}\-]+)*)")
#: prefixes the page may name as such ("everything under /api/v1")
PREFIXES = {"/api", "/api/v1", "/webhooks"}


def named_routes(text: str) -> set[tuple[str, str]]:
    return {(method, path.split("?")[0]) for methods, path in NAMED_ROUTE.findall(text) for method in methods.split()}


def template(path: str) -> re.Pattern[str]:
    """A served path ("/api/v1/returns/{return_id}") as a pattern concrete examples also match."""
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def app_routes(app) -> set[tuple[str, str]]:
    """Every method and path the app serves, OpenAPI or not (`{id:int}` written `{id}`)."""
    return {
        (method, re.sub(r"\{([^}:]+):[^}]+\}", r"{\1}", route.path))
        for route in app.routes
        for method in set(getattr(route, "methods", ())) & METHODS
    }


async def openapi_routes(client) -> set[tuple[str, str]]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return {(method.upper(), path) for path, item in response.json()["paths"].items()
            for method in item if method.upper() in METHODS}


async def test_every_route_of_the_openapi_document_is_in_docs_api(client):
    documented = await openapi_routes(client)
    assert any(path.startswith("/api/v1/") for _, path in documented)
    missing = sorted(documented - named_routes(DOC.read_text()))
    assert not missing, "docs/api.md does not name: " + ", ".join(f"{m} {p}" for m, p in missing)


async def test_docs_api_names_only_routes_the_app_serves(app, client):
    text = DOC.read_text()
    served = app_routes(app)
    unknown = sorted(named_routes(text) - served)
    assert not unknown, "docs/api.md names routes the app does not serve: " + ", ".join(f"{m} {p}" for m, p in unknown)

    patterns = [template(path) for _, path in served]
    paths = {p.rstrip(".") for p in WHOLE_PATH.findall(text) if p.startswith(("/api/", "/webhooks/"))} - PREFIXES
    assert any(p.startswith("/webhooks/") for p in paths) and any(p.startswith("/api/v1/") for p in paths)
    strays = sorted(p for p in paths if not any(pattern.match(p) for pattern in patterns))
    assert not strays, "docs/api.md names paths the app does not serve: " + ", ".join(strays)
