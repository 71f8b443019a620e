"""The small safe markup merchants may use in their own words (bold, italic, links, lists, paragraphs),
cleaned by nh3 (the Rust `ammonia` sanitizer): every other tag is dropped with its attributes
(scripts and styles with their content), links keep only http(s) and mailto targets and get
rel="noopener noreferrer nofollow". No attribute but `href` survives: no `style`, no event
handlers, no `hx-*` or `data-hx-*` (docs/security.md, escaping and merchant content)."""

from __future__ import annotations

import nh3

TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}
#: what a merchant may type in one language of one section (before cleaning)
MAX_LENGTH = 2000


def clean(html: str) -> str:
    """Merchant markup -> safe HTML (a str, still to be marked safe by the caller)."""
    cleaned = nh3.clean(
        html, tags=TAGS, clean_content_tags={"script", "style"}, attributes=ATTRIBUTES, url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )
    return cleaned.strip()
