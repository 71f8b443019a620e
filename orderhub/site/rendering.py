"""Page-or-fragment rendering (docs/architecture.md, the htmx rules).

A URL a user can land on always returns the full page. The same route returns only the named
block when htmx asks for a partial (HX-Request: true and HX-Request-Type: partial, and not a
history restore). The decision looks only at those headers and the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import MediaType, Request
from litestar.response import Template

VARY = "HX-Request, HX-Request-Type"


def wants_partial(request: Request) -> bool:
    return is_partial(request.headers)


def is_partial(headers: Mapping[str, str]) -> bool:
    """The decision of `wants_partial` from the headers alone (the page cache asks before routing)."""
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-request-type") == "partial"
        and headers.get("hx-history-restore-request") != "true"
    )


def page(request: Request, template: str, block: str, context: dict[str, Any], *,
         status_code: int = 200, push_url: str | None = None, headers: dict[str, str] | None = None) -> Template:
    """The full page, or only `block` of it for an htmx partial request."""
    all_headers = {"Vary": VARY, **(headers or {})}
    if wants_partial(request):
        response: Template = HTMXBlockTemplate(
            template_name=template, block_name=block, context=context, status_code=status_code,
            push_url=push_url if push_url else None, media_type=MediaType.HTML,
        )
        response.headers.update(all_headers)
        return response
    # HTML said, not guessed from the template's name on every response (Litestar's default)
    return Template(template_name=template, context=context, status_code=status_code, headers=all_headers,
                    media_type=MediaType.HTML)
