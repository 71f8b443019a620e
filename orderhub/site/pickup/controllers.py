"""Everything the pickup area adds to the app (app.py CONTROLLERS)."""

from orderhub.site.api.pickup import PickupApi
from orderhub.site.pickup.routes import PickupController
from orderhub.site.staff.routes import StaffController

CONTROLLERS = [PickupApi, PickupController, StaffController]
