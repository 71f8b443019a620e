import os

from piccolo.conf.apps import AppConfig

from orderhub.db.emails.tables import EmailMessage

APP_CONFIG = AppConfig(
    app_name="emails",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[EmailMessage],
    migration_dependencies=["orderhub.db.merchants.piccolo_app"],
    commands=[],
)
