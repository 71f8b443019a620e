"""The shop's own words and addresses for the page's language, as Jinja globals (pages and emails).

`shop_text(texts, field, default)` is orderhub.db.texts.pick for the current language: a `Localized`
that prints as its text and knows whether it stands in for the page's language (the
`shop_text.html.jinja` macro then marks it). `address(a, name=...)` is orderhub.db.addresses for the
current language. Both read the language when called, never before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orderhub.components.i18n import current_language, gettext
from orderhub.db import addresses, texts


def shop_text(texts_map: Mapping[str, Any] | None, field: str, default: Any = "") -> texts.Localized:
    return texts.pick(texts_map, field, current_language(), default)


def address(value: Mapping[str, Any] | None, name: str = "", country: bool | None = None,
            honorific: bool = True) -> addresses.FormattedAddress:
    return addresses.format_address(value, current_language(), name=name, country=country, honorific=honorific)


def plain(t: texts.Localized) -> str:
    """A Localized as plain text (emails, PDFs, subjects): a text in the other language says so in
    words, since plain text has no lang attribute; never silently."""
    if not t.fallback:
        return str(t)
    return f"{t} {gettext('(Japanese only)') if t.lang == 'ja' else gettext('(English only)')}"


def words(texts_map: Mapping[str, Any] | None, field: str, default: Any = "") -> str:
    """One of the shop's texts in the current language as plain text (a list joined with commas)."""
    return plain(shop_text(texts_map, field, default))


def named(thing: texts.Named | str) -> str:
    """A Named's name in the current language (a plain string stays as it is)."""
    return words(thing.texts, "name", thing.name) if isinstance(thing, texts.Named) else str(thing)


def item_words(item: Any, lines: list[Any]) -> tuple[str, str]:
    """(title, variant) of an item of an order (a returned item, a document line: anything with a
    `line_id`, `title` and `variant`) in the current language, from its order line's texts."""
    line = next((ln for ln in lines if ln.line_id == item.line_id), None)
    return line_words(line) if line is not None else (item.title, item.variant)


def line_words(line: Any) -> tuple[str, str]:
    """(title, variant) of an order line (LineView) in the current language, as plain text."""
    lang = current_language()
    return (plain(texts.pick(line.texts, "title", lang, line.title)),
            plain(texts.pick(line.texts, "variant", lang, line.variant)))


def line_text(order: Any, line_id: str, field: str, default: str) -> texts.Localized:
    """The title or variant of the order's line `line_id` in the current language, for views of other
    areas that carry the line's own words (tracking items, return items): the hub's order view holds
    the line's texts (orders.rules.line_texts); a line it does not know keeps `default`."""
    for line in getattr(order, "lines", None) or ():
        if line.line_id == line_id:
            return texts.pick(line.texts, field, current_language(), default)
    return texts.Localized(default, current_language())


GLOBALS = {"shop_text": shop_text, "address": address, "line_text": line_text, "plain_text": plain,
           "written_in": texts.written_in, "named": named}
