import os

from piccolo.conf.apps import AppConfig

from orderhub.db.returns.reason_tables import ReturnItemReason

APP_CONFIG = AppConfig(
    app_name="return_reasons",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "reasons_migrations"),
    table_classes=[ReturnItemReason],
    migration_dependencies=["orderhub.db.returns.piccolo_app"],
    commands=[],
)
