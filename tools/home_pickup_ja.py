"""Japanese for home pickup of returns (issue 20 item 3):
`python tools/write_po.py home_pickup tools/home_pickup_ja.py`."""

JA = {
    # the return page's card
    "Pickup date": "集荷日",
    "Time": "時間帯",
    "Collect it from": "集荷先",
    "The delivery address of this order": "このご注文のお届け先",
    "Another address": "別の住所",
    "Fill in the address below.": "下の欄に住所をご入力ください。",
    "Notes for the driver (optional)": "ドライバーへのメモ（任意）",
    "Up to %(n)s characters, for example which door to ring.": "%(n)s 文字まで。例：インターホンの場所など。",
    "Your pickup is booked. We emailed you the details.": "集荷を予約しました。詳細をメールでお送りしました。",
    "Your pickup is changed. We emailed you the new time.": "集荷日時を変更しました。新しい日時をメールでお送りしました。",
    "Your pickup is cancelled. You can book another time below.": "集荷をキャンセルしました。下から別の日時を予約できます。",
    "Your pickup": "集荷のご予約",
    "When": "日時",
    "Where": "集荷先",
    "Notes": "メモ",
    "Have the packed parcel ready. The driver brings the label.":
        "梱包した荷物をご用意ください。送り状はドライバーが持参します。",
    "You can change or cancel it free of charge until %(when)s.": "%(when)s まで無料で変更・キャンセルできます。",
    "Change the pickup": "集荷日時を変更する",
    "Save the new pickup": "変更を保存",
    "Cancel the pickup": "集荷をキャンセル",
    "Contact the shop:": "ショップへのお問い合わせ：",
    "Book a pickup": "集荷を予約する",
    "%(carrier)s collects the packed parcel from your door. Choose a day and a time.":
        "%(carrier)sがご自宅まで荷物を集荷に伺います。日にちと時間帯をお選びください。",
    "Book the pickup": "集荷を予約",
    "No pickup times are open right now. Please try again tomorrow or contact the shop.":
        "現在予約できる集荷日時がありません。明日もう一度お試しいただくか、ショップにお問い合わせください。",
    "Once your return is approved, you can book a pickup time here.": "返品が承認されると、ここで集荷日時を予約できます。",
    "Pickup: %(when)s": "集荷：%(when)s",
    "Pickup time": "集荷日時",
    # errors (site/messages/home_pickup.py)
    "A pickup can be booked once the return is approved, and only for a home pickup.":
        "集荷の予約は、返品が承認された後、集荷でのご返品の場合のみできます。",
    "A pickup is already booked for this return. You can change it below.":
        "この返品の集荷はすでに予約済みです。下から変更できます。",
    "There is no pickup booked for this return.": "この返品の集荷は予約されていません。",
    "It is too late to change this pickup: the carrier has already planned it. "
    "Please contact the shop if you cannot be at home.":
        "配送業者がすでに集荷の手配を済ませているため、変更の受付期限を過ぎています。ご在宅が難しい場合はショップにお問い合わせください。",
    "Choose one of the dates offered.": "表示されている日にちからお選びください。",
    "Choose one of the time slots offered.": "表示されている時間帯からお選びください。",
    "This is the pickup already booked. Choose another date or time, or keep it.":
        "現在のご予約と同じ内容です。別の日時を選ぶか、そのままにしてください。",
    "This home pickup setting is not valid.": "集荷の設定が正しくありません。",
    # the merchant's return page and settings
    "Shopper may change it until": "お客さまが変更できる期限",
    "No pickup is booked.": "集荷は予約されていません。",
    "Earlier bookings": "以前のご予約",
    "Rescheduled": "変更済み",
    "Shoppers who return by home pickup book one of these times on their return page, in your time zone. "
    "They can change or cancel it free of charge until the cut-off.":
        "集荷で返品するお客さまは、返品ページでこの中から日時を予約します（ショップのタイムゾーン）。締め切りまでは無料で変更・キャンセルできます。",
    "Carrier that collects": "集荷する配送業者",
    "Time slots": "時間帯",
    "One per line, like “14:00-16:00”.": "1行に1つ、「14:00-16:00」のように入力してください。",
    "Days the carrier collects": "集荷する曜日",
    "Earliest pickup (days from today)": "最短の集荷日（今日から何日後）",
    "Latest pickup (days from today)": "最長の集荷日（今日から何日後）",
    "Cut-off the day before": "前日の締め切り時刻",
    "A time like 17:00: after it, the next day's pickup can no longer be booked, changed or cancelled.":
        "17:00 のような時刻。これを過ぎると、翌日の集荷の予約・変更・キャンセルはできません。",
    "Home pickup booked": "集荷の予約",
    "Home pickup changed": "集荷の変更",
    "Home pickup cancelled": "集荷のキャンセル",
    # emails
    "Your pickup for return %(return)s (order %(number)s) is cancelled":
        "ご注文 %(number)s の返品 %(return)s の集荷はキャンセルされました",
    "The pickup on %(when)s is cancelled.": "%(when)s の集荷はキャンセルされました。",
    "Your pickup is cancelled": "集荷をキャンセルしました",
    "We cancelled the pickup on %(when)s. Nothing is charged for it. You can book another time on your return page.":
        "%(when)s の集荷をキャンセルしました。料金はかかりません。返品ページから別の日時を予約できます。",
    "Book another pickup": "別の日時で集荷を予約",
    "Your pickup is moved from %(old)s to %(when)s.": "集荷日時を %(old)s から %(when)s に変更しました。",
    "Your pickup for return %(return)s (order %(number)s) is now %(when)s":
        "ご注文 %(number)s の返品 %(return)s の集荷は %(when)s に変更されました",
    "Your pickup is changed": "集荷日時を変更しました",
    "%(carrier)s will collect your return on %(when)s.": "%(when)s に%(carrier)sが返品の荷物を集荷に伺います。",
    "Pickup booked for return %(return)s (order %(number)s): %(when)s":
        "ご注文 %(number)s の返品 %(return)s の集荷を予約しました：%(when)s",
    "Your pickup is booked": "集荷を予約しました",
    "You can change or cancel the pickup free of charge until %(when)s.": "%(when)s まで無料で集荷の変更・キャンセルができます。",
    "View or change your pickup": "集荷の確認・変更",
}
