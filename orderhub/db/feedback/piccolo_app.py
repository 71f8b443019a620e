import os

from piccolo.conf.apps import AppConfig

from orderhub.db.feedback.tables import Review, ReviewPhoto, Survey

APP_CONFIG = AppConfig(
    app_name="feedback",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Survey, Review, ReviewPhoto],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
