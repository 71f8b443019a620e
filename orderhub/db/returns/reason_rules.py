"""Each returned item's own reason (issue 20 item 7): pure decisions, no I/O.

A return's items may come back for different reasons (one shoe too small, the other arrived
damaged). Every item has its reason (one reason for all stays a one-tap shortcut: the wizard's
`reason`, which any item without its own takes), an optional comment, and its own photo requirement
(the merchant's policy per reason). The return fee is waived per item: a merchant-fault item carries
no share of it (when every item is the merchant's fault, there is no fee, and shipping comes back
with the whole order); the refund breakdown says so per item. Auto-approval considers every item.

The wizard's answers: `reason` / `comment` (for all), `reasons` / `comments` ({line id: ...}, an
item's own), `photo_id` (a photo for all) and `photos` ({line id: photo id}, an item's own)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from orderhub import money
from orderhub.db.merchants.rules import REASONS
from orderhub.db.returns import rules

#: the field paths of an item's own answers (errors come back next to that item)
ITEM_REASON, ITEM_COMMENT, ITEM_PHOTO = "reasons", "comments", "photos"
REASON_FIELDS = ("reason", "comment", "photo", ITEM_REASON, ITEM_COMMENT, ITEM_PHOTO)


def _own(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def item_reason(data: Mapping[str, Any], line_id: str) -> str:
    """The item's own reason, else the reason for all ("" when neither is given)."""
    own = _own(data, ITEM_REASON).get(line_id)
    if isinstance(own, str) and own:
        return own
    shared = data.get("reason")
    return shared if isinstance(shared, str) else ""


def has_own_reason(data: Mapping[str, Any], line_id: str) -> bool:
    own = _own(data, ITEM_REASON).get(line_id)
    return isinstance(own, str) and bool(own)


def item_comment(data: Mapping[str, Any], line_id: str) -> str:
    own = _own(data, ITEM_COMMENT).get(line_id)
    return own if isinstance(own, str) else ""


def photo_needed(policy: Mapping[str, Any], reason: str) -> bool:
    return rules.photo_required(dict(policy or {}), reason)


def check_reasons(data: Mapping[str, Any], line_ids: Collection[str], policy: Mapping[str, Any], *,
                  shared_photo: bool, line_photos: Collection[str]) -> list[dict[str, Any]]:
    """Errors of the reasons (field paths as the wizard and API answer them): a missing reason goes
    next to the reason for all when no item has its own, else next to the item; a missing photo goes
    next to the photo for all when the item takes the reason for all, else next to the item's own."""
    errors: list[dict[str, Any]] = []
    own_any = any(has_own_reason(data, lid) for lid in line_ids)
    shared = data.get("reason")
    if shared not in (None, "") and shared not in REASONS:
        errors.append(rules.field_error("reason", rules.REASON_REQUIRED))
    for key in (ITEM_REASON, ITEM_COMMENT):
        for lid in _own(data, key):
            if lid not in line_ids:
                errors.append(rules.field_error(f"{key}.{lid}", rules.NOT_A_LINE))
    comment = data.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > rules.MAX_COMMENT:
        errors.append(rules.field_error("comment", rules.TOO_LONG))
    shared_missing_photo = False
    for lid in line_ids:
        own = has_own_reason(data, lid)
        reason = item_reason(data, lid)
        if reason not in REASONS:
            if own or (own_any and not shared):
                errors.append(rules.field_error(f"{ITEM_REASON}.{lid}", rules.REASON_REQUIRED))
            elif not any(e["field"] == "reason" for e in errors):
                errors.append(rules.field_error("reason", rules.REASON_REQUIRED))
            continue
        raw = _own(data, ITEM_COMMENT).get(lid)
        if raw is not None and (not isinstance(raw, str) or len(raw) > rules.MAX_COMMENT):
            errors.append(rules.field_error(f"{ITEM_COMMENT}.{lid}", rules.TOO_LONG))
        if photo_needed(policy, reason) and lid not in line_photos and not shared_photo:
            if own:
                errors.append(rules.field_error(f"{ITEM_PHOTO}.{lid}", rules.PHOTO_REQUIRED))
            else:
                shared_missing_photo = True
    if shared_missing_photo:
        errors.append(rules.field_error("photo", rules.PHOTO_REQUIRED))
    return errors


def reasons_of(data: Mapping[str, Any], line_ids: Collection[str]) -> dict[str, str]:
    """{line id: reason} of the chosen items (checked by check_reasons first)."""
    return {lid: item_reason(data, lid) for lid in line_ids}


def comments_of(data: Mapping[str, Any], line_ids: Collection[str]) -> dict[str, str]:
    return {lid: item_comment(data, lid).strip() for lid in line_ids}


def headline(reasons: Mapping[str, str]) -> str:
    """The return's one reason, kept for compatibility (API `reason`, lists): the first item's."""
    return next(iter(reasons.values()), "")


