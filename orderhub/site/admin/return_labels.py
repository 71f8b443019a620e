"""The prepaid label on the merchant's return page `/admin/returns/{id}` (its state, the provider's
error, "retry now", the 着払い slip's tracking number). The retry posts here and lands back on the return
page (303); another merchant's return, or one without a label, is 404; a label already being made or made
is a 409 with the page. The slip's tracking number (db/returns/slip_numbers.py): saved → 303 back; a wrong
number → the page with 422 and the message next to the field; no slip or already scanned → 409."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.returns import label_jobs, label_rules, slip_numbers
from orderhub.site import form_errors, messages
from orderhub.site.admin import guard
from orderhub.site.admin.guard import Admin
from orderhub.site.admin.return_detail import detail_page, detail_url


class ReturnLabelController(Controller):
    path = "/admin/returns"
    dependencies = guard.DEPENDENCIES

    @post("/{return_id:int}/label/retry", name="admin-return-label-retry")
    async def retry(self, request: Request, admin_user: Admin, return_id: int, now: dt.datetime) -> Redirect | Template:
        try:
            await label_jobs.retry_now(admin_user.merchant.id, return_id, now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            return await detail_page(request, admin_user, return_id, status_code=409,
                                     error=_("This label is being made or is made already: nothing to retry."))
        return Redirect(path=detail_url(return_id, done="label"), status_code=303)

    @post("/{return_id:int}/label/tracking-number", name="admin-return-slip-number")
    async def slip_number(self, request: Request, admin_user: Admin, return_id: int,
                          now: dt.datetime) -> Redirect | Template:
        raw = (await request.form()).get(label_rules.SLIP_NUMBER_FIELD)
        value = raw[:label_rules.SLIP_NUMBER_MAX_INPUT] if isinstance(raw, str) else ""
        try:
            await slip_numbers.set_number(admin_user.merchant.id, return_id, raw, now=now)
        except NotFound:
            raise NotFoundException() from None
        except ValidationFailed as exc:
            return await detail_page(request, admin_user, return_id, status_code=422,
                                     slip={"errors": form_errors.by_field(exc.errors), "value": value})
        except Conflict as exc:
            return await detail_page(request, admin_user, return_id, status_code=409, error=messages.for_error(exc))
        return Redirect(path=detail_url(return_id, done="slip"), status_code=303)
