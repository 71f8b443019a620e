import os

from piccolo.conf.apps import AppConfig

from orderhub.db.orders.tables import Cancellation, Order, OrderChange, OrderLine, Product

APP_CONFIG = AppConfig(
    app_name="orders",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Product, Order, OrderLine, Cancellation, OrderChange],
    migration_dependencies=["orderhub.db.merchants.piccolo_app"],
    commands=[],
)
