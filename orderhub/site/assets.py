"""Every script a page runs, as one file: htmx and its two extensions (installed from the npm
registry into static/vendor/), then our own scripts. Every page loads the same scripts in the same
order (a boosted link swaps only the body, so none may be page-specific; see
layouts/base.html.jinja), and one request instead of eight saves a first visit their headers and
compresses better.

`/assets/site.js?v=<content hash>` is the files of `VENDOR` and `SCRIPTS` joined in order, read and
compressed once per process at the strongest settings (brotli 11, gzip 9: a cost paid once, not per
request; the app's compression layer skips /assets/), cached by browsers for a year like every
versioned static file.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

import brotli
from litestar import Controller, Request, Response, get

STATIC = Path(__file__).resolve().parent.parent / "static"
JS = STATIC / "js"
VENDORED = STATIC / "vendor"

#: htmx first, then the extensions that register into it
VENDOR = ("htmx.min.js", "hx-head.min.js", "hx-sse.min.js")
#: in the order they must run: the behaviours registry first, then what registers into it
SCRIPTS = ("behaviours.js", "live.js", "staff.js", "feedback.js", "branding.js", "push.js")


@cache
def bundle() -> bytes:
    files = [VENDORED / name for name in VENDOR] + [JS / name for name in SCRIPTS]
    return b"\n;\n".join(path.read_bytes() for path in files)


@cache
def encoded(encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(bundle(), mode=brotli.MODE_TEXT, quality=11)
    if encoding == "gzip":
        return gzip.compress(bundle(), compresslevel=9, mtime=0)
    return bundle()


@cache
def bundle_url() -> str:
    return f"/assets/site.js?v={hashlib.sha256(bundle()).hexdigest()[:10]}"


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
        encoding = accepted_encoding(request.headers.get("accept-encoding", ""))
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        return Response(encoded(encoding), media_type="application/javascript", headers=headers)
