"""PENDING until ADMIN-CORE lands orderhub/site/admin/guard.py and layouts/admin.html.jinja: then register
orderhub.site.admin.emails.AdminEmailsController in site/app.py CONTROLLERS and rename this file to
tests/integration/test_emails_admin.py.

`/admin/emails`: the outbox with its dead letters and retry (plain forms with CSRF), and the preview
of any message for any of the merchant's orders; another merchant's emails and orders stay out of reach."""

from __future__ import annotations

import re

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from tests.admin_ops_support import CSRF, admin_user, sign_in
from tests.emails_support import mail_settings, smtp_server  # noqa: F401 (fixtures)
from tests.pickup_support import make_ready


async def _kill_all(order_id: int) -> int:
    async with engine.write():
        rows = await EmailMessage.update({EmailMessage.state: "dead", EmailMessage.attempts: 8,
                                          EmailMessage.last_error: "SMTPDataError: 451 <b>try later</b>"}).where(
            EmailMessage.order_id == order_id).returning(EmailMessage.id)
    return rows[0]["id"]


async def test_outbox_lists_dead_letters_and_sends_them_again(client, merchants, orders, clock):
    dead_id = await _kill_all(orders["us_ship"].id)
    assert (await client.get("/admin/emails")).status_code in (302, 303)  # not signed in
    await sign_in(client, await admin_user(clock, "acme"))
    page = await client.get("/admin/emails?state=dead")
    assert page.status_code == 200
    assert orders["us_ship"].number in page.text and "jordan.lee@example.com" in page.text
    assert "&lt;b&gt;try later&lt;/b&gt;" in page.text and "<b>try later</b>" not in page.text
    assert orders["jp_ship"].number not in page.text  # yamakaze's emails are not acme's
    token = CSRF.search(page.text).group(1)
    # no CSRF token: refused
    assert (await client.post(f"/admin/emails/{dead_id}/retry", data={"state": "dead"})).status_code == 403
    done = await client.post(f"/admin/emails/{dead_id}/retry", data={"state": "dead", "_csrf_token": token})
    assert done.status_code == 303 and done.headers["location"].startswith("/admin/emails?state=dead")
    async with engine.read():
        row = await EmailMessage.select().where(EmailMessage.id == dead_id).first()
    assert row["state"] == "pending" and row["attempts"] == 0
    # another merchant's email, hostile ids: 404
    async with engine.read():
        theirs = await EmailMessage.select(EmailMessage.id).where(
            EmailMessage.order_id == orders["jp_ship"].id).first()
    for bad in (theirs["id"], "abc", "9" * 30):
        r = await client.post(f"/admin/emails/{bad}/retry", data={"_csrf_token": token})
        assert r.status_code == 404, bad


async def test_preview_any_message_for_any_order(client, merchants, orders, clock):
    assert (await make_ready(client, merchants["yamakaze"][1])).status_code == 200
    await sign_in(client, await admin_user(clock, "yamakaze", role="staff"))
    page = await client.get("/admin/emails/preview?order=jp_pickup&event=pickup.ready&locale=en")
    assert page.status_code == 200
    assert "Order YK-100235 is ready for pickup" in page.text
    frame_url = re.search(r'<iframe class="emails-frame" src="([^"]+)" sandbox', page.text).group(1)
    frame = await client.get(frame_url.replace("&amp;", "&"))
    assert frame.status_code == 200 and "data:image/png;base64," in frame.text
    csp = frame.headers["content-security-policy"]
    assert "sandbox" in csp and "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]  # the page itself keeps ours
    # by order number, in the order's language
    ja = await client.get("/admin/emails/preview?order=YK-100234&event=shipment.delayed")
    assert ja.status_code == 200 and "お届けが遅れています（注文番号 YK-100234）" in ja.text
    # another merchant's order, unknown orders and hostile input: a clear 422, never a 500
    for ref in (orders["us_ship"].number, "us_ship", "<script>x</script>", "x" * 201):
        r = await client.get("/admin/emails/preview", params={"order": ref, "event": "order.confirmed"})
        assert r.status_code == 422, ref
        assert "<script>x</script>" not in r.text
    assert (await client.get("/admin/emails/preview?order=jp_ship&event=nope")).status_code == 422
    assert (await client.get("/admin/emails/preview/frame?order=us_ship&event=order.confirmed")).status_code == 404


