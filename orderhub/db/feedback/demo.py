"""Demo step: survey answers and reviews on two delivered demo orders of other shoppers, through
this area's services, so the admin lists and the storefront snippet show something:
- YK-100219 (鈴木): a promoter (10) whose review is published with the shop's reply;
- 1040 (Sam Rivera): a detractor (4) who asked to be contacted, with a review waiting for moderation.
The first delivered order of each merchant stays unanswered for the shopper to try. Both demo shops
open review invitations 2 days after delivery (the default is 7) so the invitation shows at once."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image, ImageDraw

from orderhub import images
from orderhub.db import demo_context as demo
from orderhub.db import engine
from orderhub.db.errors import Conflict
from orderhub.db.feedback import rules, services
from orderhub.db.feedback.tables import Review
from orderhub.db.merchants.services import update_section_settings
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import OrderLine

H = dt.timedelta(hours=1)

ANSWERS: dict[str, dict[str, Any]] = {
    "jp-1000": {
        "nps": 10,
        "csat": 5,
        "why": "梱包がていねいで、翌日に届きました。",
        "review": {
            "stars": 5,
            "title": "雨の日も快適",
            "body": "防水がしっかりしていて、雨の山道でも足が濡れませんでした。サイズ感もぴったりです。",
        },
        "publish": True,
        "reply": "ご購入とレビューをありがとうございます。次の山行も楽しんでください！",
    },
    "us-1040": {
        "nps": 4,
        "csat": 2,
        "why": "The box arrived crushed and one item was missing a tag.",
        "contact": True,
        "review": {
            "stars": 3,
            "title": "Good shoes, rough delivery",
            "body": "Comfortable on the trail, but the box was crushed when it arrived.",
        },
        "publish": False,
    },
}


def _photo() -> tuple[bytes, str, int, int]:
    img = Image.new("RGB", (480, 360), (46, 110, 80))
    draw = ImageDraw.Draw(img)
    draw.polygon([(0, 360), (160, 150), (260, 260), (360, 120), (480, 360)], fill=(230, 236, 232))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    clean = images.intake(buf.getvalue())
    return clean.data, clean.content_type, clean.width, clean.height


async def feedback(ctx: demo.DemoContext) -> None:
    for merchant in ctx.merchants.values():
        async with engine.read():
            row = await Merchant.select(Merchant.settings).where(Merchant.id == merchant.id).output(load_json=True).first()
        raw = ((row or {}).get("settings") or {}).get("feedback") or {}
        clean, _errors = rules.validate_feedback_settings(raw if isinstance(raw, dict) else {})
        await update_section_settings(merchant.id, "feedback", {**clean, "review_invite_days": 2})
    for order in ctx.orders:
        plan = ANSWERS.get(order.external_id)
        if plan is None or not order.order_id:
            continue
        now = ctx.now - 20 * H
        try:
            await services.record_nps(order.order_id, plan["nps"], now=now)
            await services.record_answers(order.order_id, why=plan["why"], csat=plan["csat"], now=now + 0.05 * H)
            if plan.get("contact"):
                await services.request_contact(order.order_id, now=now + 0.1 * H)
        except Conflict:
            continue  # not delivered in this demo run
        async with engine.read():
            line = (
                await OrderLine.select(OrderLine.line_id)
                .where(OrderLine.order == order.order_id)
                .order_by(OrderLine.position)
                .first()
            )
            assert line is not None  # a demo order has lines
            existing = (
                await Review.select(Review.id, Review.status)
                .where(Review.key == rules.review_key(order.order_id, line["line_id"]))
                .first()
            )
        if existing is None or rules.shopper_may_edit(existing["status"]):
            view = await services.save_review(
                order.order_id,
                line["line_id"],
                plan["review"],
                photos=[_photo()] if plan["publish"] and existing is None else [],
                now=now + 2 * H,
            )
        else:
            continue
        if plan["publish"]:
            merchant_id = ctx.merchants[order.merchant].id
            await services.moderate(merchant_id, view.id, "publish", now=now + 5 * H)
            await services.reply(merchant_id, view.id, plan["reply"], now=now + 5.1 * H)
