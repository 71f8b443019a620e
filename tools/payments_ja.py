"""Japanese for the payments area and the documents that follow money (issue 19 items 1-2):
python tools/write_po.py payments tools/payments_ja.py"""

JA = {
    # the email
    "Payment method": "お支払い方法",
    "Paid on": "お支払い日",
    "Payment received": "入金確認",
    "Payment received for order %(number)s": "ご注文 %(number)s のお支払いを確認しました",
    "Thank you: we received your payment of %(amount)s.": "%(amount)s のお支払いを確認しました。ありがとうございます。",
    "We received your payment": "お支払いを確認しました",
    "We received your payment of %(amount)s for order %(number)s. Thank you.":
        "ご注文 %(number)s の代金 %(amount)s のお支払いを確認しました。ありがとうございます。",
    "We are now preparing your order. Your receipt is ready on your order page.":
        "これより商品の準備を進めます。領収書はご注文ページからご利用いただけます。",
    # the hub's payment card
    "By tax rate": "税率ごとの内訳",
    "Order confirmation (PDF)": "注文確認書（PDF）",
    "This is not a receipt.": "領収書ではありません。",
    "Credit note %(number)s (PDF)": "返金明細書 %(number)s（PDF）",
    "Awaiting payment": "お支払い待ち",
    "Authorized": "与信済み",
    "Paid": "お支払い済み",
    "Partially refunded": "一部返金済み",
    "Cancelled, nothing charged": "取消済み（ご請求なし）",
    "%(rate)s taxable %(amount)s (consumption tax %(tax)s)": "%(rate)s対象 %(amount)s（消費税 %(tax)s）",
    "Waiting for your payment": "お支払いをお待ちしています",
    "The payment deadline (%(deadline)s) has passed. If you have already paid, it can take a little while to "
    "show here; otherwise please contact us.":
        "お支払い期限（%(deadline)s）を過ぎました。お支払い済みの場合は反映までしばらくお待ちください。"
        "まだの場合はお問い合わせください。",
    "Please pay %(amount)s at a convenience store by %(deadline)s.":
        "%(deadline)s までにコンビニで %(amount)s をお支払いください。",
    "Please pay %(amount)s at a convenience store.": "コンビニで %(amount)s をお支払いください。",
    "Please transfer %(amount)s by %(deadline)s.": "%(deadline)s までに %(amount)s をお振り込みください。",
    "Please transfer %(amount)s.": "%(amount)s をお振り込みください。",
    "We will prepare your order once the payment arrives. Your receipt is ready then.":
        "お支払いを確認してから商品を準備します。領収書もその時点で発行できるようになります。",
    "Payment number": "お支払い番号",
    "Pay by": "お支払い期限",
    "Pay on delivery": "代金引換",
    "You pay %(amount)s when your order is delivered. Your receipt is ready after delivery.":
        "商品のお届け時に %(amount)s をお支払いください。領収書はお届け後に発行できます。",
    "Payment authorized": "与信済み",
    "Your payment of %(amount)s is authorized. It is charged when we take the payment.":
        "%(amount)s の与信を確保しました。売上確定時にご請求します。",
    "Payment cancelled": "お支払いの取消",
    "The payment for this order was cancelled. Nothing was charged.":
        "このご注文のお支払いは取り消されました。ご請求はありません。",
    "We received your payment of %(amount)s on %(date)s.": "%(date)s に %(amount)s のお支払いを確認しました。",
    "We received your payment of %(amount)s.": "%(amount)s のお支払いを確認しました。",
    "Refunded so far: %(amount)s.": "これまでの返金額: %(amount)s",
    # the credit note and the order confirmation
    "Credit note number": "返金明細書番号",
    "Original transaction date": "元の取引年月日",
    "Refund date": "返金日",
    "We refunded %(amount)s on this order. The amounts below are the refund, by tax rate.":
        "このご注文について %(amount)s を返金しました。以下は返金額の税率ごとの内訳です。",
    "Refund by tax rate": "返金額の税率別内訳",
    "Confirmation of order": "注文確認書",
    "This is an order confirmation, not a receipt. We issue the receipt once the payment has been received.":
        "これは注文確認書であり、領収書ではありません。領収書はお支払いの確認後に発行します。",
    "Payment": "お支払い",
    # refusals (orderhub.site.messages.documents)
    "We haven't received the payment for this order yet, so there is no receipt. "
    "The order confirmation on your order page lists what you ordered.":
        "このご注文のお支払いをまだ確認できていないため、領収書はありません。"
        "ご注文内容はご注文ページの注文確認書でご確認いただけます。",
    "You pay on delivery, so the receipt is ready once your order has been delivered.":
        "代金引換のため、領収書は商品のお届け後に発行できます。",
    "This order has no receipt to void.": "このご注文には無効にできる領収書がありません。",
    # the admin: issue log, void and reissue, the registration number
    "Issued documents": "発行済み書類",
    "Every receipt and credit note you issued, with its number. Voided documents are kept and marked.":
        "発行したすべての領収書と返金明細書を番号付きで記録しています。無効にした書類も削除せず、無効として残します。",
    "Search": "検索",
    "Issued from": "発行日（から）",
    "Issued until": "発行日（まで）",
    "Amount from": "金額（以上）",
    "Amount up to": "金額（以下）",
    "Counterparty (name or addressee)": "取引先（お名前または宛名）",
    ("%(num)s document matches", "%(num)s documents match"): ["%(num)s 件の書類が該当します"],
    "Latest documents": "最近の書類",
    "Issued": "発行日時",
    "Document": "書類",
    "Number": "番号",
    "Counterparty": "取引先",
    "VOID": "無効",
    "No documents match.": "該当する書類はありません。",
    "Showing the latest %(num)s. Narrow the search to see older ones.":
        "最新の %(num)s 件を表示しています。それより前の書類は条件を絞って検索してください。",
    "Payment and documents": "お支払いと書類",
    "voided on %(when)s": "%(when)s に無効化",
    "No receipt has been issued for this order yet.": "このご注文の領収書はまだ発行されていません。",
    "A receipt with a mistake is voided, not changed: its number stays in the issue log marked as void, and the "
    "order gets a receipt with the next number.":
        "誤りのある領収書は修正せずに無効にします。元の番号は無効として発行記録に残り、次の番号で領収書を再発行します。",
    "Void and reissue the receipt": "領収書を無効にして再発行",
    "Receipts and credit notes in yen carry this number and become qualified invoices. Leave it empty if you are "
    "not registered.":
        "円建ての領収書と返金明細書にこの番号を記載し、適格請求書として発行します。登録していない場合は空欄のままにしてください。",
    "T and 13 digits, for example T1234567890123": "T と13桁の数字（例: T1234567890123）",
    "Saved, but please check this number: its check digit does not match a corporate number. A sole proprietor's "
    "number can still be right; compare it with your registration notice or the National Tax Agency's search.":
        "保存しましたが、番号をご確認ください。法人番号のチェックデジットと一致しません。個人事業者の番号であれば正しい場合もあります。"
        "登録通知書または国税庁の公表サイトで照合してください。",
    "Enter a date like 2026-12-31.": "2026-12-31 のように日付を入力してください。",
    "Enter an amount like 1200.": "1200 のように金額を入力してください。",
    "The end date must not be before the start date.": "終了日は開始日以降にしてください。",
    "Receipts and invoices": "領収書と適格請求書",
    "Your qualified-invoice registration number, printed on receipts.": "領収書に記載する適格請求書発行事業者の登録番号。",
    "Documents": "書類",
}
