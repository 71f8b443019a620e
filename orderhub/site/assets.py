"""Every script a page runs, as one file: htmx and its two extensions (installed from the npm
registry into static/vendor/), then our own scripts. Every page loads the same scripts in the same
order (a boosted link swaps only the body, so none may be page-specific; see
layouts/base.html.jinja), and one request instead of eight saves a first visit their headers and
compresses better. A script only a few sections use (`ON_DEMAND`: push.js for "Notify me") is its
own versioned file, loaded by behaviours.js when a section naming it appears (`data-load-script`),
so a first visit of a page without that section never downloads it.

`/assets/site.js?v=<content hash>` is the files of `VENDOR` and `SCRIPTS` joined in order, read and
compressed once per process at the strongest settings (brotli 11, gzip 9: a cost paid once, not per
request; the app's compression layer skips /assets/), cached by browsers for a year like every
versioned static file.

Our stylesheets stay one file each (a page loads only the ones it uses) at their versioned URLs
(`/static/css/<name>.css?v=<content hash>`, app.static_url), but they too are read and compressed
once per process at those settings (`precompressed_css`, a middleware of the /static router) instead
of at brotli 4 on every request by the app's compression layer.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

import brotli
from litestar import Controller, Request, Response, get
from litestar.datastructures import Headers
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent.parent / "static"
JS = STATIC / "js"
VENDORED = STATIC / "vendor"

#: htmx first, then the extensions that register into it
VENDOR = ("htmx.min.js", "hx-head.min.js", "hx-sse.min.js")
#: in the order they must run: the behaviours registry first, then what registers into it
SCRIPTS = ("behaviours.js", "live.js", "staff.js", "feedback.js", "branding.js")
#: scripts loaded on demand, each its own versioned file: only a page section that needs one names it
#: (`data-load-script="{{ script_url('push') }}"`; behaviours.js loads it once and binds what it
#: registers). push.js: "Notify me", only where the notify panel offers browser notifications
ON_DEMAND = {"push": ("push.js",)}


def _files(name: str) -> list[Path]:
    if name == "site":
        return [VENDORED / n for n in VENDOR] + [JS / n for n in SCRIPTS]
    return [JS / n for n in ON_DEMAND[name]]


@cache
def bundle(name: str = "site") -> bytes:
    return b"\n;\n".join(path.read_bytes() for path in _files(name))


@cache
def encoded(encoding: str, name: str = "site") -> bytes:
    if encoding == "br":
        return brotli.compress(bundle(name), mode=brotli.MODE_TEXT, quality=11)
    if encoding == "gzip":
        return gzip.compress(bundle(name), compresslevel=9, mtime=0)
    return bundle(name)


@cache
def bundle_url() -> str:
    return script_url("site")


@cache
def script_url(name: str) -> str:
    """/assets/<name>.js?v=<content hash>: "site" (every page) or one of ON_DEMAND."""
    return f"/assets/{name}.js?v={hashlib.sha256(bundle(name)).hexdigest()[:10]}"


def accepted_encoding(header: str) -> str:
    """The best encoding of ours a client's Accept-Encoding allows: br, then gzip, else identity
    (an encoding listed with q=0 is refused, per RFC 9110)."""
    allowed = set()
    for item in header.lower().split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(q) > 0:
                allowed.add(name.strip())
        except ValueError:
            continue
    return next((e for e in ("br", "gzip") if e in allowed), "identity")


class AssetsController(Controller):
    path = "/assets"

    @get("/site.js", name="site-js", include_in_schema=False)
    async def site_js(self, request: Request) -> Response[bytes]:
        return _script(request, "site")

    @get("/push.js", name="push-js", include_in_schema=False)
    async def push_js(self, request: Request) -> Response[bytes]:
        return _script(request, "push")


def _script(request: Request, name: str) -> Response[bytes]:
    encoding = accepted_encoding(request.headers.get("accept-encoding", ""))
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return Response(encoded(encoding, name), media_type="application/javascript", headers=headers)


# -- our stylesheets: the same, each file by itself ------------------------------------------------

CSS = STATIC / "css"
_CSS_HEADERS = [(b"content-type", b"text/css; charset=utf-8"),
                (b"cache-control", b"public, max-age=31536000, immutable"), (b"vary", b"Accept-Encoding")]


@cache
def stylesheets() -> frozenset[str]:
    """The names of our stylesheets (static/css/*.css)."""
    return frozenset(path.name for path in CSS.glob("*.css"))


@cache
def _stylesheet(name: str, encoding: str) -> bytes:
    data = (CSS / name).read_bytes()
    if encoding == "br":
        return brotli.compress(data, mode=brotli.MODE_TEXT, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data


def stylesheet(name: str, encoding: str) -> bytes | None:
    """static/css/<name> read and compressed once per process (brotli 11, gzip 9), or None for
    anything that is not one of our stylesheets (nothing is kept for those)."""
    return _stylesheet(name, encoding) if name in stylesheets() else None


def precompressed_css(app: ASGIApp) -> ASGIApp:
    """Middleware of the /static router: a stylesheet of ours (`/static/css/<name>.css?v=<hash>`,
    static_url) is answered from `stylesheet`; every other file goes on to the static files."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        method = scope.get("method")
        if method in ("GET", "HEAD") and path.startswith("/static/css/") and path.endswith(".css"):
            headers = Headers.from_scope(scope)
            encoding = accepted_encoding(headers.get("accept-encoding", ""))
            body = stylesheet(path.removeprefix("/static/css/"), encoding)
            if body is not None:
                headers_out = [*_CSS_HEADERS, (b"content-length", str(len(body)).encode())]
                if encoding != "identity":
                    headers_out.append((b"content-encoding", encoding.encode()))
                start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 200,
                                                 "headers": headers_out}
                await send(start)
                body_event: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body if method == "GET" else b"",
                                                     "more_body": False}
                await send(body_event)
                return
        await app(scope, receive, send)

    return middleware
