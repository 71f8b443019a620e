import os

from piccolo.conf.apps import AppConfig

from orderhub.db.merchants.tables import ApiKey, Merchant, Store, User, UserInvitation

APP_CONFIG = AppConfig(
    app_name="merchants",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Merchant, ApiKey, Store, User, UserInvitation],
    migration_dependencies=[],
    commands=[],
)
