"""The shop's words per language (orderhub.db.texts) and addresses per locale (orderhub.db.addresses)."""

from __future__ import annotations

from orderhub.db import addresses, texts
from orderhub.db.validation import Reader

SHIBUYA = {"postal_code": "150-0041", "region": "東京都", "city": "渋谷区", "line1": "神南 1-2-3",
           "line2": "山風ビル 4F", "country": "JP"}


def test_japanese_order_for_a_japanese_reader():
    assert addresses.format_address(SHIBUYA, "ja", name="佐藤 健").lines == (
        "〒150-0041", "東京都渋谷区神南 1-2-3", "山風ビル 4F", "佐藤 健 様")


def test_western_order_with_romanised_prefecture_for_an_english_reader():
    romaji = {**SHIBUYA, "city": "Shibuya-ku", "line1": "1-2-3 Jinnan", "line2": ""}
    formatted = addresses.format_address(romaji, "en")
    assert formatted.one_line() == "1-2-3 Jinnan, Shibuya-ku, Tokyo 150-0041, Japan"
    # the complaint of issue 17: never "東京都渋谷区, 東京都"
    city_level = addresses.format_address({"region": "東京都", "city": "渋谷区", "postal_code": "150-****",
                                           "country": "JP"}, "en").one_line()
    assert city_level == "渋谷区, Tokyo 150-****, Japan" and "東京都" not in city_level


def test_prefectures_in_either_script_and_other_countries():
    osaka = {"postal_code": "530-0001", "region": "Osaka", "city": "大阪市", "line1": "梅田 1-1", "country": "JP"}
    assert addresses.format_address(osaka, "ja").lines[1] == "大阪府大阪市梅田 1-1"
    assert addresses.prefecture("北海道", "en") == "Hokkaido" and addresses.prefecture("Kyoto-fu", "ja") == "京都府"
    us = {"postal_code": "10012", "region": "NY", "city": "New York", "line1": "120 Prince St", "country": "US"}
    assert addresses.format_address(us, "en").lines == ("120 Prince St", "New York, NY 10012", "United States")
    assert addresses.format_address(us, "ja").lines[-1] == "アメリカ合衆国"


def test_pick_falls_back_visibly():
    words = {"name": {"ja": "渋谷店", "en": "Shibuya"}, "pickup_instructions": {"ja": "1階へ"}}
    assert texts.pick(words, "name", "en") == texts.Localized("Shibuya", "en", False)
    fallback = texts.pick(words, "pickup_instructions", "en")
    assert (str(fallback), fallback.lang, fallback.fallback) == ("1階へ", "ja", True)
    assert texts.pick({}, "name", "en", "plain") == texts.Localized("plain", "en", False)


def test_reading_both_languages_beside_the_plain_field():
    r = Reader()
    body = {"name": "渋谷店", "name_en": "Shibuya", "what_to_bring_en": ["Photo ID"]}
    assert texts.read_text(r, body, "name", "name", "ja", base="渋谷店", max_len=200) == {"ja": "渋谷店", "en": "Shibuya"}
    assert texts.read_list(r, body, "what_to_bring", "what_to_bring", "ja", base=["身分証"], max_items=10,
                           max_len=200) == {"ja": ["身分証"], "en": ["Photo ID"]}
    assert not r.errors
    texts.read_text(r, {"name_en": "x" * 201}, "name", "name", "ja", base="", max_len=200)
    texts.read_text(r, {"name_ja": {"nested": 1}}, "name", "name", "ja", base="", max_len=200)
    assert [(e["field"], e["code"]) for e in r.errors] == [("name_en", "validation.too_long"),
                                                          ("name_ja", "validation.not_string")]


def test_the_brand_in_each_language_however_the_requests_alternate():
    from orderhub.db.orders.queries import BrandView

    brand = BrandView(name="山風アウトドア", logo_url="", primary="#000", accent="#111", on_primary="#fff",
                      on_accent="#fff", font_stack="sans-serif", radius="8px", support={"hours": "平日 10-18時"},
                      storefront_url="", locale="ja-JP", timezone="Asia/Tokyo",
                      texts={"name": {"ja": "山風アウトドア", "en": "Yamakaze Outdoor"},
                             "support_hours": {"ja": "平日 10〜18時"}})
    for _ in range(2):  # each language's answer, kept per language, is never the other's
        ja, en = brand.in_language("ja"), brand.in_language("en")
        assert (ja.name, str(ja.support["hours"])) == ("山風アウトドア", "平日 10〜18時")
        assert en.name == "Yamakaze Outdoor"
        assert str(en.support["hours"]) == "平日 10〜18時" and en.support["hours"].fallback  # marked, never silent
    assert brand.support == {"hours": "平日 10-18時"} and brand.name == "山風アウトドア"  # the kept brand unchanged
    assert en.in_language("ja").name == "山風アウトドア"
