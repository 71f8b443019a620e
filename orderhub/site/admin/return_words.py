"""The words and links of a return's moves in the admin (the queue's rows and the return detail page):
what each button says, what a finished move says, why a move was refused; and the items' titles of
the returns queue and the claims list in the page's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from types import SimpleNamespace

from orderhub.components.i18n import gettext as _
from orderhub.components.shop_texts import line_text, plain
from orderhub.components.urls import href
from orderhub.db.orders import queries as order_queries
from orderhub.db.returns.claims import ClaimView
from orderhub.db.worklists.queries import QueueRow
from orderhub.site.returns import presenter as words


def action_label(action: str) -> str:
    return {"approve": _("Approve"), "reject": _("Reject"), "ship": _("Mark on its way back"),
            "receive": _("Mark received"), "refund": _("Refund"), "exchange": _("Send the exchange")}.get(action, action)


def done_text(action: str, number: str) -> str:
    return {
        "approve": _("%(number)s approved.", number=number), "reject": _("%(number)s rejected.", number=number),
        "receive": _("%(number)s marked as received.", number=number),
        "refund": _("%(number)s refunded.", number=number),
        "exchange": _("%(number)s exchanged: the replacement is on its way.", number=number),
        "ship": _("%(number)s marked as on its way back.", number=number),
    }.get(action, "")


def conflict_text(action: str, number: str, status: str) -> str:
    return _("%(number)s can't be changed with “%(action)s”: its status is now “%(status)s”.",
             number=number, action=action_label(action), status=words.status_label(status))


def return_url(return_id: int, action: str) -> str:
    return href(f"/admin/returns/{return_id}/{action}")


WORDS = SimpleNamespace(reason_label=words.reason_label, resolution_label=words.resolution_label,
                        method_label=words.method_label, status_label=words.status_label,
                        status_badge=words.status_badge, action_label=action_label, action_url=return_url,
                        grade_label=words.grade_label, reception_label=words.reception_label,
                        part_label=words.part_label, kind_label=words.kind_label,
                        difference_text=words.difference_text)


async def titles_in_page_language(merchant_id: int, order_ids: Iterable[int]) -> Callable[[int, str, str], str]:
    """title(order_id, line_id, as_bought): an item's title in the page's language, as the return's and
    the claim's own pages show it (the catalog's words for the line; the title as bought otherwise)."""
    words = await order_queries.line_words_by_order(merchant_id, order_ids)

    def title(order_id: int, line_id: str, as_bought: str) -> str:
        return plain(line_text(words[order_id], line_id, "title", as_bought))

    return title


async def queue_rows_in_page_language(merchant_id: int, rows: Sequence[QueueRow]) -> list[QueueRow]:
    title = await titles_in_page_language(merchant_id, [r.order_id for r in rows])
    return [replace(r, titles=[title(r.order_id, line_id, as_bought)
                               for line_id, as_bought in zip(r.line_ids, r.titles, strict=True)]) for r in rows]


async def claims_in_page_language(merchant_id: int, claims: Sequence[ClaimView]) -> list[ClaimView]:
    title = await titles_in_page_language(merchant_id, [c.order_id for c in claims])
    return [replace(c, items=[replace(i, title=title(c.order_id, i.line_id, i.title)) for i in c.items])
            for c in claims]
