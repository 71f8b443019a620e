"""Japanese for the per-item reasons and the refund-truth fixes (tools/write_po.py reasons tools/reasons_ja.py)."""

JA = {
    # the correction email (a counter reception undone after its email went out)
    "Correction: return %(return)s for order %(number)s": "【訂正】ご注文 %(number)s の返品 %(return)s について",
    "Please disregard our last email about this return.": "この返品について先ほどお送りしたメールは破棄してください。",
    "A correction about your return": "返品についての訂正",
    "Please disregard our last email about return %(return)s: it was sent by mistake. The return "
    "has not been received yet and no refund has been made for it.":
        "返品 %(return)s について先ほどお送りしたメールは誤りでした。お手数ですが破棄してください。"
        "この返品はまだ受け取り済みではなく、返金も行われていません。",
    "We will email you again as soon as it is received.": "受け取りが済みしだい、あらためてメールでお知らせします。",
    "Return correction": "返品の訂正",
    "Withdrawn": "取り消し済み",
    # each returned item's own reason (the wizard's reason step, review, return page, admin, emails)
    "A different reason for some items?": "商品ごとに理由が違いますか？",
    "Leave “Same as above” for the items you return for the reason chosen above.":
        "上で選んだ理由で返品する商品は「上と同じ」のままにしてください。",
    "Reason for this item": "この商品の理由",
    "Same as above": "上と同じ",
    "Comment on this item (optional)": "この商品についてのコメント（任意）",
    "Photo of this item": "この商品の写真",
    "no return fee for this item": "この商品の返品手数料はかかりません",
    "return fee %(fee)s": "返品手数料 %(fee)s",
    "Different for each item": "商品ごとに異なる",
}
