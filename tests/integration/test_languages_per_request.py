"""Translation is per request: every page rendered in Japanese, then English, then Japanese again,
in one process and one app, shows no text of the other language where it doesn't belong.

- English renders contain no Japanese characters, except the shop's own words from the fixtures
  (merchant, store and product names, addresses, carrier texts, what the test typed) and the
  language switcher's "日本語".
- Japanese renders contain no English sentence of the catalog: no msgid of the Japanese catalogs
  with at least three words (the literal parts of it, around its placeholders) appears verbatim.

The pages: every shopper page of a shipped, a delivered-and-returned, a pickup and a mid-wizard
order (confirmation, tracking, pickup, returns and each wizard step, the return's detail, the claim
form, feedback and a review form, the receipt, cross-sells), the lookup page, the 404 page, the staff
console and a pickup in it, and every admin page reachable by a link from the dashboard and the
settings index (signed in as the existing admin tests do). The links found in the first Japanese
pass are the pages of all three passes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from babel.messages.pofile import read_po

from orderhub.components.i18n import LOCALE_DIR
from tests import admin_ops_support as admin
from tests import pickup_support as staff
from tests.conftest import BASE_URL, FIXTURES
from tests.feedback_support import deliver, second_order
from tests.returns_support import step, walk

JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60\uffe0-\uffee]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")

#: words a test types into forms (they come back on the pages as the shop's or shopper's words)
TYPED = ("<b>too tight</b>", "too tight")

#: links not followed: binary files, event streams, redirects out, per-request assets
SKIP = re.compile(r"\.(pdf|css|png|jpe?g|svg|js|woff2?)$|/photos/|/events$|/go/|/sign-out|/preview/frame|^/static/"
                  r"|^/brand/|^/fonts/|^/embed/|^/api/|^/schema")
HREF = re.compile(r'href="([^"#]+)"')


# --- what the fixtures allow --------------------------------------------------------------------


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def fixture_strings() -> set[str]:
    found: set[str] = set(TYPED)
    for path in Path(FIXTURES).rglob("*.json"):
        found.update(t for t in _strings(json.loads(path.read_text())) if t.strip())
    return found


def japanese_shop_words() -> list[str]:
    """The fixtures' Japanese strings and each of their words (pages show first names, cities ...),
    longest first so that whole strings go before their parts."""
    words: set[str] = {"日本語"}
    for text in fixture_strings():
        if JAPANESE.search(text):
            words.add(text)
            words.update(part for part in re.split(r"[\s/・、,()（）]+", text) if JAPANESE.search(part))
    return sorted(words, key=len, reverse=True)


def english_shop_phrases() -> list[str]:
    """The fixtures' English strings of three words or more (a policy text, a product name) that
    a catalog sentence might be part of."""
    return sorted((t for t in fixture_strings() if not JAPANESE.search(t) and len(t.split()) >= 3),
                  key=len, reverse=True)


def without(text: str, words: list[str]) -> str:
    for word in words:
        text = text.replace(" ".join(word.split()), " ")
    return text


def english_sentences() -> list[str]:
    """The literal stretches (3+ words) of every msgid of the Japanese catalogs, when the Japanese
    translation differs from it."""
    out: set[str] = set()
    for po in sorted((LOCALE_DIR / "ja" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="ja")
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
            strs = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
            for msgid in ids:
                if msgid in strs:
                    continue  # the same in both languages (a brand, a code)
                for part in PLACEHOLDER.split(msgid):
                    part = " ".join(part.split()).strip(" .,:;!?()")
                    if len(part.split()) >= 3:
                        out.add(part)
    return sorted(out)


def without_fields_of(page: str, lang: str) -> str:
    """Drop the form fields that hold the shop's own words in `lang` (`question_ja`, ...): an English
    admin page edits the Japanese question too, and shows it as it is."""
    page = re.sub(rf'<input\b[^>]*\bname="[^"]*_{lang}"[^>]*>', "<input>", page)
    # a message as sent to a shopper (the admin's email log) is in the shopper's language, marked so
    page = re.sub(rf'(<(\w+)\b[^>]*\bdata-shopper-message\b[^>]*\blang="{lang}"[^>]*>).*?(</\2>)', r"\1\3", page,
                  flags=re.S)
    return re.sub(rf'(<textarea\b[^>]*\bname="[^"]*_{lang}"[^>]*>).*?(</textarea>)', r"\1\2", page, flags=re.S)


def visible(page: str) -> str:
    """The page's text and attribute values, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(page).split())


def japanese_runs(text: str) -> list[str]:
    """Each run of Japanese characters with a little context, once."""
    runs = re.compile(JAPANESE.pattern + "+(?:[\\s\\w]{0,3}" + JAPANESE.pattern + "+)*")
    seen: dict[str, str] = {}
    for m in runs.finditer(text):
        seen.setdefault(m.group(0), text[max(0, m.start() - 25): m.end() + 25])
    return [f"{run!r} in …{context}…" for run, context in seen.items()]