async def _three_approved_returns(merchants, orders, clock) -> list[str]:
    """Three returns of jp_ship approved one after the other: three "return approved" emails."""
    from orderhub.db.returns import services as returns
    from orderhub.db.returns.tables import ReturnRequest
    from tests.admin_ops_support import make_return

    merchant_id = merchants["yamakaze"][0].id
    numbers = []
    for i, items in enumerate(({"L1": 1}, {"L2": 1}, {"L2": 1})):
        rid = await make_return(orders["jp_ship"].id, items, now=clock(), key=f"three-{i}")
        await returns.transition(merchant_id, rid, "approve", now=clock.advance(minutes=5))
        async with engine.read():
            numbers.append((await ReturnRequest.select(ReturnRequest.number).where(ReturnRequest.id == rid).first())["number"])
    assert len(set(numbers)) == 3
    return numbers


async def _approved_rows(order_id: int) -> list[int]:
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.id).where(
            (EmailMessage.order_id == order_id) & (EmailMessage.event == "return.approved")).order_by(EmailMessage.id)
    return [r["id"] for r in rows]


async def test_the_email_log_shows_each_message_as_it_was_sent(client, merchants, orders, clock, mail_settings,
                                                               smtp_server):
    from orderhub.db.returns.tables import ReturnRequest
    from orderhub.emails.jobs import send_due

    numbers = await _three_approved_returns(merchants, orders, clock)
    assert (await send_due(mail_settings, clock))["sent"] >= 3
    received = [m for m in smtp_server.wait_for(3) if "RMA" in str(m["Subject"]) or any(n in m.as_string() for n in numbers)]
    assert received
    # what the shop does afterwards (a return's number changes here) does not change what was sent
    async with engine.write():
        for number in numbers:
            await ReturnRequest.update({ReturnRequest.number: f"R-CHANGED-{number}"}).where(
                ReturnRequest.number == number)
    await sign_in(client, await admin_user(clock, "yamakaze"))
    ids = await _approved_rows(orders["jp_ship"].id)
    assert len(ids) == 3
    outbox = await client.get("/admin/emails?lang=en")
    for message_id in ids:
        assert f'href="/admin/emails/{message_id}' in outbox.text
    assert outbox.text.count(">Return approved</a>") == 3
    for message_id, number in zip(ids, numbers, strict=True):
        page = await client.get(f"/admin/emails/{message_id}?lang=en")
        assert page.status_code == 200 and "as it was rendered for sending" in page.text
        assert number in page.text and "R-CHANGED" not in page.text
        assert all(other not in page.text for other in numbers if other != number)
        frame = await client.get(f"/admin/emails/{message_id}/frame")
        assert frame.status_code == 200 and number in frame.text
        assert "sandbox" in frame.headers["content-security-policy"]
    ja = await client.get(f"/admin/emails/{ids[0]}?lang=ja")
    assert "返品" in ja.text and "実際の送信内容" in ja.text


async def test_a_message_without_a_kept_copy_is_rendered_now_from_its_own_payload(client, merchants, orders, clock):
    numbers = await _three_approved_returns(merchants, orders, clock)  # no SMTP: they wait, nothing kept
    await sign_in(client, await admin_user(clock, "yamakaze"))
    for message_id, number in zip(await _approved_rows(orders["jp_ship"].id), numbers, strict=True):
        page = await client.get(f"/admin/emails/{message_id}?lang=en")
        assert page.status_code == 200 and "No copy of this message was kept" in page.text
        assert "rendered now" in page.text and number in page.text
        assert all(other not in page.text for other in numbers if other != number)
    # another merchant's message, hostile ids: the same 404
    async with engine.read():
        theirs = await EmailMessage.select(EmailMessage.id).where(EmailMessage.order_id == orders["us_ship"].id).first()
    for bad in (theirs["id"], "abc", "9" * 30, "1%3Cscript%3E"):
        assert (await client.get(f"/admin/emails/{bad}")).status_code == 404, bad
        assert (await client.get(f"/admin/emails/{bad}/frame")).status_code == 404, bad


def test_each_event_has_its_own_name_in_both_languages():
    from orderhub.components import i18n
    from orderhub.db.emails import rules
    from orderhub.site.admin.emails import event_label

    assert set(rules.EVENT_NAMES) == set(rules.EVENTS)
    for lang in ("en", "ja"):
        with i18n.language(lang):
            labels = [event_label(event) for event in rules.EVENTS]
        assert len(set(labels)) == len(labels), (lang, labels)
    with i18n.language("ja"):
        assert event_label("shipment.failed_attempt") != "Delivery attempt failed"
