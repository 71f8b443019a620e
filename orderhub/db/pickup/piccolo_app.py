import os

from piccolo.conf.apps import AppConfig

from orderhub.db.pickup.tables import Pickup, PickupEvent

APP_CONFIG = AppConfig(
    app_name="pickup",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Pickup, PickupEvent],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
