"""Language-preserving URLs: the one helper that adds `?lang=` (or `&lang=`) to a link.

A visitor who picked a language in the URL keeps it on every link, form action and redirect of
the page; without such a choice the link stays bare, so the order's and the browser's language
decide. Exposed to templates as `href(...)`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from orderhub.components.i18n import chosen_language


def href(path: str, /, **params: object) -> str:
    """href("/admin/users") -> "/admin/users?lang=ja" when ja was chosen; extra params are
    added (None values dropped), an existing query string is kept."""
    if not params and path[:1] == "/" and path[1:2] != "/" and "?" not in path and "#" not in path:
        lang = chosen_language()  # a plain path (the common case): the same answer, without parsing it
        return f"{path}?{urlencode([('lang', lang)])}" if lang else path
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    query += [(k, str(v)) for k, v in params.items() if v is not None and k != "lang"]
    lang = chosen_language()
    if lang:
        query.append(("lang", lang))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def lookup_url(base_url: str, merchant_slug: str, *, lang: str | None = None) -> str:
    """The merchant's branded order lookup, absolute: where a shopper whose hub link does not open
    finds the order by number and email (`/lookup?merchant=slug`, the email's language when given).
    The links API and every shopper email's footer answer this one URL."""
    query = [("merchant", merchant_slug)] + ([("lang", lang)] if lang else [])
    return f"{base_url}/lookup?{urlencode(query)}"
