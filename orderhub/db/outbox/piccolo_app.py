import os

from piccolo.conf.apps import AppConfig

from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="outbox",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[WebhookEndpoint, WebhookDelivery],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
