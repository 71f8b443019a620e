import os

from piccolo.conf.apps import AppConfig

from orderhub.db.analytics.tables import AnalyticsEvent

APP_CONFIG = AppConfig(
    app_name="analytics",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AnalyticsEvent],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
