"""Return labels at rest and the label job: a row per approved mail return of a merchant with a label
provider (pending -> creating -> created | failed, with attempts and a backoff like the email outbox; cancelled
when the return is withdrawn first), each claimed alone just before its provider is called with a lease
longer than one attempt can take, every write of the attempt conditional on its claim, and the provider's
shipment and rate saved before the purchase, so a label is bought at most once; on success the tracking number, carrier
and cost are stored on the label (the return takes them once the parcel moves) and
`return.label_created` is notified (webhook and the shopper's email, once). Carrier events on a
label's tracking number move the return through the same service as manual moves
(`on_carrier_events`). The merchant's provider and sealed credentials (`save_account`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, cast

import httpx
from piccolo.columns import Column

from orderhub import money
from orderhub.db import engine, statements, vault
from orderhub.db.clock import Clock
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order
from orderhub.db.outbox.services import notify
from orderhub.db.returns import label_queries, label_rules, label_store, labels, services
from orderhub.db.returns import rules as return_rules
from orderhub.db.returns.label_tables import LabelAccount, ReturnLabel
from orderhub.db.returns.tables import ReturnRequest
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.shipping import services as shipping_services

# --- the merchant's provider (settings) -----------------------------------------------------------------


def read_account(body: dict[str, Any], current: label_queries.AccountView) -> tuple[str, dict[str, str], str]:
    """The settings form -> (provider, new credential values, jp carrier), or ValidationFailed. A blank
    credential keeps the stored one."""
    errors: list[dict[str, Any]] = []
    provider = body.get("provider") or ""
    if provider not in ("", *label_rules.PROVIDERS):
        errors.append({"field": "provider", "code": label_rules.BAD_PROVIDER, "message": "not a label provider"})
        provider = ""
    values: dict[str, str] = {}
    for name in label_rules.CREDENTIAL_FIELDS.get(provider, ()):
        value = body.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if len(value) > label_rules.MAX_CREDENTIAL:
            errors.append({"field": name, "code": label_rules.CREDENTIAL_TOO_LONG, "message": "too long"})
        elif value:
            values[name] = value
        elif name not in current.stored or current.provider != provider:
            errors.append({"field": name, "code": label_rules.CREDENTIAL_REQUIRED, "message": "required"})
    carrier = body.get("jp_carrier") or ""
    if provider == label_rules.JP_SLIP and carrier not in label_rules.JP_CARRIERS:
        errors.append({"field": "jp_carrier", "code": label_rules.BAD_CARRIER, "message": "choose a carrier"})
    if errors:
        raise ValidationFailed(errors)
    return provider, values, carrier if provider == label_rules.JP_SLIP else ""


async def save_account(merchant_id: int, body: dict[str, Any], *, secret_key: str,
                       now: dt.datetime) -> label_queries.AccountView:
    current = await label_queries.account(merchant_id, secret_key=secret_key)
    provider, values, carrier = read_account(body, current)
    async with engine.write():
        row = await LabelAccount.select().where(LabelAccount.merchant == merchant_id).first()
        same = row is not None and row["provider"] == provider
        kept = vault.unseal(secret_key, row["credentials"], info=label_queries.INFO) if row and same else {}
        sealed = vault.seal(secret_key, {**kept, **values}, info=label_queries.INFO)
        fields: dict[Column | str, Any] = {LabelAccount.provider: provider, LabelAccount.credentials: sealed,
                                           LabelAccount.jp_carrier: carrier, LabelAccount.updated_at: now}
        if row is None:
            await LabelAccount.insert(LabelAccount(merchant=merchant_id, provider=provider, credentials=sealed,
                                                   jp_carrier=carrier, updated_at=now))
        else:
            await LabelAccount.update(fields).where(LabelAccount.id == row["id"])
        if not label_rules.offers_labels(provider):
            await label_store.drop_unmade_charges(merchant_id)
    return await label_queries.account(merchant_id, secret_key=secret_key)


# --- the job ---------------------------------------------------------------------------------------------


async def enqueue_approved(now: dt.datetime, limit: int = 100) -> int:
    """A pending label row for every approved mail return of a merchant with a label provider that has
    none yet (the unique request key: one row per return, whoever inserts first). -> rows added."""
    async with engine.read():
        providers = {a["merchant"]: a["provider"] for a in await LabelAccount.select(
            LabelAccount.merchant, LabelAccount.provider).where(LabelAccount.provider != "")}
        candidates = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.merchant, ReturnRequest.method,
                                                ReturnRequest.keep_item, ReturnRequest.status).where(
            (ReturnRequest.status == return_rules.APPROVED) & ReturnRequest.method.is_in(list(label_rules.LABEL_METHODS))
            & (ReturnRequest.keep_item == False)  # noqa: E712
            & ReturnRequest.merchant.is_in(list(providers) or [0])
            & ReturnRequest.id.not_in(ReturnLabel.select(ReturnLabel.request))
        ).order_by(ReturnRequest.id).limit(limit) if providers else []
    rows = [ReturnLabel(merchant=c["merchant"], request=c["id"], provider=providers[c["merchant"]],
                        state=label_rules.PENDING, attempts=0, next_attempt_at=now,
                        idempotency_key=label_rules.idempotency_key(c["id"]), created_at=now, updated_at=now)
            for c in candidates if label_rules.wants_label(c["method"], c["keep_item"], c["status"])]
    if not rows:
        return 0
    async with engine.write():
        added = await ReturnLabel.insert(*rows).on_conflict(target=ReturnLabel.request, action="DO NOTHING"
                                                             ).returning(ReturnLabel.id)
    return len(added)


async def due(now: dt.datetime, limit: int = 100) -> list[int]:
    async with engine.read():
        rows = await ReturnLabel.select(ReturnLabel.id).where(
            (ReturnLabel.state == label_rules.PENDING) & (ReturnLabel.next_attempt_at <= now)
        ).order_by(ReturnLabel.next_attempt_at).limit(limit)
    return [r["id"] for r in rows]


async def claim_one(label_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """Pending -> creating with one more attempt and a lease from `now`, atomically, just before its
    provider is called: two runners never both hold one label. The attempts count it leaves is the
    claim's token: every later write of this attempt matches it. -> the claimed row, or None."""
    async with engine.write():
        claimed = await ReturnLabel.update({
            ReturnLabel.state: label_rules.CREATING, ReturnLabel.attempts: ReturnLabel.attempts + 1,
            ReturnLabel.next_attempt_at: now + dt.timedelta(seconds=label_rules.LEASE_SECONDS),
            ReturnLabel.updated_at: now,
        }).where((ReturnLabel.id == label_id) & (ReturnLabel.state == label_rules.PENDING)
                 & (ReturnLabel.next_attempt_at <= now)).returning(ReturnLabel.id)
        if not claimed:
            return None
        row = await ReturnLabel.select(*label_queries.VIEW_COLUMNS).where(ReturnLabel.id == label_id).first()
    return row


