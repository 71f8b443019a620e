import os

from piccolo.conf.apps import AppConfig

from orderhub.db.channels.push_tables import PushKey, PushSubscription

APP_CONFIG = AppConfig(
    app_name="push",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "push_migrations"),
    table_classes=[PushKey, PushSubscription],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
