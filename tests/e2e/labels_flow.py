"""What the browser tests of return labels share: a server whose label provider is a local fake, and
the owner choosing the provider in the admin."""

from __future__ import annotations

import re
from contextlib import contextmanager

from tests.e2e.conftest import start_server, stop_server
from tests.labels_support import serve_http


@contextmanager
def provider_server(provider):
    """A server whose label provider API is `provider` (tests.labels_support), on a loopback port."""
    url, stop_fake = serve_http(provider)
    server = start_server(extra_env={"ORDERHUB_LABELS_API_URL": url, "ORDERHUB_ALLOW_INTERNAL_HOSTS": "127.0.0.1"})
    try:
        yield server
    finally:
        stop_server(server)
        stop_fake()


def choose_label_provider(admin, server, provider: str, *, selects: dict[str, str] | None = None,
                          fills: dict[str, str] | None = None) -> None:
    """The signed-in owner saves `provider` on the labels settings page, with its fields."""
    admin.goto(f"{server.url}/admin/settings/labels?lang=ja")
    admin.select_option("#f-provider", provider)
    for name, value in (selects or {}).items():
        admin.select_option(f"#f-{name}", value)
    for name, value in (fills or {}).items():
        admin.fill(f"#f-{name}", value)
    admin.locator("#admin-labels form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"saved=1"))
