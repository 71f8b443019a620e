"""The label-provider adapter: one interface, `create_label(client, parcel, credentials, progress)`
-> `Label`, for EasyPost (`POST /v2/shipments` with `is_return: true`, then buy its lowest rate),
Shippo (`POST /shipments` with `extra.is_return`, then `POST /transactions` for the lowest rate) and
Japan's 着払い (collect-on-delivery) slip, which needs no API: a reference number, the merchant's
return address and carrier, printed or shown at the counter.

Calls take the `httpx.AsyncClient` (in production `orderhub.outbound.client()`, in tests a
MockTransport). Never two labels: every call carries the label's idempotency key; the provider's
shipment and chosen rate are stored before the purchase is asked (`save`) and handed back on failure
(`LabelFailed.progress`), so a retry (even after a crash mid-purchase) buys that rate of that shipment,
and a retry after an unanswered purchase first asks whether it went through."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from orderhub import money
from orderhub.db.returns import label_rules
from orderhub.db.returns.label_rules import Outcome

TIMEOUT_SECONDS = label_rules.CALL_TIMEOUT_SECONDS
#: what any transport failure says (never which port or address answered what)
TRANSPORT_ERROR = "the label provider could not be reached"
PUBLIC_URLS = {label_rules.EASYPOST: "https://api.easypost.com", label_rules.SHIPPO: "https://api.goshippo.com"}
#: the parcel the providers rate when the merchant says nothing else (a small boxed item)
PARCEL = {"length": "12", "width": "9", "height": "4", "weight_oz": "16"}


@dataclass(frozen=True)
class Parcel:
    """What goes back, from whom to where (addresses as stored: name, postal_code, region, city, line1,
    line2, country, phone)."""

    return_id: int
    return_number: str
    shopper: dict[str, Any]
    merchant: dict[str, Any]
    shopper_email: str = ""
    #: the 着払い slip's carrier (label_rules.JP_CARRIERS)
    jp_carrier: str = ""


@dataclass(frozen=True)
class Credentials:
    provider: str
    values: dict[str, str] = field(default_factory=dict)
    #: the provider's base URL (ORDERHUB_LABELS_API_URL, else PUBLIC_URLS)
    api_url: str = ""
    idempotency_key: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def base(self) -> str:
        return (self.api_url or PUBLIC_URLS.get(self.provider, "")).rstrip("/")


@dataclass(frozen=True)
class Progress:
    """The steps already done at the provider (kept on the label row between attempts)."""

    shipment_id: str = ""
    rate_id: str = ""
    cost_minor: int = 0
    currency: str = ""


@dataclass(frozen=True)
class Label:
    carrier: str
    tracking_number: str
    label_url: str = ""
    pdf: bytes = b""
    qr_url: str = ""
    cost_minor: int = 0
    currency: str = ""
    #: the 着払い slip's reference number
    reference: str = ""


class LabelFailed(Exception):
    def __init__(self, outcome: Outcome, progress: Progress) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome
        self.progress = progress


#: stores the provider's shipment and chosen rate before the purchase is asked
SaveProgress = Callable[[Progress], Awaitable[None]]


async def _no_save(progress: Progress) -> None:
    return None


async def create_label(client: httpx.AsyncClient, parcel: Parcel, credentials: Credentials,
                       progress: Progress | None = None, *, save: SaveProgress = _no_save) -> Label:
    """Make (or finish making) the return label; LabelFailed tells whether a retry may help. `save` is
    awaited with the shipment and rate once chosen, before the purchase is sent."""
    progress = progress or Progress()
    if credentials.provider == label_rules.JP_SLIP:
        return Label(carrier=parcel.jp_carrier or label_rules.YAMATO, tracking_number="",
                     reference=label_rules.new_reference())
    if credentials.provider == label_rules.EASYPOST:
        return await _easypost(client, parcel, credentials, progress, save)
    if credentials.provider == label_rules.SHIPPO:
        return await _shippo(client, parcel, credentials, progress, save)
    raise LabelFailed(Outcome(ok=False, error="no label provider is set up"), progress)


async def _call(client: httpx.AsyncClient, method: str, url: str, progress: Progress, **kwargs: Any) -> dict[str, Any]:
    """One provider call -> its JSON object; a timeout, transport error or non-2xx raises LabelFailed."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            answer = await client.request(method, url, **kwargs)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
        raise LabelFailed(Outcome(ok=False, retry=True, error=TRANSPORT_ERROR), progress) from None
    outcome = label_rules.outcome_of_status(answer.status_code, answer.text)
    if not outcome.ok:
        raise LabelFailed(outcome, progress)
    try:
        data = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise LabelFailed(Outcome(ok=False, retry=True, error="the provider answered something else than JSON"),
                          progress)
    return data


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _link(value: Any) -> str:
    """A URL the provider gave for the label or its QR code: kept only when it is http(s) (it becomes a
    link on the shopper's page)."""
    url = _str(value).strip()
    return url if urlsplit(url).scheme in ("https", "http") and urlsplit(url).netloc else ""


