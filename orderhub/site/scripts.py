"""Our own scripts as one file: every page loads the same scripts in the same order (a boosted link
swaps only the body, so none may be page-specific; see layouts/base.html.jinja), and one request
instead of five saves a first visit their headers and compresses better.

`/assets/site.js?v=<content hash>` is the files of `SCRIPTS` (under static/js/) joined in order,
read once per process, cached by browsers for a year like every versioned static file.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from litestar import Controller, Response, get

JS = Path(__file__).resolve().parent.parent / "static" / "js"

#: in the order they must run: the behaviours registry first, then what registers into it
SCRIPTS = ("behaviours.js", "live.js", "staff.js", "feedback.js", "branding.js")


@cache
def bundle() -> bytes:
    return b"\n;\n".join((JS / name).read_bytes() for name in SCRIPTS)


@cache
def bundle_url() -> str:
    return f"/assets/site.js?v={hashlib.sha256(bundle()).hexdigest()[:10]}"


class ScriptsController(Controller):
    path = "/assets"

    @get("/site.js", name="site-js", include_in_schema=False)
    async def site_js(self) -> Response[bytes]:
        return Response(bundle(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
