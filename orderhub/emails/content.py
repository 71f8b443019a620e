"""What each message says: subject, headline, paragraphs, facts and the link, per kind, in the
current language (the caller sets it). Pure: takes the facts read for the message, returns words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from orderhub.components import delivery as delivery_words
from orderhub.components.filters import date as fmt_date
from orderhub.components.filters import datetime as fmt_datetime
from orderhub.components.filters import money
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.components.payments import payment_label
from orderhub.components.promise import promise_text, short_date
from orderhub.components.return_reasons import reason_label
from orderhub.components.shop_texts import item_words, line_words, plain, words
from orderhub.db import addresses, texts
from orderhub.db.orders.queries import StoreView
from orderhub.db.shipping import rules as shipping_rules
from orderhub.emails.cancellation import cancellation_words
from orderhub.emails.exchange import KINDS as EXCHANGE_KINDS
from orderhub.emails.exchange import exchange_words
from orderhub.emails.facts import MessageFacts
from orderhub.emails.home_pickup import KINDS as PICKUP_KINDS
from orderhub.emails.home_pickup import pickup_words


@dataclass
class Content:
    subject: str
    preheader: str
    headline: str
    paragraphs: list[str]
    cta_label: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: "what happens now" for delays and exceptions
    next_steps: str = ""
    #: (title, variant, quantity, amount or "")
    items: list[tuple[str, str, int, str]] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)
    bring: list[str] = field(default_factory=list)
    pickup_code: str = ""
    #: further links beside the main one: (label, absolute URL), e.g. the carrier's redelivery page
    links: list[tuple[str, str]] = field(default_factory=list)
    #: the carrier's tracking page of a parcel the message announces (a replacement), with its link text
    tracking_url: str = ""
    tracking_label: str = ""


def _return_items(ret: Any, order: Any) -> list[tuple[str, str, int, str]]:
    """A return's items as the email lists them: each with its own reason (and a waived fee)."""
    out = []
    for i in (ret.items if ret else []):
        title, variant = item_words(i, order.lines)
        why = _("Reason: %(reason)s", reason=reason_label(ret.reason_of.get(i.line_id, ret.reason)))
        if i.fee_waived:
            why += " · " + _("no return fee for this item")
        out.append((title, f"{variant} · {why}" if variant else why, i.quantity, ""))
    return out


def carrier_name(code: str) -> str:
    """The carrier's name in the message's language (one table: the shipping rules)."""
    return _(shipping_rules.carrier_name(code)) if code else _("the carrier")


