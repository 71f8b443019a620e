"""Hub tokens: unguessable, bound to one order and generation, malformed ones rejected early."""

from orderhub.db import tokens


def test_tokens_differ_per_order_and_generation():
    key = b"k" * 32
    a = tokens.hub_token(key, "1:order-a", 1)
    assert len(a) == 32 and tokens.well_formed(a)
    assert a != tokens.hub_token(key, "1:order-b", 1)
    assert a != tokens.hub_token(key, "1:order-a", 2)
    assert a != tokens.hub_token(b"x" * 32, "1:order-a", 1)


def test_malformed_tokens():
    for bad in ("", "short", "a" * 33, "a" * 31 + "/", "a" * 31 + "="):
        assert not tokens.well_formed(bad)


def test_api_keys_are_long_and_random():
    keys = {tokens.new_api_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) > 40 for k in keys)
