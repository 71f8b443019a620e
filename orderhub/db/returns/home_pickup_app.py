import os

from piccolo.conf.apps import AppConfig

from orderhub.db.returns.home_pickup_tables import ReturnPickup

#: home pickup bookings are their own Piccolo app (its own initial migration), as push is in channels
APP_CONFIG = AppConfig(
    app_name="home_pickup",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "home_pickup_migrations"),
    table_classes=[ReturnPickup],
    migration_dependencies=["orderhub.db.returns.piccolo_app"],
    commands=[],
)