def _held(row: dict[str, Any]) -> Any:
    """This attempt still holds the label: creating, with the attempts count its claim left."""
    return ((ReturnLabel.id == row["id"]) & (ReturnLabel.state == label_rules.CREATING)
            & (ReturnLabel.attempts == row["attempts"]))


async def release_stuck(now: dt.datetime) -> int:
    """Labels whose worker died mid-call (lease over): due again (the stored progress and the
    provider-side check keep a second purchase from happening), or failed when out of attempts (the
    label's charge then leaves the return's breakdown)."""
    async with engine.write():
        dead = await ReturnLabel.update({ReturnLabel.state: label_rules.FAILED,
                                         ReturnLabel.last_error: "the label job stopped while calling the provider"}
                                        ).where(
            (ReturnLabel.state == label_rules.CREATING) & (ReturnLabel.next_attempt_at < now)
            & (ReturnLabel.attempts >= label_rules.MAX_ATTEMPTS)).returning(ReturnLabel.request)
        for d in dead:
            await label_store.drop_label_charge(d["request"])
        again = await ReturnLabel.update({ReturnLabel.state: label_rules.PENDING, ReturnLabel.next_attempt_at: now}
                                         ).where((ReturnLabel.state == label_rules.CREATING)
                                                 & (ReturnLabel.next_attempt_at < now)).returning(ReturnLabel.id)
    return len(dead) + len(again)


