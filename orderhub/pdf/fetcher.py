"""The only URL fetcher WeasyPrint ever gets (docs/security.md, PDFs).

It serves our own static files, pre-read from the package's static/ folder, under an `asset:`
scheme (`asset:css/print.css`, `asset:demo/x.jpg`), and small `data:` URIs. Everything else —
file://, http(s), ftp, loopback and link-local addresses — is refused before any I/O happens.
Redirects are never followed."""

from __future__ import annotations

import base64
import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()
MAX_DATA_URI = 64 * 1024
MAX_ASSET = 2 * 1024 * 1024
ASSET_TYPES = {".css", ".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"}


class Refused(ValueError):
    """WeasyPrint catches this, logs it and leaves the resource out."""


@lru_cache(maxsize=128)
def _read_asset(relative: str) -> tuple[bytes, str]:
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file() or path.suffix.lower() not in ASSET_TYPES:
        raise Refused(f"not one of our static files: {relative!r}")
    data = path.read_bytes()
    if len(data) > MAX_ASSET:
        raise Refused(f"static file too large: {relative!r}")
    return data, mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def asset_url(static_path: str) -> str:
    """'/static/demo/x.jpg' or 'demo/x.jpg' -> 'asset:demo/x.jpg' ('' for anything else)."""
    rel = static_path.split("?")[0].removeprefix("/static/").lstrip("/")
    try:
        _read_asset(rel)
    except Refused:
        return ""
    return f"asset:{rel}"


class StaticOnlyFetcher(URLFetcher):
    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("asset", "data"), allow_redirects=False,
                         fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ARG002
        scheme = url.split(":", 1)[0].lower()
        if scheme == "asset":
            rel = unquote(url[len("asset:"):]).split("?")[0].split("#")[0].lstrip("/")
            try:
                data, mime = _read_asset(rel)
            except Refused:
                self.refused.append(url[:200])
                raise
            return URLFetcherResponse(url, data, {"Content-Type": mime})
        if scheme == "data":
            return self._data(url)
        self.refused.append(url[:200])
        raise Refused(f"URL refused: {url[:100]!r}")

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URI:
            self.refused.append(url[:60])
            raise Refused("data: URI too large")
        header, _, payload = url[len("data:"):].partition(",")
        params = header.split(";")
        mime = params[0] or "text/plain"
        if ";base64" in f";{';'.join(params[1:])}":
            try:
                body = base64.b64decode(payload, validate=False)
            except ValueError as exc:
                raise Refused("bad data: URI") from exc
        else:
            body = unquote(payload).encode()
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    # urllib's OpenerDirector.open would bypass fetch(); keep every path through fetch()
    def open(self, url, data=None, timeout=None):  # noqa: ARG002
        full = url.full_url if hasattr(url, "full_url") else url
        return self.fetch(full)
