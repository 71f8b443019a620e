"""Japanese for 着払い tracking numbers, returned items by reason and the return events' short texts
(python tools/write_po.py slips tools/slips_ja.py)."""

JA = {
    # the dashboard: each returned item's own reason, weighted by quantity
    "Returned items by reason": "理由別の返品商品数",
    "Returned items": "返品商品数",
    # the 着払い slip's tracking number (送り状番号): return page, admin, emails
    "Carrier's tracking number": "送り状番号（お問い合わせ番号）",
    "Thank you: we will follow the parcel with this number.": "ありがとうございます。この番号で荷物の状況を確認します。",
    "We follow the parcel with %(carrier)s tracking number %(number)s.":
        "%(carrier)sのお問い合わせ番号 %(number)s で荷物の状況を確認しています。",
    "Handed the parcel to %(carrier)s? Enter the tracking number from their receipt, and your return will "
    "update by itself as the parcel moves.":
        "%(carrier)sに荷物を渡したら、控えに記載の送り状番号を入力してください。荷物の動きに合わせて返品の状況が自動で更新されます。",
    "The 12 digits on the receipt the carrier gave you, for example 1234-5678-9012.":
        "配送業者の控え（ご依頼主控）に記載の12桁の数字です。例：1234-5678-9012",
    "Save the number": "番号を登録",
    "Change the number": "番号を変更",
    "The carrier has the parcel, so the number can no longer be changed.":
        "配送業者が荷物を受け付けたため、番号は変更できません。",
    "Enter the tracking number from the carrier's receipt.": "配送業者の控えに記載の送り状番号を入力してください。",
    "Enter the 12 digits of the tracking number on the carrier's receipt.":
        "控えに記載の送り状番号（12桁の数字）を入力してください。",
    "This number does not check out: a digit is probably wrong. Compare it with the receipt.":
        "番号が合いません。どこかの数字が違う可能性があります。控えと見比べてください。",
    "This tracking number belongs to another parcel. Check the receipt.":
        "この送り状番号は別の荷物のものです。控えをご確認ください。",
    "This return has no collect-on-delivery slip.": "この返品には着払いの伝票がありません。",
    "The carrier has already scanned the parcel, so its tracking number can no longer be changed.":
        "配送業者がすでに荷物を受け付けたため、送り状番号は変更できません。",
    "From the shopper's carrier receipt: carrier events on it move this return until the parcel arrives.":
        "お客様の控えに記載の番号です。この番号の配送状況に合わせて、荷物が届くまで返品の状況が更新されます。",
    "The tracking number is saved: carrier events on it now move this return.":
        "送り状番号を登録しました。この番号の配送状況で返品の状況が更新されます。",
    "Then enter the tracking number from the carrier's receipt on your return page: your return updates by itself "
    "as the parcel moves.":
        "発送後、控えに記載の送り状番号を返品ページで入力してください。荷物の動きに合わせて返品の状況が自動で更新されます。",
    # the short LINE / SMS / push texts of the return events (orderhub/channels/texts.py)
    "Your return %(return)s is approved. Please send it by %(date)s.":
        "返品 %(return)s を承認しました。%(date)sまでに発送してください。",
    "Your return %(return)s is approved.": "返品 %(return)s を承認しました。",
    "Your collect-on-delivery slip for return %(return)s is ready: send it with %(carrier)s by %(date)s.":
        "返品 %(return)s の着払い伝票の控えができました。%(date)sまでに%(carrier)sの着払いで発送してください。",
    "Your collect-on-delivery slip for return %(return)s is ready.": "返品 %(return)s の着払い伝票の控えができました。",
    "Your return label for return %(return)s is ready: send it by %(date)s.":
        "返品 %(return)s の返送ラベルができました。%(date)sまでに発送してください。",
    "Your return label for return %(return)s is ready.": "返品 %(return)s の返送ラベルができました。",
    "%(carrier)s will collect your return %(return)s on %(when)s.":
        "%(when)sに%(carrier)sが返品 %(return)s の荷物を集荷に伺います。",
    "The pickup of your return %(return)s is moved to %(when)s.":
        "返品 %(return)s の集荷日時を%(when)sに変更しました。",
    "The pickup of your return %(return)s on %(when)s is cancelled.":
        "返品 %(return)s の%(when)sの集荷をキャンセルしました。",
    "Your exchange is reserved. The new items cost %(amount)s more: we will send you a link to pay the "
    "difference.":
        "交換商品を確保しました。差額 %(amount)s のお支払いリンクを追ってお送りします。",
    "Your exchange is reserved. We refund the difference of %(amount)s when your replacement is sent.":
        "交換商品を確保しました。交換品の発送時に差額 %(amount)s を返金します。",
    "Your exchange for return %(return)s is reserved.": "返品 %(return)s の交換商品を確保しました。",
    "Pay the difference of %(amount)s for your exchange, and we send your replacement.":
        "交換の差額 %(amount)s をお支払いください。お支払い後に交換品を発送します。",
    "Your return %(return)s is on its way to us (%(carrier)s, tracking number %(tracking)s).":
        "返品 %(return)s の荷物が当店へ向かっています（%(carrier)s、お問い合わせ番号 %(tracking)s）。",
    "Your return %(return)s is on its way to us.": "返品 %(return)s の荷物が当店へ向かっています。",
    "We received your return %(return)s. Expected refund: %(amount)s.":
        "返品 %(return)s の商品が届きました。返金予定額：%(amount)s",
    "We received your return %(return)s.": "返品 %(return)s の商品が届きました。",
    "Your refund of %(amount)s for return %(return)s is on its way.":
        "返品 %(return)s の返金 %(amount)s の手続きをしました。",
    "We could not accept your return %(return)s. The items stay with you.":
        "返品 %(return)s はお受けできませんでした。商品はお手元にお持ちください。",
    "Your replacement for return %(return)s is on its way.": "返品 %(return)s の交換品を発送しました。",
    "Please disregard our last message about return %(return)s: it was sent by mistake.":
        "返品 %(return)s について先ほどお送りしたメッセージは誤りでした。破棄してください。",
    "Your claim %(claim)s is resolved: we refunded %(amount)s.":
        "申告 %(claim)s に対応しました。%(amount)s を返金しました。",
    "Your claim %(claim)s is resolved.": "申告 %(claim)s に対応しました。",
}