async def _parcel(row: dict[str, Any], jp_carrier: str) -> tuple[labels.Parcel | None, bool]:
    """-> (what goes back, or None when the return is gone; whether the return still wants a label)."""
    async with engine.read():
        ret = await ReturnRequest.select(ReturnRequest.number, ReturnRequest.order, ReturnRequest.status,
                                         ReturnRequest.method, ReturnRequest.keep_item).where(
            ReturnRequest.id == row["request"]).first()
        if ret is None:
            return None, False
        order = await Order.select(Order.shipping_address, Order.customer_email).output(load_json=True).where(
            Order.id == ret["order"]).first()
        merchant = await Merchant.select(Merchant.name, Merchant.address).output(load_json=True).where(
            Merchant.id == row["merchant"]).first()
    wanted = label_rules.wants_label(ret["method"], ret["keep_item"], ret["status"])
    if order is None or merchant is None:
        return None, wanted
    address = dict(cast(dict[str, Any], merchant["address"] or {}))
    address.setdefault("name", merchant["name"])
    return labels.Parcel(return_id=row["request"], return_number=ret["number"],
                         shopper=cast(dict[str, Any], order["shipping_address"] or {}), merchant=address,
                         shopper_email=order["customer_email"] or "", jp_carrier=jp_carrier), wanted


async def create_due(client: httpx.AsyncClient, *, secret_key: str, api_url: str, now: dt.datetime,
                     clock: Clock | None = None, limit: int = 100) -> dict[str, int]:
    """One pass: release stuck rows, add rows for newly approved returns, try every due label once, each
    claimed alone just before its provider is called (`clock`: read afresh for each claim and record).
    -> counts of created, retry, failed (a label cancelled because its return was withdrawn: none)."""
    read_clock: Clock = clock or (lambda: now)
    counts = {"created": 0, "retry": 0, "failed": 0}
    await release_stuck(now)
    await enqueue_approved(now, limit)
    for label_id in await due(now, limit):
        row = await claim_one(label_id, read_clock())
        if row is None:  # another runner has it, or it moved meanwhile
            continue
        state = await _create_one(client, row, secret_key=secret_key, api_url=api_url, clock=read_clock)
        if state != label_rules.CANCELLED:
            counts[{label_rules.CREATED: "created", label_rules.PENDING: "retry"}.get(state, "failed")] += 1
    return counts


async def _create_one(client: httpx.AsyncClient, row: dict[str, Any], *, secret_key: str, api_url: str,
                      clock: Clock) -> str:
    async with engine.read():
        acct = await LabelAccount.select().where(LabelAccount.merchant == row["merchant"]).first()
    progress = labels.Progress(row["provider_shipment_id"], row["provider_rate_id"], row["cost_minor"],
                               row["currency"])
    parcel, wanted = await _parcel(row, acct["jp_carrier"] if acct else "")
    if not wanted:  # withdrawn (or gone) since it was queued: no label is bought for it
        return await _cancel(row, clock())
    if parcel is None or acct is None or acct["provider"] != row["provider"]:
        error = "the label provider changed or was removed" if parcel is not None else "the return is gone"
        return await _record_failure(row, labels.LabelFailed(label_rules.Outcome(ok=False, error=error), progress),
                                     clock())
    credentials = labels.Credentials(row["provider"], vault.unseal(secret_key, acct["credentials"], info=label_queries.INFO),
                                     api_url, row["idempotency_key"])

    async def save(p: labels.Progress) -> None:
        await _save_progress(row, p, clock())

    try:
        async with asyncio.timeout(label_rules.ATTEMPT_DEADLINE_SECONDS):
            label = await labels.create_label(client, parcel, credentials, progress, save=save)
    except labels.LabelFailed as failed:
        return await _record_failure(row, failed, clock())
    except TimeoutError:  # the whole attempt took too long: its lease must outlive it
        outcome = label_rules.Outcome(ok=False, retry=True, error=labels.TRANSPORT_ERROR)
        return await _record_failure(row, labels.LabelFailed(outcome, await _stored_progress(row, progress)), clock())
    except Exception as exc:  # an adapter's own bug must not stop the others: retried like a 5xx
        outcome = label_rules.Outcome(ok=False, retry=True, error=type(exc).__name__)
        return await _record_failure(row, labels.LabelFailed(outcome, await _stored_progress(row, progress)), clock())
    return await _record_success(row, label, clock())


