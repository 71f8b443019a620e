"""What a LINE user's message names (an order number, with the hub's short code or not), the short
code itself, and how long a link in progress stays valid."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.channels import line_bot_rules as r

KEY = b"k" * 32
NOW = dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC)


def test_the_code_is_eight_base32_characters_of_the_current_hub_token():
    code = r.link_code(KEY, "token-a")
    assert len(code) == 8 and code.isalnum() and code.isupper()
    assert code == r.link_code(KEY, "token-a") != r.link_code(KEY, "token-b")  # a new link, a new code
    assert r.link_code(b"other" * 8, "token-a") != code
    assert r.code_matches(KEY, "token-a", code) and not r.code_matches(KEY, "token-a", "")
    assert not r.code_matches(KEY, "token-b", code)


@pytest.mark.parametrize(("text", "asked"), [
    ("YK-100234", r.Asked("YK-100234")),
    ("#1001", r.Asked("1001")),
    ("  YK-100234 k7qx2mpa ", r.Asked("YK-100234", "K7QX2MPA")),
    ("ＹＫ－１００２３４　Ｋ７ＱＸ２ＭＰＡ", r.Asked("YK-100234", "K7QX2MPA")),  # typed full-width
    ("YK-100234 K7QX2MP0", r.Asked("YK-100234", "K7QX2MPO")),  # a zero for the letter O
    ("yk-100234", r.Asked("yk-100234")),  # the number kept as typed: the lookup compares it exactly
])
def test_messages_that_name_an_order(text, asked):
    assert r.read_message(text) == asked


@pytest.mark.parametrize("text", ["", "   ", "hello", "こんにちは", "where is my order 1001", "YK-100234 nope!",
                                  "<script>1</script>", "1" * 200, None, 42, {"text": "1001"}, "../../1001"])
def test_messages_that_name_no_order(text):
    assert r.read_message(text) is None


def test_user_ids_and_link_tokens():
    assert r.user_id_ok("U" + "0123456789abcdef" * 2)
    for bad in ("U1", "u" + "0" * 32, "U" + "0" * 32 + "/", "../x", None, 7):
        assert not r.user_id_ok(bad)
    assert r.link_token_ok("NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY")
    for bad in ("", "a b", "<script>", "ａｂｃ", "x" * 201, None):
        assert not r.link_token_ok(bad)


def test_a_nonce_binds_within_ten_minutes_of_being_issued():
    assert r.nonce_fresh(NOW, NOW + dt.timedelta(minutes=10))
    assert not r.nonce_fresh(NOW, NOW + dt.timedelta(minutes=10, seconds=1))
    assert not r.nonce_fresh(None, NOW)
    assert not r.nonce_fresh(NOW + dt.timedelta(hours=1), NOW)  # from the future: a clock gone wrong