def fee_waived(policy: Mapping[str, Any], reason: str) -> bool:
    return rules.fee_waived_for(dict(policy or {}), reason)


def fee_reason(policy: Mapping[str, Any], reasons: Mapping[str, str]) -> str:
    """The reason the return's fee is decided by: an item not waived decides (the shopper's choice
    costs the fee), else every item is the merchant's fault (no fee; shipping may come back)."""
    for reason in reasons.values():
        if not fee_waived(policy, reason):
            return reason
    return headline(reasons)


def all_waived(policy: Mapping[str, Any], reasons: Mapping[str, str]) -> bool:
    return bool(reasons) and all(fee_waived(policy, r) for r in reasons.values())


def method_fees(policy: Mapping[str, Any], *, resolution: str, reasons: Mapping[str, str],
                currency: str) -> dict[str, int]:
    """The fee of every method for this return (the wizard's method step): nothing when every item is
    the merchant's fault."""
    return rules.method_fees(dict(policy or {}), resolution=resolution, reason=fee_reason(policy, reasons),
                             currency=currency)


@dataclass(frozen=True)
class ItemReason:
    """What the return says about one item: its reason and comment, and the fee it carries."""

    line_id: str
    reason: str
    comment: str = ""
    #: the share of the return fee this item carries (positive minor units)
    fee_minor: int = 0
    #: its reason is the merchant's fault: no fee for it
    fee_waived: bool = False
    photos: tuple[int, ...] = ()

    @property
    def merchant_fault(self) -> bool:
        return rules.merchant_fault(self.reason)


def item_reasons(breakdown: rules.Breakdown, policy: Mapping[str, Any], reasons: Mapping[str, str],
                 comments: Mapping[str, str] | None = None,
                 photos: Mapping[str, Collection[int]] | None = None) -> list[ItemReason]:
    """Each item of the breakdown with its reason, and the return fee shared out over the items that
    are not waived (by value; the shares add up to the fee exactly); a waived item carries none."""
    fee = -breakdown.part("fee")
    payers = [a for a in breakdown.items if not fee_waived(policy, reasons.get(a.line_id, ""))]
    shares = dict(zip([a.line_id for a in payers], money.prorate(fee, [max(1, a.amount_minor) for a in payers]),
                      strict=True))
    return [ItemReason(a.line_id, reasons.get(a.line_id, ""), (comments or {}).get(a.line_id, ""),
                       shares.get(a.line_id, 0), fee_waived(policy, reasons.get(a.line_id, "")),
                       tuple((photos or {}).get(a.line_id, ())))
            for a in breakdown.items]


def breakdown_json(breakdown: rules.Breakdown, items: list[ItemReason]) -> dict[str, Any]:
    """The stored breakdown, saying per item its reason, its fee share and whether it was waived."""
    out = rules.breakdown_json(breakdown)
    by_line = {i.line_id: i for i in items}
    for row in out["items"]:
        it = by_line.get(row["line_id"])
        if it is not None:
            row.update({"reason": it.reason, "fee_minor": it.fee_minor, "fee_waived": it.fee_waived})
    return out


def auto_approve(reasons: Mapping[str, str], total_minor: int, policy: dict[str, Any], currency: str) -> bool:
    """Approved without review only when no item's reason is one the merchant reviews (and the value
    is under the merchant's limit)."""
    return bool(reasons) and all(rules.auto_approve(r, total_minor, policy, currency) for r in reasons.values())


@dataclass(frozen=True)
class ReasonChoice:
    """A chosen item on the wizard's reason step: its own reason (or "" for the one for all) and
    whether that reason needs a photo."""

    line_id: str
    title: str
    reason: str
    comment: str
    photo_needed: bool
    has_photo: bool


def reason_step(lines: list[rules.LineFacts], data: Mapping[str, Any], policy: Mapping[str, Any]) -> list[ReasonChoice]:
    """The chosen items as the reason step shows them."""
    photos = _own(data, ITEM_PHOTO)
    return [ReasonChoice(ln.line_id, ln.title, _own(data, ITEM_REASON).get(ln.line_id) or "",
                         item_comment(data, ln.line_id), photo_needed(policy, item_reason(data, ln.line_id)),
                         bool(photos.get(ln.line_id)))
            for ln in lines]


# --- the merchant's analytics: returned items by reason ---------------------------------------------------


def items_by_reason(return_reasons: Mapping[int, str], items: Collection[tuple[int, int, int]],
                    own: Mapping[int, str]) -> dict[str, int]:
    """{reason: returned units}: each returned item (return id, item id, quantity) counted under its
    own reason (`own`: item id -> reason, return_item_reasons), else its return's one reason (a
    return made before per-item reasons), weighted by the quantity sent back."""
    counts: dict[str, int] = {}
    for return_id, item_id, quantity in items:
        reason = own.get(item_id) or return_reasons.get(return_id, "")
        if reason and quantity > 0:
            counts[reason] = counts.get(reason, 0) + quantity
    return counts