async def _save_progress(row: dict[str, Any], p: labels.Progress, now: dt.datetime) -> None:
    """The provider's shipment and chosen rate, in their own write before the purchase is sent: a crash
    after it still leaves what the next attempt needs to look the purchase up instead of buying again."""
    async with engine.write():
        await ReturnLabel.update({
            ReturnLabel.provider_shipment_id: p.shipment_id[:100], ReturnLabel.provider_rate_id: p.rate_id[:100],
            ReturnLabel.cost_minor: p.cost_minor, ReturnLabel.currency: p.currency[:3], ReturnLabel.updated_at: now,
        }).where(_held(row))


async def _stored_progress(row: dict[str, Any], progress: labels.Progress) -> labels.Progress:
    """What `_save_progress` kept during this attempt (else what it started with)."""
    async with engine.read():
        got = await ReturnLabel.select(ReturnLabel.provider_shipment_id, ReturnLabel.provider_rate_id,
                                       ReturnLabel.cost_minor, ReturnLabel.currency).where(
            ReturnLabel.id == row["id"]).first()
    if not got or not got["provider_shipment_id"]:
        return progress
    return labels.Progress(got["provider_shipment_id"], got["provider_rate_id"], got["cost_minor"], got["currency"])


async def _cancel(row: dict[str, Any], now: dt.datetime) -> str:
    async with engine.write():
        await ReturnLabel.update({ReturnLabel.state: label_rules.CANCELLED, ReturnLabel.updated_at: now}).where(
            _held(row))
    return label_rules.CANCELLED


async def _record_failure(row: dict[str, Any], failed: labels.LabelFailed, now: dt.datetime) -> str:
    """Back off, or fail for good (the label's charge leaves the return's breakdown); only while this
    attempt still holds the label."""
    state, at = label_rules.after_failure(row["attempts"], failed.outcome, now)
    p = failed.progress
    async with engine.write():
        done = await ReturnLabel.update({
            ReturnLabel.state: state, ReturnLabel.next_attempt_at: at, ReturnLabel.last_error: failed.outcome.error[:1000],
            ReturnLabel.provider_shipment_id: p.shipment_id[:100], ReturnLabel.provider_rate_id: p.rate_id[:100],
            ReturnLabel.cost_minor: p.cost_minor, ReturnLabel.currency: p.currency[:3], ReturnLabel.updated_at: now,
        }).where(_held(row)).returning(ReturnLabel.id)
        if done and state == label_rules.FAILED:
            await label_store.drop_label_charge(row["request"])
    return state


async def _record_success(row: dict[str, Any], label: labels.Label, now: dt.datetime) -> str:
    """Store the label and announce it, in one transaction and only while this attempt holds the label:
    exactly once. A label bought while its return was being withdrawn is stored (the merchant sees it,
    to void it at the provider) but not announced."""
    async with engine.write():
        done = await ReturnLabel.update({
            ReturnLabel.state: label_rules.CREATED, ReturnLabel.last_error: "", ReturnLabel.updated_at: now,
            ReturnLabel.carrier: label.carrier[:64], ReturnLabel.tracking_number: label.tracking_number[:100],
            ReturnLabel.label_url: label.label_url, ReturnLabel.label_pdf: label.pdf, ReturnLabel.qr_url: label.qr_url,
            ReturnLabel.reference: label.reference[:32], ReturnLabel.cost_minor: label.cost_minor,
            ReturnLabel.currency: label.currency[:3],
        }).where(_held(row)).returning(ReturnLabel.id)
        if not done:
            return label_rules.CREATED
        ret = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.number, ReturnRequest.order,
                                         ReturnRequest.status, ReturnRequest.method, ReturnRequest.keep_item).where(
            ReturnRequest.id == row["request"]).first()
        if ret is None or not label_rules.wants_label(ret["method"], ret["keep_item"], ret["status"]):
            return label_rules.CREATED
        payload = {"return_id": ret["id"], "number": ret["number"], "provider": row["provider"],
                   "carrier": label.carrier, "tracking_number": label.tracking_number or None,
                   "reference": label.reference or None,
                   "cost": money.to_string(label.cost_minor, label.currency) if label.currency else None,
                   "cost_currency": label.currency or None}
        await notify(row["merchant"], "return.label_created", payload, order_id=ret["order"], now=now)
    return label_rules.CREATED