def _cost(amount: Any, currency: Any) -> tuple[int, str]:
    code = _str(currency).upper() or "USD"
    try:
        return money.parse(str(amount), code), code
    except (ValueError, TypeError, ArithmeticError):
        return 0, code


# --- EasyPost ---------------------------------------------------------------------------------------------


def _easypost_address(a: dict[str, Any], email: str = "") -> dict[str, str]:
    return {"name": _str(a.get("name")), "street1": _str(a.get("line1")), "street2": _str(a.get("line2")),
            "city": _str(a.get("city")), "state": _str(a.get("region")), "zip": _str(a.get("postal_code")),
            "country": _str(a.get("country")), "phone": _str(a.get("phone")), "email": email}


async def _easypost(client: httpx.AsyncClient, parcel: Parcel, cred: Credentials, progress: Progress,
                    save: SaveProgress) -> Label:
    kw: dict[str, Any] = {"auth": (cred.get("api_key"), ""), "headers": {"Idempotency-Key": cred.idempotency_key}}
    if progress.shipment_id and progress.rate_id:
        # a purchase was asked before and its answer may have been lost: was it bought?
        shipment = await _call(client, "GET", f"{cred.base}/v2/shipments/{progress.shipment_id}", progress, **kw)
        if shipment.get("postage_label"):
            return _easypost_label(shipment, progress)
    if not progress.shipment_id:
        # EasyPost swaps the addresses of a return: we give those of the original parcel (merchant -> shopper)
        body = {"shipment": {"to_address": _easypost_address(parcel.shopper, parcel.shopper_email),
                             "from_address": _easypost_address(parcel.merchant),
                             "parcel": {"length": PARCEL["length"], "width": PARCEL["width"],
                                        "height": PARCEL["height"], "weight": PARCEL["weight_oz"]},
                             "is_return": True, "reference": parcel.return_number}}
        shipment = await _call(client, "POST", f"{cred.base}/v2/shipments", progress, json=body, **kw)
        rate = label_rules.lowest_rate([r for r in shipment.get("rates") or [] if isinstance(r, dict)], "rate")
        if not _str(shipment.get("id")) or rate is None:
            raise LabelFailed(Outcome(ok=False, error="the provider offered no rate for this parcel"), progress)
        cost, currency = _cost(rate.get("rate"), rate.get("currency"))
        progress = Progress(_str(shipment["id"]), _str(rate.get("id")), cost, currency)
        await save(progress)
    elif not progress.rate_id:
        raise LabelFailed(Outcome(ok=False, error="the provider offered no rate for this parcel"), progress)
    bought = await _call(client, "POST", f"{cred.base}/v2/shipments/{progress.shipment_id}/buy", progress,
                         json={"rate": {"id": progress.rate_id}}, **kw)
    return _easypost_label(bought, progress)


def _easypost_label(shipment: dict[str, Any], progress: Progress) -> Label:
    postage, selected = _obj(shipment.get("postage_label")), _obj(shipment.get("selected_rate"))
    cost, currency = _cost(selected.get("rate"), selected.get("currency")) if selected else (
        progress.cost_minor, progress.currency)
    forms = [f for f in shipment.get("forms") or [] if isinstance(f, dict)]
    qr = next((_link(f.get("form_url")) for f in forms if f.get("form_type") == "label_qr_code"), "")
    tracking = _str(shipment.get("tracking_code"))
    url = _link(postage.get("label_pdf_url")) or _link(postage.get("label_url"))
    if not tracking or not url:
        raise LabelFailed(Outcome(ok=False, retry=True, error="the provider's label has no tracking number"),
                          progress)
    return Label(carrier=_str(selected.get("carrier")).lower() or "usps", tracking_number=tracking, label_url=url,
                 qr_url=qr, cost_minor=cost, currency=currency)


