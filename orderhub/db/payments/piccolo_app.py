import os

from piccolo.conf.apps import AppConfig

from orderhub.db.payments.tables import PaymentRefund

APP_CONFIG = AppConfig(
    app_name="payments",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[PaymentRefund],
    migration_dependencies=["orderhub.db.orders.piccolo_app", "orderhub.db.merchants.piccolo_app"],
    commands=[],
)
