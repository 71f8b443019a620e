"""Everything the returns area adds to the app (app.py CONTROLLERS)."""

from orderhub.site.api.returns import ReturnsApi
from orderhub.site.returns.routes import ReturnsController

CONTROLLERS = [ReturnsApi, ReturnsController]
