"""The shop's own words in Japanese and English: reading them from the API's bodies and the admin's
forms, and picking the one for a page's language, with a visible fallback.

A row that carries words a shopper reads (a store's name and pickup instructions, a merchant's name
and support hours, a product's title and variant labels) keeps them in its `texts` JSON column::

    {"name": {"ja": "山風アウトドア 渋谷店", "en": "Yamakaze Outdoor Shibuya"},
     "what_to_bring": {"ja": ["ご本人確認書類"], "en": ["Photo ID"]}}

The API takes them additively (CONTRACT.md's shapes stay valid): a field keeps its plain value, which
is in the merchant's own language, and may be given in each language beside it as `<field>_ja` /
`<field>_en` (`name_en`, `pickup_instructions_ja`, `what_to_bring_en`, `curbside.instructions_en`).

`pick(texts, field, lang)` is the one way every page, email and PDF chooses: the text in `lang` when
there is one, otherwise the other language's, marked `fallback=True` with its own `lang` so the page
can say so (`lang="ja"` and "(Japanese only)"), never silently. Pure: no I/O, nothing translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orderhub.db.validation import Reader

LANGS = ("ja", "en")


def language_of_locale(locale: str | None) -> str:
    """'ja-JP' -> 'ja'; anything else is English."""
    return "ja" if (locale or "").lower().startswith("ja") else "en"


#: kana, kanji and full-width forms: text with any of them is Japanese
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uffef]")


def written_in(text: str) -> str:
    """The language of words we did not write and have no tag for (a carrier's scan text, a depot's
    name): Japanese when they carry Japanese script, else English. Pages mark them with it."""
    return "ja" if _JAPANESE.search(text or "") else "en"


def other(lang: str) -> str:
    return "en" if lang == "ja" else "ja"


@dataclass(frozen=True)
class Localized:
    """One of the shop's texts as a page shows it: `value` (a string, or a list for list fields),
    the language it is in, and whether it stands in for the page's language."""

    value: Any
    lang: str
    fallback: bool = False

    def __str__(self) -> str:
        return self.value if isinstance(self.value, str) else ", ".join(map(str, self.value or ()))

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Named:
    """A store (or anything of the shop's) by name, with its per-language texts: the db layer hands it
    over as is, and the site words it in the request's language (components.shop_texts.named)."""

    name: str
    texts: Mapping[str, Any]

    def __bool__(self) -> bool:
        return bool(self.name)


def pick(texts: Mapping[str, Any] | None, field: str, lang: str, default: Any = "") -> Localized:
    """The field's text for `lang`; else the other language's, marked as a fallback; else `default`
    (the row's plain column, for rows written before texts existed), in no particular language."""
    by_lang = (texts or {}).get(field) or {}
    if not isinstance(by_lang, Mapping):
        by_lang = {}
    if by_lang.get(lang):
        return Localized(by_lang[lang], lang)
    alt = other(lang)
    if by_lang.get(alt):
        return Localized(by_lang[alt], alt, fallback=True)
    return Localized(default, lang)


def text(texts: Mapping[str, Any] | None, field: str, lang: str, default: str = "") -> str:
    """Only the words of `pick` (subjects, plain-text emails, attribute values)."""
    return str(pick(texts, field, lang, default))


# --- reading them ------------------------------------------------------------------------------


def read_text(r: Reader, body: Mapping[str, Any], field: str, path: str, base_lang: str, *,
              base: str, max_len: int) -> dict[str, str]:
    """{lang: text} for a string field: the plain value (already read, `base`) is in `base_lang`;
    `<field>_ja` / `<field>_en` beside it give (or override) one language each. Empty ones are left out."""
    out = {base_lang: base} if base else {}
    prefix = f"{path.rsplit('.', 1)[0]}." if "." in path else ""
    for lang in LANGS:
        key = f"{field}_{lang}"
        if key in body:
            value = r.text(dict(body), key, f"{prefix}{key}", required=False, max_len=max_len)
            if value:
                out[lang] = value
    return out


def read_list(r: Reader, body: Mapping[str, Any], field: str, path: str, base_lang: str, *,
              base: list[str], max_items: int, max_len: int) -> dict[str, list[str]]:
    """{lang: [text, ...]} for a list field (what to bring), as read_text."""
    out = {base_lang: base} if base else {}
    prefix = f"{path.rsplit('.', 1)[0]}." if "." in path else ""
    for lang in LANGS:
        key = f"{field}_{lang}"
        if key in body:
            value = [v for v in r.strings(dict(body), key, f"{prefix}{key}", max_items=max_items, max_len=max_len) if v]
            if value:
                out[lang] = value
    return out


def flat(texts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The `<field>_<lang>` keys of `texts`, as the API answers them beside the plain fields."""
    return {f"{field}_{lang}": value for field, by_lang in texts.items() for lang, value in by_lang.items()}
