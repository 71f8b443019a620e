"""Japanese and English are complete: every message in templates and code has a Japanese
translation, and the page language is negotiated URL > order > browser > merchant."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from orderhub.components import i18n

ROOT = Path(__file__).resolve().parents[2] / "orderhub"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "Section": (2,)}
METHOD_MAP = [("**/emails/**.jinja", "jinja2"), ("**.jinja", "jinja2"), ("**.py", "python")]
OPTIONS = {"**.jinja": {"extensions": "jinja2.ext.i18n"}}


def all_messages():
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS
    ):
        yield filename, message


def test_every_message_has_a_japanese_translation():
    ja = i18n.translations("ja")
    missing = set()
    messages = list(all_messages())
    assert len(messages) > 100  # the extraction really reads templates and code
    for filename, message in messages:
        singular = message[0] if isinstance(message, tuple) else message
        if not singular or not re.search(r"[A-Za-z]", singular):
            continue
        if isinstance(message, tuple):
            translated = ja.ungettext(message[0], message[1], 2)
            ok = translated not in (message[0], message[1])
        else:
            ok = ja.ugettext(singular) != singular
        if not ok:
            missing.add(f"{filename}: {singular!r}")
    assert not missing, f"{len(missing)} messages without Japanese:\n" + "\n".join(sorted(missing))


def test_placeholders_survive_translation():
    ja = i18n.translations("ja")
    bad = []
    for filename, message in all_messages():
        singular = message[0] if isinstance(message, tuple) else message
        translated = ja.ugettext(singular) if not isinstance(message, tuple) else ja.ungettext(message[0], message[1], 2)
        if set(re.findall(r"%\((\w+)\)s", singular)) != set(re.findall(r"%\((\w+)\)s", translated)):
            bad.append(f"{filename}: {singular!r} -> {translated!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("url", "order", "accept", "merchant", "expected"),
    [
        ("en", "ja-JP", "ja", "ja-JP", "en"),
        (None, "ja-JP", "en-US,en;q=0.9", "en-US", "ja"),
        (None, None, "fr-FR, ja;q=0.8, en;q=0.5", "en-US", "ja"),
        (None, None, "de", "ja-JP", "ja"),
        (None, None, None, None, "en"),
        ("xx", None, "en", "ja-JP", "en"),
        (None, "fr-FR", None, "ja-JP", "ja"),
    ],
)
def test_language_negotiation(url, order, accept, merchant, expected):
    assert i18n.negotiate(url, order, accept, merchant) == expected


def test_formats_for_the_page_language():
    import datetime as dt

    from orderhub.components import filters

    i18n.set_language("ja")
    assert filters.money(17560, "JPY") == "¥17,560"
    assert filters.date(dt.date(2026, 11, 16)) == "2026年11月16日"
    i18n.set_language("en")
    assert filters.money(15564, "USD") == "$155.64"
    assert filters.date(dt.date(2026, 11, 12)) == "Nov 12, 2026"
    placed = dt.datetime(2026, 11, 12, 20, 42, tzinfo=dt.UTC)
    assert filters.datetime(placed, "America/New_York") == "Nov 12, 2026, 3:42 PM"


def test_dates_kept_per_language_zone_and_pattern_answer_each_request_in_its_own():
    """Formatted dates are kept per value, pattern and language (`filters._formatted`): the same
    moment alternately in Japanese and English, in two time zones, and a moment's own zone when none
    is given, each time as Babel words it."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from orderhub.components import filters
    from orderhub.components.promise import short_date

    moment = dt.datetime(2026, 12, 5, 15, 30, tzinfo=dt.UTC)  # Dec 6, 00:30 in Tokyo
    tokyo = moment.astimezone(ZoneInfo("Asia/Tokyo"))
    for _ in range(2):
        with i18n.language("ja"):
            assert filters.datetime(moment, "Asia/Tokyo") == "2026年12月6日 0:30"
            assert filters.datetime(moment, "America/New_York") == "2026年12月5日 10:30"
            assert (filters.date(moment, "long", "Asia/Tokyo"), filters.date(moment, "long", "UTC")) == (
                "2026年12月6日", "2026年12月5日")
            assert (filters.date(tokyo), filters.date(moment)) == ("2026年12月6日", "2026年12月5日")  # own zone
            assert short_date(dt.date(2026, 12, 6)) == "12月6日(日)"
        with i18n.language("en"):
            assert filters.datetime(moment, "Asia/Tokyo") == "Dec 6, 2026, 12:30 AM"
            assert filters.date(moment, "long", "Asia/Tokyo") == "Dec 6, 2026"
            assert filters.date(dt.date(2026, 12, 6), "weekday") == "Sunday, December 6"
            assert short_date(dt.date(2026, 12, 6)) == "Sun 12/6"


def test_status_badge_macro_translates_at_render_time():
    """The imported macro's labels follow the current language on every render (ja, en, ja)."""
    from orderhub.site.app import template_environment

    env = template_environment()
    source = '{% from "components/status_badge.html.jinja" import status_badge %}{{ status_badge(key, tone) }}'
    words = []
    for lang in ("ja", "en", "ja"):
        i18n.set_language(lang)
        words.append(env.from_string(source).render(key="delivered", tone="good"))
    badge = '<span class="badge badge--good" data-status="delivered">{}</span>'
    assert words == [badge.format("お届け済み"), badge.format("Delivered"), badge.format("お届け済み")]


def test_error_messages_of_orders_and_shipping_have_japanese():
    """The error tables' msgids are not extracted from code (they are data): check them here."""
    from orderhub.site.messages import orders, shipping

    ja = i18n.translations("ja")
    missing = [m for m in (*orders.MESSAGES.values(), *shipping.MESSAGES.values()) if ja.ugettext(m) == m]
    assert not missing, missing
