"""Piccolo configuration: the engine comes from Settings (DATABASE_URL)."""

from piccolo.conf.apps import AppRegistry

from orderhub.db.engine import engine_for
from orderhub.settings import Settings

DB = engine_for(Settings.from_env())

APP_REGISTRY = AppRegistry(
    apps=[
        "orderhub.db.merchants.piccolo_app",
        "orderhub.db.orders.piccolo_app",
        "orderhub.db.analytics.piccolo_app",
        "orderhub.db.shipping.piccolo_app",
        "orderhub.db.pickup.piccolo_app",
        "orderhub.db.returns.piccolo_app",
        "orderhub.db.feedback.piccolo_app",
        "orderhub.db.documents.piccolo_app",
        "orderhub.db.outbox.piccolo_app",
        "orderhub.db.emails.piccolo_app",
        "orderhub.db.branding.piccolo_app",
    ]
)