def _estimate(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    return fmt_date(value, "weekday")


def exception_words(event: str, status: str, substatus: str, carrier: str) -> tuple[str, str]:
    """(what happened, what happens now) for a delivery problem, in plain language."""
    if event == "shipment.failed_attempt" or status == "failed_attempt":
        return (_("%(carrier)s tried to deliver your parcel but nobody was available to receive it.", carrier=carrier),
                _("The carrier will try again on the next working day. You can also arrange a new delivery "
                  "time with %(carrier)s using the tracking number below.", carrier=carrier))
    if event == "shipment.available_for_pickup" or status == "available_for_pickup":
        return (_("Your parcel is waiting for you at a %(carrier)s location.", carrier=carrier),
                _("Collect it with the tracking number and an ID before the carrier sends it back to us."))
    if status == "returned_to_sender":
        return (_("Your parcel could not be delivered and is on its way back to us."),
                _("We will contact you to arrange a new delivery or a refund. You do not need to do anything."))
    words = {
        "address_issue": (_("The carrier could not deliver your parcel because of a problem with the address."),
                          _("Please contact us with the correct address so that we can pass it on to the carrier.")),
        "damaged": (_("Your parcel was damaged in transit."),
                    _("We are sorry. We will contact you about a replacement or a refund.")),
        "lost": (_("The carrier has lost track of your parcel."),
                 _("We are sorry. We are investigating with the carrier and will send a replacement or a refund.")),
        "customs_hold": (_("Your parcel is held at customs."),
                         _("This usually clears in a few days. The carrier will contact you if anything is needed.")),
        "weather": (_("Bad weather is slowing deliveries in your area."),
                    _("Your parcel will move again as soon as it is safe. You do not need to do anything.")),
        "refused": (_("The parcel was refused at delivery."),
                    _("It is on its way back to us. Contact us if this was a mistake.")),
    }
    return words.get(substatus or "", (_("The carrier reported a problem with your parcel."),
                                       _("We are looking into it with the carrier and will email you as soon as we "
                                         "know more. You do not need to do anything.")))


def build(kind: str, event: str, payload: dict, facts: MessageFacts, *, now: dt.datetime) -> Content:
    """The words of one message."""
    order = facts.order
    number = order.number
    name = order.greeting_name
    lang = current_language()
    merchant = facts.brand.in_language(lang).name
    ship = facts.shipment
    carrier = carrier_name(payload.get("carrier") or (ship.carrier if ship else ""))
    tracking = payload.get("tracking_number") or (ship.tracking_number if ship else "")
    promise = facts.shipment_promise or facts.promise
    # the promise as the hub states it now (db/shipping/rules), else the event's own date
    when = promise_text(promise, facts.order.timezone)
    estimate = short_date(promise.date_to) if promise and promise.date_to else _estimate(
        payload.get("estimated_delivery") or (ship.estimate if ship else None))
    hello = _("Hello %(name)s,", name=name) if name else _("Hello,")
    tz = (order.store.timezone if order.store else None) or facts.brand.timezone

    def parcel_facts() -> list[tuple[str, str]]:
        out = [(_("Carrier"), carrier)]
        if tracking:
            out.append((_("Tracking number"), tracking))
        if when:
            out.append((_("Delivery"), when))
        return out

    if kind == "order_confirmed":
        if order.fulfillment_type == "pickup" and order.store:
            follow = _("We will email you as soon as your order is ready for pickup at %(store)s.",
                       store=words(order.store.texts, "name", order.store.name))
        else:
            follow = _("We will email you as soon as your order ships.")
        c = Content(
            subject=_("Order %(number)s confirmed", number=number),
            preheader=_("Thank you for your order from %(merchant)s.", merchant=merchant),
            headline=_("Thank you for your order"),
            paragraphs=[hello, _("We have received your order %(number)s.", number=number), follow],
            cta_label=_("View your order"),
            facts=[(_("Order number"), number), (_("Order date"), fmt_date(order.placed_at, tz=tz))],
            items=[(*line_words(ln), ln.quantity, money(ln.amount_minor, order.currency)) for ln in order.lines],
            totals=[(_("Total"), money(order.total_minor, order.currency))],
        )
        if facts.promise is not None:
            c.facts.append((_("Delivery"), promise_text(facts.promise, order.timezone)))
        return c
    if kind == "shipped":
        return Content(
            subject=_("Order %(number)s has shipped", number=number),
            preheader=_("Your parcel is on its way with %(carrier)s.", carrier=carrier),
            headline=_("Your order is on its way"),
            paragraphs=[hello, _("Your order %(number)s has left our warehouse with %(carrier)s.", number=number,
                                 carrier=carrier)],
            cta_label=_("Track your parcel"), facts=parcel_facts(),
        )
    if kind == "arriving_today":
        return Content(
            subject=_("Order %(number)s arrives today", number=number),
            preheader=_("Your parcel is out for delivery."),
            headline=_("Arriving today"),
            paragraphs=[hello, _("Your parcel is out for delivery with %(carrier)s and should arrive today.",
                                 carrier=carrier)],
            cta_label=_("Track your parcel"), facts=parcel_facts(),
        )
    if kind == "arriving_tomorrow":
        return Content(
            subject=_("Order %(number)s arrives tomorrow", number=number),
            preheader=_("Your parcel is expected tomorrow."),
            headline=_("Arriving tomorrow"),
            paragraphs=[hello, _("Your parcel is expected to arrive tomorrow, %(date)s.", date=estimate)],
            cta_label=_("Track your parcel"), facts=parcel_facts(),
        )
    if kind == "delayed":
        return Content(
            subject=_("Order %(number)s is delayed", number=number),
            preheader=_("New estimated delivery: %(date)s", date=estimate),
            headline=_("Your parcel is running late"),
            paragraphs=[hello, _("We are sorry: your parcel is taking longer than expected. "
                                 "The new estimated delivery is %(date)s.", date=estimate)],
            next_steps=_("You do not need to do anything. We are keeping an eye on your parcel and will email you "
                         "if anything changes."),
            cta_label=_("Track your parcel"), facts=parcel_facts(),
        )
    if kind == "exception":
        what, then = exception_words(event, payload.get("status") or (ship.status if ship else ""),
                                     payload.get("substatus") or (ship.substatus if ship else ""), carrier)
        c = Content(
            subject=_("Delivery update for order %(number)s", number=number),
            preheader=what, headline=_("There is a problem with your delivery"),
            paragraphs=[hello, what], next_steps=then,
            cta_label=_("See the details"), facts=parcel_facts(),
        )
        redelivery = shipping_rules.redelivery_url(payload.get("carrier") or (ship.carrier if ship else ""), tracking,
                                                   payload.get("status") or (ship.status if ship else ""))
        if redelivery:
            c.links.append((_("Arrange a redelivery with %(carrier)s", carrier=carrier), redelivery))
        return c
    if kind in ("change_applied", "change_refused"):
        return _change(kind, payload, facts, hello, number)
    if kind == "delivered":
        return Content(
            subject=_("Order %(number)s was delivered", number=number),
            preheader=_("Your parcel has arrived."),
            headline=_("Your order was delivered"),
            paragraphs=[hello, _("Your parcel was delivered by %(carrier)s. We hope you enjoy your order.",
                                 carrier=carrier),
                        _("If something is not right, you can start a return from your order page within "
                          "%(days)s days.", days=order.return_window_days)],
            cta_label=_("View your order"), facts=parcel_facts(),
        )
    if kind in ("pickup_ready", "pickup_reminder", "pickup_expired"):
        store = order.store
        store_name = plain(texts.pick(store.texts, "name", lang, store.name)) if store else merchant
        pickup = facts.pickup
        deadline = fmt_datetime(pickup.deadline, tz) if pickup is not None and pickup.deadline else ""
        store_facts = [(_("Store"), store_name)]
        if store and store.address:
            store_facts.append((_("Address"), addresses.format_address(store.address, lang, country=False).one_line()))
        if deadline and kind != "pickup_expired":
            store_facts.append((_("Pick up by"), deadline))
        if kind == "pickup_expired":
            return Content(
                subject=_("Order %(number)s was not picked up", number=number),
                preheader=_("The pickup time for your order has ended."),
                headline=_("Your pickup time has ended"),
                paragraphs=[
                    hello,
                    _(
                        "Your order waited for you at %(store)s, but the pickup time has ended, so the "
                        "items have gone back into stock.",
                        store=store_name,
                    ),
                ],
                next_steps=_("If you still want them, please contact us and we will help you."),
                cta_label=_("View your order"),
                facts=store_facts,
            )
        c = Content(
            subject=(
                _("Order %(number)s is ready for pickup", number=number)
                if kind == "pickup_ready"
                else _("Reminder: order %(number)s is waiting for you", number=number)
            ),
            preheader=_("Ready at %(store)s", store=store_name),
            headline=_("Your order is ready for pickup") if kind == "pickup_ready" else _("Your order is still waiting"),
            paragraphs=[
                hello,
                (
                    _("Your order is ready at %(store)s. Show the QR code below at the counter.", store=store_name)
                    if kind == "pickup_ready"
                    else _(
                        "Your order is still waiting for you at %(store)s. Please pick it up by "
                        "%(deadline)s, or it goes back into stock.",
                        store=store_name,
                        deadline=deadline or "-",
                    )
                ),
            ],
            cta_label=_("Open your pickup pass"),
            facts=store_facts,
            bring=_bring(store, lang) if store else [],
            pickup_code=pickup.display_code if pickup is not None else "",
        )
        instructions = texts.pick(store.texts, "pickup_instructions", lang, store.pickup_instructions) if store else None
        if instructions:
            c.paragraphs.append(plain(instructions))
        return c
    if kind in ("return_approved", "return_received", "return_refunded"):
        ret = facts.return_request
        ret_number = ret.number if ret else str(payload.get("number", ""))
        amount = money(ret.total_minor, ret.currency) if ret else ""
        ret_facts = [(_("Return number"), ret_number)]
        if amount:
            ret_facts.append((_("Refund amount") if kind == "return_refunded" else _("Expected refund"), amount))
        if kind == "return_approved":
            place = facts.return_destination
            if place is not None and ret is not None and not ret.keep_item:
                ret_facts.append((_("Send it to"), addresses.format_address(
                    place.address, lang, name=plain(texts.pick(place.texts, "name", lang, place.name)),
                    honorific=False).one_line()))
            if place is not None and place.send_by_day is not None:
                ret_facts.append((_("Send by"), fmt_date(place.send_by_day, "long")))
            return Content(
                subject=_("Return %(return)s for order %(number)s is approved", number=number, **{"return": ret_number}),
                preheader=_("Send the items back as described on your return page."),
                headline=_("Your return is approved"),
                paragraphs=[
                    hello,
                    _(
                        "Your return is approved. Your return page shows how to send the items back, "
                        "with the code or label you need."
                    ),
                ],
                cta_label=_("See how to send it back"),
                facts=ret_facts,
                items=_return_items(ret, order),
            )
        if kind == "return_received":
            return Content(
                subject=_("We received your return for order %(number)s", number=number),
                preheader=_("We are checking the items you sent back."),
                headline=_("We received your return"),
                paragraphs=[
                    hello,
                    _(
                        "The items you sent back have arrived. We are checking them and will email you "
                        "when the refund is on its way."
                    ),
                ],
                cta_label=_("View your return"),
                facts=ret_facts,
                items=_return_items(ret, order),
            )
        return Content(
            subject=_("Your refund for order %(number)s", number=number),
            preheader=_("We have issued your refund of %(amount)s.", amount=amount),
            headline=_("Your refund is on its way"),
            paragraphs=[
                hello,
                _(
                    "We have issued your refund of %(amount)s. Depending on your bank it can take a "
                    "few days to appear on your statement.",
                    amount=amount,
                ),
            ],
            cta_label=_("View your return"),
            facts=ret_facts,
            items=_return_items(ret, order),
        )
    if kind == "return_correction":
        ret_number = str(payload.get("number", ""))
        return Content(
            subject=_("Correction: return %(return)s for order %(number)s", number=number, **{"return": ret_number}),
            preheader=_("Please disregard our last email about this return."),
            headline=_("A correction about your return"),
            paragraphs=[
                hello,
                _("Please disregard our last email about return %(return)s: it was sent by mistake. The return "
                  "has not been received yet and no refund has been made for it.", **{"return": ret_number}),
                _("We will email you again as soon as it is received."),
            ],
            cta_label=_("View your return"),
            facts=[(_("Return number"), ret_number)],
        )
    if kind == "return_label":
        return _return_label(payload, facts, hello=hello, number=number)
    if kind in EXCHANGE_KINDS:
        return Content(**exchange_words(kind, payload, facts, hello))
    if kind in AFTER_SALES:
        return _after_sales(kind, payload, facts, hello=hello, number=number)
    if kind == "order_delayed":
        return _delayed(payload, facts, hello=hello, number=number)
    if kind == "review_invitation":
        return Content(
            subject=_("How do you like your order %(number)s?", number=number),
            preheader=_("Your review helps other shoppers."),
            headline=_("Tell others what you think"),
            paragraphs=[
                hello,
                _(
                    "We hope you are enjoying your order. A short review of what you bought helps "
                    "other shoppers choose, and it takes about a minute."
                ),
            ],
            cta_label=_("Write a review"),
            items=[(*line_words(ln), ln.kept_quantity, "") for ln in order.kept_lines],
        )
    if kind == "survey_invitation":
        return Content(
            subject=_("How did we do with order %(number)s?", number=number),
            preheader=_("One question, one tap."),
            headline=_("How did we do?"),
            paragraphs=[
                hello,
                _("How likely are you to recommend %(merchant)s to a friend? Answering takes one tap.", merchant=merchant),
            ],
            cta_label=_("Answer one question"),
        )
    if kind == "stepup_code":
        code = str(payload.get("code") or "")
        return Content(
            subject=_("Your verification code for order %(number)s", number=number),
            preheader=_("Your code is %(code)s", code=code),
            headline=_("Your verification code"),
            paragraphs=[hello, _("Enter this code on your order page to confirm it is you. It works once, for "
                                 "%(minutes)s minutes.", minutes=payload.get("minutes") or 10),
                        _("If you did not ask for a code, you can ignore this email: nothing changes without it.")],
            cta_label=_("View your order"),
            facts=[(_("Verification code"), code), (_("Order number"), number)],
        )
    if kind in ("order_cancelled", "cancel_refused"):
        return Content(**cancellation_words(kind, payload, facts, hello))
    if kind in PICKUP_KINDS:
        return Content(**pickup_words(kind, payload, facts, hello))
    if kind == "payment_received":
        paid_facts = [(_("Order number"), number), (_("Amount"), money(order.total_minor, order.currency)),
                      (_("Payment method"), payment_label(order.payment))]
        if order.paid_at:
            paid_facts.append((_("Paid on"), fmt_date(order.paid_at, tz=tz)))
        return Content(
            subject=_("Payment received for order %(number)s", number=number),
            preheader=_("Thank you: we received your payment of %(amount)s.",
                        amount=money(order.total_minor, order.currency)),
            headline=_("We received your payment"),
            paragraphs=[hello, _("We received your payment of %(amount)s for order %(number)s. Thank you.",
                                 amount=money(order.total_minor, order.currency), number=number),
                        _("We are now preparing your order. Your receipt is ready on your order page.")],
            cta_label=_("View your order"), facts=paid_facts,
        )
    raise ValueError(f"unknown message kind {kind!r}")


def _change(kind: str, payload: dict, facts: MessageFacts, hello: str, number: str) -> Content:
    """"Your delivery change is done" / "could not be made": what changed and what stands now, from
    the order's one current value (its address, its delivery preferences)."""
    change = payload.get("change") or {}
    what = str(change.get("kind") or payload.get("kind") or "")
    if what == "address":
        now_value = facts.address or {}
    else:
        now_value = facts.order.delivery
    current = delivery_words.value_words(what, now_value) if what in ("address", "window", "safe_place") else ""
    label = delivery_words.kind_label(what)
    rows = [(_("Order number"), number), (_("What you asked to change"), label)]
    if kind == "change_applied":
        if current:
            rows.append((_("From now on"), current))
        return Content(
            subject=_("Order %(number)s: your delivery change is done", number=number),
            preheader=_("%(what)s updated.", what=label),
            headline=_("Your delivery change is done"),
            paragraphs=[hello, _("We have updated your order as you asked. The carrier will use the new details.")],
            cta_label=_("View your order"), facts=rows,
        )
    note = str(change.get("note") or "")
    if note:
        rows.append((_("The shop's note"), note))
    if current:
        rows.append((_("Stays as"), current))
    return Content(
        subject=_("Order %(number)s: your delivery change could not be made", number=number),
        preheader=_("%(what)s stays as it was.", what=label),
        headline=_("We could not make your delivery change"),
        paragraphs=[hello, _("The shop could not make the change you asked for, so your order stays as it was.")],
        next_steps=_("If you need something else, reply to this email or contact the shop."),
        cta_label=_("View your order"), facts=rows,
    )


def _bring(store: StoreView, lang: str) -> list[str]:
    """What to bring, in `lang` when the store wrote it so; the other language's list marked once."""
    items = texts.pick(store.texts, "what_to_bring", lang, list(store.what_to_bring))
    words = [str(item) for item in items.value or []]
    if items.fallback and words:
        words[-1] = plain(texts.Localized(words[-1], items.lang, fallback=True))
    return words


#: messages about a return, an exchange or a claim after the shopper asked (issue 19 item 6)
AFTER_SALES = ("return_rejected", "return_in_transit", "exchange_shipped", "claim_resolved")


def _parcel(carrier: str, tracking_number: str) -> list[tuple[str, str]]:
    """Carrier and tracking number facts of a parcel (a counter or drop-off scan has no carrier)."""
    if not tracking_number:
        return []
    return [(_("Carrier"), carrier_name(carrier)), (_("Tracking number"), tracking_number)]


def _after_sales(kind: str, payload: dict, facts: MessageFacts, *, hello: str, number: str) -> Content:
    ret = facts.return_request
    ret_number = ret.number if ret else str(payload.get("number", ""))
    if kind == "claim_resolved":
        return _claim_resolved(payload, facts, hello=hello, number=number)
    ret_facts = [(_("Return number"), ret_number)]
    if kind == "return_rejected":
        reason = str((ret.note if ret else "") or payload.get("note") or "").strip()
        if reason:
            ret_facts.append((_("Reason"), reason))
        return Content(
            subject=_("Your return request for order %(number)s was declined", number=number),
            preheader=_("We could not accept return %(return)s.", **{"return": ret_number}),
            headline=_("We could not accept your return"),
            paragraphs=[hello, _("We are sorry: we could not accept your return request %(return)s.",
                                 **{"return": ret_number})]
            + ([_("The reason: %(reason)s", reason=reason)] if reason else []),
            next_steps=_("The items stay with you and nothing is charged. If you have questions about this "
                         "decision, reply to this email."),
            cta_label=_("View your return"), facts=ret_facts,
        )
    if kind == "return_in_transit":
        carrier = (ret.carrier if ret else "") or str(payload.get("carrier") or "")
        tracking = (ret.tracking_number if ret else "") or str(payload.get("tracking_number") or "")
        return Content(
            subject=_("Your return for order %(number)s is on its way to us", number=number),
            preheader=_("We will email you when it arrives."),
            headline=_("Your return is on its way"),
            paragraphs=[hello, _("Thank you for sending the items back. We will email you as soon as they "
                                 "arrive and we have checked them.")],
            cta_label=_("View your return"),
            facts=ret_facts + _parcel(carrier, tracking),
            items=[(*item_words(i, facts.order.lines), i.quantity, "") for i in (ret.items if ret else [])],
        )
    # exchange_shipped: the replacement went out (returns: received -> exchanged)
    given = payload.get("shipment")
    parcel: dict[str, Any] = given if isinstance(given, dict) else {}
    rep = ret.replacement if ret else None
    return Content(
        subject=_("Your replacement for order %(number)s is on its way", number=number),
        preheader=_("Your replacement is on its way."),
        headline=_("Your replacement is on its way"),
        paragraphs=[hello, _("We received the items you sent back and have sent you the replacement for "
                             "return %(return)s.", **{"return": ret_number})],
        cta_label=_("View your exchange"),
        facts=ret_facts + _parcel(str(parcel.get("carrier") or ""), str(parcel.get("tracking_number") or "")),
        items=[(_replacement_title(i, facts), i.option, i.quantity, "") for i in (rep.items if rep else [])],
        tracking_url=str(parcel.get("tracking_url") or ""),
        tracking_label=_("Track the parcel with %(carrier)s", carrier=carrier_name(str(parcel.get("carrier") or ""))),
    )


def _replacement_title(item: Any, facts: MessageFacts) -> str:
    """A replacement's product title in the message's language (its order line's texts)."""
    line = next((ln for ln in facts.order.lines if ln.line_id == item.line_id), None)
    return line_words(line)[0] if line is not None else str(item.title)


def _claim_resolved(payload: dict, facts: MessageFacts, *, hello: str, number: str) -> Content:
    claim = facts.claim
    claim_number = claim.number if claim else str(payload.get("number", ""))
    resolution = (claim.resolution if claim else "") or str(payload.get("resolution") or "")
    refund = money(claim.refunded_minor, claim.currency) if claim and claim.refunded_minor else ""
    said = {
        "refund": _("We have refunded %(amount)s.", amount=refund or "-"),
        "replacement": _("We are sending you a replacement of the items."),
        "both": _("We have refunded %(amount)s and are sending you a replacement of the items.",
                  amount=refund or "-"),
    }.get(resolution, _("Your claim is resolved."))
    note = str((claim.note if claim else "") or payload.get("note") or "").strip()
    claim_facts = [(_("Claim number"), claim_number)]
    if refund:
        claim_facts.append((_("Refund amount"), refund))
    return Content(
        subject=_("Your claim %(claim)s for order %(number)s is resolved", claim=claim_number, number=number),
        preheader=said,
        headline=_("We resolved your claim"),
        paragraphs=[hello, _("Thank you for telling us what went wrong. %(what)s", what=said)]
        + ([_("A note from us: %(note)s", note=note)] if note else []),
        next_steps=_("A refund can take a few days to appear on your statement.") if refund else "",
        cta_label=_("View your claim"), facts=claim_facts,
        items=[(*item_words(i, facts.order.lines), i.quantity, "") for i in (claim.items if claim else [])],
    )


def _delayed(payload: dict, facts: MessageFacts, *, hello: str, number: str) -> Content:
    """`order.delayed`: unshipped past the processing promise; the date is the event's (db/orders/delays)."""
    try:
        expected = fmt_date(dt.date.fromisoformat(str(payload.get("expected_ship_date"))[:10]), "weekday")
    except ValueError:
        expected = ""
    waiting = {str(b.get("line_id")): int(b.get("quantity") or 0) for b in payload.get("backordered") or []
               if isinstance(b, dict)}
    lines = [ln for ln in facts.order.lines if waiting.get(ln.line_id)]
    ship_words = _("We now expect to ship it around %(date)s.", date=expected) if expected else ""
    return Content(
        subject=_("Order %(number)s is taking longer to ship", number=number),
        preheader=ship_words or _("Your order has not shipped yet."),
        headline=_("Your order ships later than we said"),
        paragraphs=[hello, " ".join(p for p in (_("We are sorry: your order has not left us yet."), ship_words) if p)]
        + ([_("These items are waiting for stock:")] if lines else []),
        next_steps=_("You do not need to do anything. We will email you as soon as it ships. If you would rather "
                     "not wait, contact us."),
        cta_label=_("View your order"),
        facts=[(_("Expected to ship"), expected)] if expected else [],
        items=[(*line_words(ln), waiting[ln.line_id], "") for ln in lines],
    )


def _return_label(payload: dict, facts: MessageFacts, *, hello: str, number: str) -> Content:
    """The prepaid label (or the 着払い slip) of a mail return is ready: how to send it, with the label's
    carrier, tracking number or reference, and what the shopper is charged for it (the breakdown's part)."""
    ret = facts.return_request
    ret_number = ret.number if ret else str(payload.get("number", ""))
    label = ret.prepaid if ret else None
    items = [(_("Return number"), ret_number)]
    reference = (label.reference if label else "") or payload.get("reference") or ""
    tracking = (label.tracking_number if label else "") or payload.get("tracking_number") or ""
    carrier_code = (label.carrier if label else "") or payload.get("carrier") or ""
    if reference:
        items += [(_("Carrier"), carrier_name(carrier_code)), (_("Reference number"), reference)]
        paragraph = _("Send the parcel collect on delivery (着払い): write the reference number and our address on "
                      "the carrier's slip, or show the slip on your return page at the counter. You pay nothing.")
        if tracking:  # the 送り状番号 the shopper entered (db/returns/slip_numbers.py)
            items.append((_("Tracking number"), tracking))
        else:
            paragraph += " " + _("Then enter the tracking number from the carrier's receipt on your return page: "
                                 "your return updates by itself as the parcel moves.")
    else:
        items.append((_("Carrier"), carrier_name(carrier_code)))
        if tracking:
            items.append((_("Tracking number"), tracking))
        paragraph = _("Your prepaid return label is ready. Print it from your return page (or show its QR code "
                      "where the carrier offers one), stick it on the parcel and hand it to the carrier.")
    if ret is not None and ret.part("label"):
        items.append((_("Return label"), money(-ret.part("label"), ret.currency)))
    return Content(
        subject=_("Your return label for return %(return)s (order %(number)s)", number=number,
                  **{"return": ret_number}),
        preheader=_("Everything you need to send the items back."),
        headline=_("Your return label is ready"),
        paragraphs=[hello, paragraph],
        cta_label=_("Get your return label"),
        facts=items,
        items=[(*item_words(i, facts.order.lines), i.quantity, "") for i in (ret.items if ret else [])],
    )
