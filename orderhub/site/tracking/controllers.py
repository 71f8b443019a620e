"""Everything the tracking area adds to the app (app.py CONTROLLERS)."""

from orderhub.site.api.tracking import TrackingApi
from orderhub.site.tracking.routes import TrackingController
from orderhub.site.webhooks.routes import TrackingWebhooks

CONTROLLERS = [TrackingApi, TrackingWebhooks, TrackingController]