# --- Shippo -----------------------------------------------------------------------------------------------


def _shippo_address(a: dict[str, Any], email: str = "") -> dict[str, str]:
    return {"name": _str(a.get("name")), "street1": _str(a.get("line1")), "street2": _str(a.get("line2")),
            "city": _str(a.get("city")), "state": _str(a.get("region")), "zip": _str(a.get("postal_code")),
            "country": _str(a.get("country")), "phone": _str(a.get("phone")), "email": email}


async def _shippo(client: httpx.AsyncClient, parcel: Parcel, cred: Credentials, progress: Progress,
                  save: SaveProgress) -> Label:
    kw: dict[str, Any] = {"headers": {"Authorization": f"ShippoToken {cred.get('api_token')}",
                                      "Idempotency-Key": cred.idempotency_key}}
    if progress.rate_id:
        # a purchase was asked before and its answer may have been lost: was it bought?
        found = await _call(client, "GET", f"{cred.base}/transactions", progress,
                            params={"rate": progress.rate_id}, **kw)
        done = [t for t in found.get("results") or [] if isinstance(t, dict) and t.get("status") == "SUCCESS"]
        if done:
            return _shippo_label(done[0], progress)
    else:
        # Shippo swaps the addresses of a return: we give those of the original parcel (merchant -> shopper)
        body = {"address_from": _shippo_address(parcel.merchant),
                "address_to": _shippo_address(parcel.shopper, parcel.shopper_email),
                "parcels": [{"length": PARCEL["length"], "width": PARCEL["width"], "height": PARCEL["height"],
                             "distance_unit": "in", "weight": PARCEL["weight_oz"], "mass_unit": "oz"}],
                "extra": {"is_return": True, "reference_1": parcel.return_number}, "async": False}
        shipment = await _call(client, "POST", f"{cred.base}/shipments", progress, json=body, **kw)
        rate = label_rules.lowest_rate([r for r in shipment.get("rates") or [] if isinstance(r, dict)], "amount")
        if rate is None or not _str(rate.get("object_id")):
            raise LabelFailed(Outcome(ok=False, error="the provider offered no rate for this parcel"), progress)
        cost, currency = _cost(rate.get("amount"), rate.get("currency"))
        progress = Progress(_str(shipment.get("object_id")), _str(rate["object_id"]), cost, currency)
        await save(progress)
    bought = await _call(client, "POST", f"{cred.base}/transactions", progress,
                         json={"rate": progress.rate_id, "label_file_type": "PDF", "async": False,
                               "metadata": cred.idempotency_key}, **kw)
    if bought.get("status") != "SUCCESS":
        messages = "; ".join(_str(m.get("text")) for m in bought.get("messages") or [] if isinstance(m, dict))
        # ERROR is the provider's refusal; QUEUED/WAITING is looked up again on the next attempt
        raise LabelFailed(Outcome(ok=False, retry=bought.get("status") != "ERROR",
                                  error=f"label {_str(bought.get('status')).lower()}: {messages}"[:300]), progress)
    return _shippo_label(bought, progress)


def _shippo_label(tx: dict[str, Any], progress: Progress) -> Label:
    rate = _obj(tx.get("rate"))
    carrier = _str(rate.get("provider")).lower() or _str(tx.get("carrier")).lower() or "usps"
    tracking, url = _str(tx.get("tracking_number")), _link(tx.get("label_url"))
    if not tracking or not url:
        raise LabelFailed(Outcome(ok=False, retry=True, error="the provider's label has no tracking number"),
                          progress)
    return Label(carrier=carrier, tracking_number=tracking, label_url=url, qr_url=_link(tx.get("qr_code_url")),
                 cost_minor=progress.cost_minor, currency=progress.currency)
