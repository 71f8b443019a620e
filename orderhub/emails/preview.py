"""Preview any message for any order (command line and admin): the event's payload is made from
the order's current state (its latest shipment, its latest return), then rendered as it would go out.

The command line's `orderhub email preview` is added by `add_command(subparsers, with_engine)`:
orderhub/cli.py passes its own `_with_engine`, so nothing here imports the command line."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.message
import functools
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from orderhub.db import engine
from orderhub.db.clock import system_clock
from orderhub.db.emails import queries, rules
from orderhub.db.orders import delays
from orderhub.db.returns.tables import Claim, ReturnRequest
from orderhub.db.shipping.tables import Shipment
from orderhub.emails import facts as message_facts
from orderhub.emails.facts import MessageFacts
from orderhub.emails.render import Rendered, as_message, from_address, html_for_browser, render
from orderhub.settings import Settings

#: cli._with_engine: runs a coroutine function with the database engine started for `settings`
WithEngine = Callable[[Settings, Callable[[], Awaitable[Any]]], Coroutine[Any, Any, Any]]


async def sample_payload(order_id: int, event: str, now: dt.datetime | None = None) -> dict:
    async with engine.read():
        if event.startswith("shipment."):
            ship = await Shipment.select().where(Shipment.order == order_id).order_by(Shipment.id, ascending=False).first()
            if ship:
                return {"shipment_id": ship["external_id"], "carrier": ship["carrier"],
                        "tracking_number": ship["tracking_number"], "status": ship["status"],
                        "substatus": ship["substatus"] or None,
                        "estimated_delivery": ship["estimate"].isoformat() if ship["estimate"] else None}
            return {"shipment_id": "preview", "carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "status": event.split(".", 1)[1], "substatus": None, "estimated_delivery": None}
        if event.startswith("return."):
            ret = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.number).where(
                ReturnRequest.order == order_id).order_by(ReturnRequest.id, ascending=False).first()
            return {"return_id": ret["id"], "number": ret["number"]} if ret else {"number": "R-PREVIEW"}
        if event.startswith("claim."):
            claim = await Claim.select(Claim.id, Claim.number, Claim.resolution).where(
                Claim.order == order_id).order_by(Claim.id, ascending=False).first()
            return {"claim_id": claim["id"], "number": claim["number"], "resolution": claim["resolution"] or "refund"} \
                if claim else {"number": "C-PREVIEW", "resolution": "refund"}
        if event == "order.delayed":
            at = now or system_clock()
            late = await delays.late_orders(at, order_id=order_id)
            if late:
                return late[0].payload()
            return {"expected_ship_date": (at.date() + dt.timedelta(days=7)).isoformat(), "expected_from": "estimate"}
    return {}


async def preview(order_id: int, event: str, locale: str, settings: Settings, *, now: dt.datetime) -> Rendered | None:
    if rules.spec_for(event) is None:
        raise ValueError(f"no message for {event!r}; one of: {', '.join(rules.EVENTS)}")
    spec = rules.EVENTS[event]
    return await render(spec.kind, event, await sample_payload(order_id, event, now), order_id, locale, settings, now=now)


def preview_message(rendered: Rendered, settings: Settings, merchant_name: str, to: str,
                    now: dt.datetime) -> email.message.EmailMessage:
    sender = from_address(settings)
    return as_message(rendered, to=to, sender_name=merchant_name, from_addr=sender,
                      message_id=rules.message_id_header("preview", sender), now=now)


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_engine: WithEngine) -> None:
    """`orderhub email preview --order X --merchant S --event E [--locale ja|en] [--text|--html|--eml]`;
    `with_engine` is the command line's way of running a coroutine with the database (cli._with_engine)."""
    email_cmd = sub.add_parser("email", help="transactional emails").add_subparsers(dest="action", required=True)
    p = email_cmd.add_parser("preview", help="print the message an event would send for an order")
    p.add_argument("--order", required=True, help="the order's external id")
    p.add_argument("--merchant", required=True, help="the merchant's slug")
    p.add_argument("--event", required=True, choices=sorted(rules.EVENTS))
    p.add_argument("--locale", choices=["ja", "en"], help="default: the order's language")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--text", action="store_true", help="only the plain-text part")
    shape.add_argument(
        "--html", action="store_true", help="only the HTML part (inline images as data: URIs, to open in a browser)"
    )
    p.set_defaults(fn=functools.partial(cmd_preview, with_engine=with_engine))


def cmd_preview(settings: Settings, args: argparse.Namespace, *, with_engine: WithEngine) -> int:
    async def run() -> tuple[Rendered | None, MessageFacts] | None:
        found = await queries.order_by_external_id(args.merchant, args.order)
        if found is None:
            return None
        facts = await message_facts.facts(found[1], settings.key_for("hub-token"))
        if facts is None:
            return None
        locale = args.locale or (facts.order.locale or "en").split("-")[0]
        rendered = await preview(found[1], args.event, locale, settings, now=system_clock())
        return rendered, facts

    result = asyncio.run(with_engine(settings, run))
    if result is None or result[0] is None:
        print(json.dumps({"error": "no such merchant or order"}), file=sys.stderr)
        return 1
    rendered, facts = result
    if args.text:
        sys.stdout.write(rendered.text)
    elif args.html:
        sys.stdout.write(html_for_browser(rendered))
    else:
        msg = preview_message(rendered, settings, facts.brand.name, facts.email, system_clock())
        sys.stdout.write(msg.as_string())
    return 0
