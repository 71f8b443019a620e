"""Message catalogs (Babel, one .po file per area under orderhub/locale) and the page locale.

The page's locale lives in a context variable set once per request, so templates, macros and
filters all translate and format for it without passing it around.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("ja", "en")
BABEL_LOCALES = {"ja": "ja_JP", "en": "en_US"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"



class _Language:
    """The language of one request (or one rendered email): mutable, so that code running in a
    child task of the request (Litestar resolves dependencies in task groups) sets it for the
    whole request. `chosen` is the language picked in the URL (?lang=), kept on every link."""

    __slots__ = ("lang", "chosen")

    def __init__(self, lang: str = "en", chosen: str | None = None) -> None:
        self.lang = lang
        self.chosen = chosen


_state: contextvars.ContextVar[_Language | None] = contextvars.ContextVar("orderhub_language", default=None)


def _box() -> _Language:
    box = _state.get()
    if box is None:
        box = _Language()
        _state.set(box)
    return box


def begin_request() -> None:
    """A fresh language for a new request (called by the web layer's middleware)."""
    _state.set(_Language())


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Render something (an email, a PDF) in `lang`, then go back to the surrounding language."""
    token = _state.set(_Language(lang if lang in LANGUAGES else "en"))
    try:
        yield
    finally:
        _state.reset(token)


def language_of(tag: str | None) -> str | None:
    """'ja-JP' -> 'ja'; None for languages we do not speak."""
    if not tag:
        return None
    lang = tag.replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in LANGUAGES else None


def negotiate(url_lang: str | None, order_locale: str | None, accept_language: str | None,
              merchant_locale: str | None) -> str:
    """URL first, then the order, then the browser's Accept-Language, then the merchant."""
    for candidate in (url_lang, order_locale):
        lang = language_of(candidate)
        if lang:
            return lang
    for tag in _accept_language(accept_language or ""):
        lang = language_of(tag)
        if lang:
            return lang
    return language_of(merchant_locale) or "en"


def _accept_language(header: str) -> list[str]:
    ranked = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            ranked.append((-q, i, tag))
    return [tag for _, _, tag in sorted(ranked)]


@functools.cache
def translations(lang: str) -> NullTranslations:
    """All .po files of a language merged into one catalog (compiled in memory at start)."""
    merged: Translations | None = None
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")) if folder.exists() else []:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        part = Translations(buf, domain=po.stem)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged or NullTranslations()


def set_language(lang: str) -> None:
    _box().lang = lang if lang in LANGUAGES else "en"


def choose_language(url_lang: str | None) -> None:
    """Remember the language picked in the URL for this request (links keep it)."""
    _box().chosen = language_of(url_lang)


def chosen_language() -> str | None:
    return _box().chosen


def current_language() -> str:
    return _box().lang


def babel_locale() -> Locale:
    return Locale.parse(BABEL_LOCALES[_box().lang])


def gettext(message: str, **variables: object) -> str:
    text = translations(_box().lang).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_box().lang).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def plain_gettext(message: str) -> str:
    """For Jinja's newstyle gettext, which formats the variables itself."""
    return translations(_box().lang).ugettext(message)


def plain_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_box().lang).ungettext(singular, plural, n)
