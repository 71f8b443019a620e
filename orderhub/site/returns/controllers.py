"""Everything the returns area adds to the app (app.py CONTROLLERS)."""

from orderhub.site.api.claims import ClaimsApi
from orderhub.site.api.returns import ReturnsApi
from orderhub.site.returns.claims import ClaimsController
from orderhub.site.returns.routes import ReturnsController

CONTROLLERS = [ReturnsApi, ClaimsApi, ReturnsController, ClaimsController]
