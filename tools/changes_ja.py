"""Japanese for delivery changes before shipment and redelivery links (issue 19 item 4):
`python tools/write_po.py changes tools/changes_ja.py`."""

JA = {
    # the change page and the order page
    "Change delivery": "配送の変更",
    "Your delivery now": "現在のお届け内容",
    "Delivery time": "お届け時間帯",
    "Safe place": "置き配",
    "Delivery address": "お届け先住所",
    "Your changes": "変更のご依頼",
    "Time slot": "時間帯",
    "The carrier's delivery time slots.": "配送業者の時間帯指定です。",
    "Delivery date (optional)": "お届け日（任意）",
    "From %(first)s to %(last)s.": "%(first)s から %(last)s まで。",
    "Save the delivery time": "お届け時間帯を保存",
    "If nobody is home, leave it:": "ご不在の場合の置き場所：",
    "Instructions for the driver (optional)": "配達員へのご指示（任意）",
    "Up to %(n)s characters, for example where the box is.": "%(n)s 文字まで。例：宅配ボックスの場所など。",
    "Save the safe place": "置き配の設定を保存",
    "A new address in the same shipping area is changed at once; another area needs the shop's confirmation, "
    "because the shipping cost may change.":
        "同じ配送地域内の住所はすぐに変更されます。別の地域への変更は送料が変わる場合があるため、ショップの確認後に変更されます。",
    "Recipient's name": "お受取人のお名前",
    "Postal code": "郵便番号",
    "Prefecture": "都道府県",
    "State": "州",
    "Region": "地域",
    "City": "市区町村",
    "Street address": "番地",
    "Building, apartment (optional)": "建物名・部屋番号（任意）",
    "Change the address": "住所を変更する",
    "The shop is answering your earlier change of this.": "先にご依頼いただいた変更について、ショップが確認中です。",
    "Your order is already on its way, so its delivery can no longer be changed here. Please contact the shop.":
        "ご注文はすでに発送準備に入っているため、こちらからは配送の変更ができません。ショップへお問い合わせください。",
    "Back to your order": "ご注文に戻る",
    "Done: your order now has the new delivery details.": "変更しました。新しいお届け内容でお届けします。",
    "We sent your change to the shop. It changes the shipping area, so the shop confirms it first; "
    "we will email you its answer.":
        "変更のご依頼をショップに送りました。配送地域が変わるため、ショップが確認してから変更されます。結果はメールでお知らせします。",
    "The shop's note:": "ショップからのメモ：",
    "See your changes": "変更のご依頼を見る",
    ("%(num)s change is waiting for the shop's answer.", "%(num)s changes are waiting for the shop's answer."):
        ["%(num)s 件の変更がショップの確認待ちです。"],
    "Waiting for the shop": "ショップの確認待ち",
    "Done": "変更済み",
    "Not possible": "変更できませんでした",
    # kinds, slots and places (orderhub.db.orders.change_rules)
    "Delivery address ": "お届け先住所",
    "No preference": "指定なし",
    "Morning (8–12)": "午前中",
    "14:00–16:00": "14〜16時",
    "16:00–18:00": "16〜18時",
    "18:00–20:00": "18〜20時",
    "19:00–21:00": "19〜21時",
    "Hand it to me (no safe place)": "手渡し（置き配なし）",
    "In front of the door": "玄関前",
    "Delivery box": "宅配ボックス",
    "Meter box": "メーターボックス",
    "Garage": "車庫",
    "Storeroom": "物置",
    # refusals (orderhub.site.messages.changes)
    "You already asked for a change like this. The shop will answer it first.":
        "同じ種類の変更をすでにご依頼いただいています。先にショップが確認します。",
    "We couldn't find that change.": "その変更は見つかりませんでした。",
    "That change has already been answered.": "その変更にはすでに回答済みです。",
    "This is the same as now. Change something, or leave it as it is.": "現在と同じ内容です。変更する項目を入力してください。",
    "This postal code does not belong to the prefecture or state you chose.":
        "この郵便番号は選択した都道府県のものではありません。",
    "Choose a prefecture or state of this country.": "この国の都道府県を選んでください。",
    "The country cannot change. For another country, please contact the shop.":
        "国は変更できません。別の国へのお届けはショップへお問い合わせください。",
    "This shop does not take a delivery date for this order.": "このご注文ではお届け日を指定できません。",
    "Choose a date from %(first)s to %(last)s.": "%(first)s から %(last)s までの日付を選んでください。",
    "Please use plain text, without < or >.": "< や > を使わずに入力してください。",
    # redelivery
    "Arrange a redelivery with %(carrier)s": "%(carrier)sに再配達を依頼する",
    "(opens the carrier's redelivery page)": "（配送業者の再配達受付ページが開きます）",
    "Tracking number: %(number)s": "お問い合わせ番号：%(number)s",
    # emails
    "Order %(number)s: your delivery change is done": "ご注文 %(number)s：配送の変更が完了しました",
    "%(what)s updated.": "%(what)sを変更しました。",
    "Your delivery change is done": "配送の変更が完了しました",
    "We have updated your order as you asked. The carrier will use the new details.":
        "ご依頼どおりご注文の配送内容を変更しました。新しい内容でお届けします。",
    "What you asked to change": "ご依頼の変更",
    "From now on": "変更後",
    "Order %(number)s: your delivery change could not be made": "ご注文 %(number)s：配送の変更ができませんでした",
    "%(what)s stays as it was.": "%(what)sは変更前のままです。",
    "We could not make your delivery change": "配送の変更ができませんでした",
    "The shop could not make the change you asked for, so your order stays as it was.":
        "ご依頼の変更をショップが承ることができなかったため、ご注文の内容は変更前のままです。",
    "If you need something else, reply to this email or contact the shop.":
        "ほかにご希望があれば、このメールに返信するか、ショップへお問い合わせください。",
    "The shop's note": "ショップからのメモ",
    "Stays as": "現在の内容",
    "To change the delivery, first confirm that you placed this order.":
        "配送を変更するには、まずご注文者さまご本人であることを確認します。",
    "First, confirm it's you.": "まず、ご本人であることを確認してください。",
    "Delivery details": "配送内容",
    # the email log
    "Delivery change applied": "配送の変更（完了）",
    "Delivery change refused": "配送の変更（お断り）",
}
del JA["Delivery address "]