async def retry_now(merchant_id: int, return_id: int, *, now: dt.datetime) -> label_queries.LabelView:
    """The merchant's "retry now": a pending or failed label is due at once with fresh attempts (the
    stored progress stays: a retry never buys a second label)."""
    async with engine.write():
        row = await ReturnLabel.select(ReturnLabel.id, ReturnLabel.state).where(
            (ReturnLabel.request == return_id) & (ReturnLabel.merchant == merchant_id)).first()
        if row is None:
            raise NotFound(label_rules.LABEL_NOT_FOUND, "this return has no label")
        if row["state"] not in label_rules.RETRYABLE:
            raise Conflict(label_rules.NOT_RETRYABLE, f"a label that is {row['state']} cannot be retried",
                           state=row["state"])
        await ReturnLabel.update({ReturnLabel.state: label_rules.PENDING, ReturnLabel.attempts: 0,
                                  ReturnLabel.next_attempt_at: now, ReturnLabel.last_error: "",
                                  ReturnLabel.updated_at: now}).where(ReturnLabel.id == row["id"])
    view = await label_queries.label_for(return_id)
    assert view is not None
    return view


# --- carrier events on a label's parcel ------------------------------------------------------------------


#: the made label of a parcel as carriers name it (as typed, or normalised), one fixed statement: every
#: carrier ingest call asks it before the shipments
_LABEL_FOR_EVENTS = statements.Statement(
    "SELECT l.id AS id, l.request AS request, l.tracking_status AS tracking_status, l.carrier AS carrier, "
    "l.tracking_number AS tracking_number FROM return_labels l "
    "WHERE l.merchant = ? AND l.tracking_number IN (?, ?) AND l.state = ? LIMIT 1")


async def on_carrier_events(merchant_id: int, data: dict[str, Any], *, now: dt.datetime) -> bool:
    """Events (`shipping.rules.read_events`' shape) for a return label's tracking number move its return:
    in transit once moving, received once delivered to the merchant, through `services.transition` (the
    same emails and webhooks as a manual move, each once; a move already made, or backwards, is
    skipped). -> False when no label has this tracking number (the caller tries the shipments)."""
    number = data["tracking_number"]
    row = await _LABEL_FOR_EVENTS.first(merchant_id, number, shipping_rules.normalize_tracking_number(number),
                                        label_rules.CREATED)
    if row is None:
        return False
    status = label_rules.latest_status(data["events"])
    if not status:
        return True
    before = row["tracking_status"]
    if not before or shipping_rules.PROGRESS.get(status, 0) >= shipping_rules.PROGRESS.get(before, 0):
        async with engine.write():
            await ReturnLabel.update({ReturnLabel.tracking_status: status, ReturnLabel.updated_at: now}).where(
                ReturnLabel.id == row["id"])
    for action in label_rules.actions_for(status):
        try:
            # the parcel on its way back is the label's (the return's carrier and tracking number)
            extra = {"carrier": row["carrier"], "tracking_number": row["tracking_number"]} if action == "ship" else None
            await services.transition(merchant_id, row["request"], action, now=now, extra=extra)
        except Conflict:  # already further along (never backwards), or moved meanwhile
            continue
    return True


async def ingest_events(merchant_id: int, body: object, *, source: str, now: dt.datetime) -> shipping_services.Ingest:
    """`POST /api/v1/tracking-events` and the carrier webhooks: a return label's parcel moves its return;
    any other parcel goes to the shipments (db/shipping) as before. -> shipping's Ingest."""
    data, errors = shipping_rules.read_events(body)
    if errors:
        raise ValidationFailed(errors)
    if await on_carrier_events(merchant_id, data, now=now):
        return shipping_services.Ingest(accepted=len(data["events"]))
    return await shipping_services.ingest_parsed(merchant_id, data, source=source, now=now)
