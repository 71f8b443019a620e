import os

from piccolo.conf.apps import AppConfig

from orderhub.db.shipping.tables import Shipment, TrackingEvent, TrackingView

APP_CONFIG = AppConfig(
    app_name="shipping",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Shipment, TrackingEvent, TrackingView],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