# --- reaching the pages -----------------------------------------------------------------------


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def links(page: str, prefixes: tuple[str, ...]) -> set[str]:
    out = set()
    for href in HREF.findall(page):
        href = html.unescape(href)
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != BASE_URL:
            continue
        path = parts.path.rstrip("/") or "/"
        if path.startswith(prefixes) and not SKIP.search(path):
            out.add(path)
    return out


@pytest.fixture
async def anonymous(app):
    """A second visitor of the same app, never signed in (sign-in pages, lookup, 404)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c


async def shopper_pages(client, merchants, orders, settings, clock) -> list[str]:
    """Orders in every shopper state, and their pages."""
    yamakaze, yamakaze_key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    acme_key = merchants["acme"][1]
    shipped = orders["jp_ship"].token
    await deliver(client, yamakaze_key, "jp_ship")  # tracking, feedback and returns open up
    await deliver(client, acme_key, "us_ship")
    r, _, _, _ = await walk(client, f"/o/{shipped}/returns", items={"L1": 1})
    assert r.status_code == 303, r.text[:500]
    returned = r.headers["location"].split("?")[0]
    # a second order of the same shopper, stopped on the wizard's last step
    mid = (await second_order(yamakaze, settings, clock)).token
    await deliver(client, yamakaze_key, "jp_ship_2", base="jp_ship")
    await walk_to_review(client, f"/o/{mid}/returns")
    await staff.make_ready(client, yamakaze_key)
    pickup = orders["jp_pickup"].token
    us = orders["us_ship"].token
    return [
        *(f"/o/{t}{section}" for t in (shipped, us) for section in
          ("", "/tracking", "/returns", "/returns/claims/new", "/feedback", "/receipt", "/cross-sells")),
        returned,
        f"/o/{shipped}/feedback/reviews/L1",
        *(f"/o/{mid}/returns/new/{s}" for s in ("items", "reason", "resolution", "method", "review")),
        f"/o/{pickup}", f"/o/{pickup}/pickup",
    ]


async def walk_to_review(client, base: str) -> None:
    for name, data in (("items", {"qty_L1": "1"}), ("reason", {"reason": "too_small"}),
                       ("resolution", {"resolution": "refund"}), ("method", {"method": "drop_off"})):
        r = await step(client, base, name, data)
        assert r.status_code == 303, (name, r.text[:500])


async def _render(client, url: str, lang: str) -> tuple[int, str]:
    r = await client.get(with_lang(url, lang))
    return r.status_code, r.text if r.headers.get("content-type", "").startswith("text/html") else ""


# --- the test -----------------------------------------------------------------------------------


async def test_every_page_ja_en_ja_in_one_process(client, anonymous, merchants, orders, settings, clock):
    shopper = await shopper_pages(client, merchants, orders, settings, clock)
    # staff console (a staff member of the pickup's store) and merchant admin (the yamakaze owner)
    await staff.make_staff(clock)
    signed = await staff.sign_in(client)
    assert signed.status_code == 303, signed.text[:500]
    await admin.signed_in(client, clock)

    # pages only a visitor who is not signed in sees (sign-in pages, lookup, the 404 page)
    missing = "/o/" + "A" * 32
    pages: list[tuple[str, str]] = [("client", url) for url in shopper]
    pages += [("anonymous", url) for url in ("/admin/sign-in", "/staff", "/lookup", missing)]
    # the first Japanese pass finds the rest: what the staff console, the admin's dashboard (and
    # its navigation), the settings index and the stores list link to
    for seed in ("/staff", "/admin", "/admin/settings", "/admin/settings/stores", "/admin/emails"):
        code, page = await _render(client, seed, "ja")
        assert code == 200, (seed, code)
        for found in sorted({seed} | links(page, ("/staff", "/admin"))):
            if ("client", found) not in pages:
                pages.append(("client", found))
    assert any(url.startswith("/staff/pickups/") for _, url in pages), "the console shows no pickup"
    assert len([u for _, u in pages if u.startswith("/admin")]) >= 15, pages

    japanese_words, english_phrases = japanese_shop_words(), english_shop_phrases()
    sentences = english_sentences()
    assert len(sentences) > 100  # the catalogs were read
    clients = {"client": client, "anonymous": anonymous}
    problems: list[str] = []
    rendered = 0
    for round_no, lang in enumerate(("ja", "en", "ja"), start=1):
        for who, url in pages:
            code, page = await _render(clients[who], url, lang)
            if code != (404 if url == missing else 200):
                problems.append(f"[{round_no}:{lang}] {url}: HTTP {code}")
                continue
            if not page:
                continue
            rendered += 1
            text = visible(without_fields_of(page, "ja" if lang == "en" else "en"))
            if lang == "en":
                for found in japanese_runs(without(text, japanese_words)):
                    problems.append(f"[{round_no}:en] {url}: Japanese {found}")
            else:
                text = without(text, english_phrases)
                for sentence in sentences:
                    if sentence in text:
                        problems.append(f"[{round_no}:ja] {url}: English {sentence!r}")
    print("\n".join(f"{who:9} {url}" for who, url in pages))
    for line in problems:
        print(line)
    assert rendered >= 3 * 30
    assert not problems, f"{len(problems)} strings in the wrong language:\n" + "\n".join(problems)
