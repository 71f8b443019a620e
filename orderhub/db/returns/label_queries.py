"""Reads of return labels: the label as the return page, the admin, emails and the API show it, its PDF,
and the merchant's label-provider account (which fields are stored, never their values)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub import money
from orderhub.db import engine, statements, vault
from orderhub.db.returns import label_rules
from orderhub.db.returns.label_tables import LabelAccount, ReturnLabel

INFO = b"orderhub label-provider credentials v1"


# --- the merchant's provider -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    provider: str
    jp_carrier: str
    #: which credential fields are stored (never their values)
    stored: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return bool(self.provider) and all(f in self.stored for f in label_rules.CREDENTIAL_FIELDS[self.provider])


async def account(merchant_id: int, *, secret_key: str) -> AccountView:
    async with engine.read():
        row = await LabelAccount.select().where(LabelAccount.merchant == merchant_id).first()
    if row is None:
        return AccountView("", "", ())
    values = vault.unseal(secret_key, row["credentials"], info=INFO)
    return AccountView(row["provider"], row["jp_carrier"], tuple(sorted(k for k, v in values.items() if v)))


#: the merchant's label provider (no row: none set)
_PROVIDER = statements.Statement("SELECT a.provider AS provider FROM return_label_accounts a WHERE a.merchant = ?")


def offers_labels_read(merchant_id: int) -> statements.Read:
    """What `offers_labels` reads (a page says so beforehand: `statements.prefetch`)."""
    return _PROVIDER.read(merchant_id)


async def offers_labels(merchant_id: int) -> bool:
    """Whether the merchant makes return labels (a provider is set): only then is a label charged
    (label_rules.label_cost_minor). Joins the caller's read."""
    row = await offers_labels_read(merchant_id).first()
    return label_rules.offers_labels(row["provider"] if row else "")


# --- the label as pages, emails and the API show it ------------------------------------------------------


@dataclass(frozen=True)
class LabelView:
    return_id: int
    provider: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    carrier: str
    tracking_number: str
    label_url: str
    has_pdf: bool
    qr_url: str
    reference: str
    cost_minor: int
    currency: str
    tracking_status: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def created(self) -> bool:
        return self.state == label_rules.CREATED

    @property
    def failed(self) -> bool:
        return self.state == label_rules.FAILED

    @property
    def cancelled(self) -> bool:
        """Its return was withdrawn before a label was made (the shopper's page shows none)."""
        return self.state == label_rules.CANCELLED

    @property
    def is_slip(self) -> bool:
        return self.provider == label_rules.JP_SLIP

    @property
    def can_retry(self) -> bool:
        return self.state in label_rules.RETRYABLE

    def api(self) -> dict[str, Any]:
        """Added to `GET /api/v1/returns/{id}`'s `label` (additive keys)."""
        created = self.created
        return {
            "state": self.state, "provider": self.provider, "attempts": self.attempts,
            # the label's parcel, before the return is on its way (then the return's own are the same)
            **({"carrier": self.carrier or None, "tracking_number": self.tracking_number or None} if created else {}),
            "error": self.last_error or None if self.state != label_rules.CREATED else None,
            "label_url": self.label_url or None if created else None,
            "qr_url": self.qr_url or None if created else None,
            "reference": self.reference or None if created else None,
            "cost": money.to_string(self.cost_minor, self.currency) if created and self.currency else None,
            "cost_currency": self.currency or None if created else None,
            "tracking_status": self.tracking_status or None,
        }


VIEW_COLUMNS = [c for c in ReturnLabel.all_columns() if c._meta.name != "label_pdf"]


def _view(row: dict[str, Any]) -> LabelView:
    return LabelView(
        return_id=row["request"], provider=row["provider"], state=row["state"], attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"] if row["state"] == label_rules.PENDING else None,
        last_error=row["last_error"], carrier=row["carrier"], tracking_number=row["tracking_number"],
        label_url=row["label_url"], has_pdf=bool(row.get("has_pdf")), qr_url=row["qr_url"],
        reference=row["reference"], cost_minor=row["cost_minor"], currency=row["currency"],
        tracking_status=row["tracking_status"], created_at=row["created_at"], updated_at=row["updated_at"])


async def labels_for(return_ids: list[int]) -> dict[int, LabelView]:
    if not return_ids:
        return {}
    async with engine.read():
        rows = await ReturnLabel.select(*VIEW_COLUMNS).where(ReturnLabel.request.is_in(return_ids))
    return {r["request"]: _view(r) for r in rows}


_OF_ORDER = statements.Statement(
    f'SELECT {statements.named(ReturnLabel, "x", (c._meta.db_column_name for c in VIEW_COLUMNS))} '
    'FROM return_labels x JOIN return_requests r ON r.id = x.request WHERE r."order" = ?')


def labels_of_order_read(order_id: int) -> statements.Read:
    """What `labels_for_order` reads (a page says so beforehand: `statements.prefetch`)."""
    return _OF_ORDER.read(order_id)


async def labels_for_order(order_id: int) -> dict[int, LabelView]:
    """`labels_for` of every return of the order, by one fixed statement (inside a read scope)."""
    return {r["request"]: _view(r) for r in await labels_of_order_read(order_id).all()}


async def label_for(return_id: int) -> LabelView | None:
    return (await labels_for([return_id])).get(return_id)


async def label_pdf(return_id: int) -> bytes:
    async with engine.read():
        row = await ReturnLabel.select(ReturnLabel.label_pdf).where(
            (ReturnLabel.request == return_id) & (ReturnLabel.state == label_rules.CREATED)).first()
    return bytes(row["label_pdf"] or b"") if row else b""


