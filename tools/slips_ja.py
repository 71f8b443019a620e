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
}
