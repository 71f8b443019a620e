"""The Piccolo apps of the model layer, one per business area, in migration order."""

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(
    apps=[
        "orderhub.db.merchants.piccolo_app",
        "orderhub.db.orders.piccolo_app",
        "orderhub.db.analytics.piccolo_app",
        "orderhub.db.shipping.piccolo_app",
        "orderhub.db.pickup.piccolo_app",
        "orderhub.db.returns.piccolo_app",
        "orderhub.db.returns.reasons_app",
        "orderhub.db.feedback.piccolo_app",
        "orderhub.db.payments.piccolo_app",
        "orderhub.db.documents.piccolo_app",
        "orderhub.db.outbox.piccolo_app",
        "orderhub.db.emails.piccolo_app",
        "orderhub.db.channels.piccolo_app",
        "orderhub.db.branding.piccolo_app",
        "orderhub.db.security.piccolo_app",
        "orderhub.db.channels.push_app",
        "orderhub.db.returns.home_pickup_app",
        "orderhub.db.returns.exchange_app",
        "orderhub.db.returns.labels_app",
    ]
)
