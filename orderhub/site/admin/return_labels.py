"""The prepaid label on the merchant's return page `/admin/returns/{id}` (its state, the provider's
error, "retry now"). The retry posts here and lands back on the return page (303); another merchant's
return, or one without a label, is 404; a label already being made or made is a 409 with the page."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.returns import label_jobs
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
