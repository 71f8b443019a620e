"""Words for the shopper's feedback pages (the survey card, the review pages), translated when
they are shown. Which state a review is in and what it allows are rules (db/feedback/rules.py,
asked through the view objects); this module only words them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orderhub.components.i18n import gettext as _
from orderhub.db.feedback import rules
from orderhub.site import messages
from orderhub.site.returns.presenter import image_error

if TYPE_CHECKING:
    from orderhub.images import ImageRejected


def star_label(n: int) -> str:
    return {1: _("1 star: poor"), 2: _("2 stars: fair"), 3: _("3 stars: good"), 4: _("4 stars: very good"),
            5: _("5 stars: excellent")}[n]


def csat_label(n: int) -> str:
    return {1: _("Very dissatisfied"), 2: _("Dissatisfied"), 3: _("Neutral"), 4: _("Satisfied"),
            5: _("Very satisfied")}[n]


def status_label(shopper_status: str) -> str:
    """A review's state as its author reads it (ReviewView.shopper_status)."""
    return {rules.SHOPPER_WAITING: _("Waiting for approval"), rules.SHOPPER_PUBLISHED: _("Published"),
            rules.SHOPPER_NOT_PUBLISHED: _("Not published")}.get(shopper_status, shopper_status)


def status_badge(shopper_status: str) -> str:
    return {rules.SHOPPER_WAITING: "info", rules.SHOPPER_PUBLISHED: "good"}.get(shopper_status, "muted")


WORDS = {"star_label": star_label, "csat_label": csat_label, "status_label": status_label,
         "status_badge": status_badge}


def field_errors(errors: list[dict]) -> dict[str, str]:
    """A ValidationFailed's errors -> {field: sentence}, by code (the field's limit fills "at most N")."""
    return {err["field"]: messages.text(err.get("code", ""), num=rules.INPUT_LIMITS.get(err["field"], ""))
            for err in errors}


def too_many_photos() -> str:
    return messages.text(rules.TOO_MANY_PHOTOS, num=rules.MAX_PHOTOS)


def photo_error(problem: ImageRejected) -> str:
    """A picture orderhub.images refused (worded by the returns area, which takes photos too)."""
    return image_error(problem)
