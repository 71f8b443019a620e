import os

from piccolo.conf.apps import AppConfig

from orderhub.db.returns.exchange_tables import ReturnExchange

APP_CONFIG = AppConfig(
    app_name="exchanges",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "exchange_migrations"),
    table_classes=[ReturnExchange],
    migration_dependencies=["orderhub.db.returns.piccolo_app"],
    commands=[],
)
