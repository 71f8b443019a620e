"""Prepaid return labels: their own Piccolo app (tables in label_tables.py, migrations in
label_migrations/), after returns."""

import os

from piccolo.conf.apps import AppConfig

from orderhub.db.returns.label_tables import LabelAccount, ReturnLabel

APP_CONFIG = AppConfig(
    app_name="return_labels",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "label_migrations"),
    table_classes=[ReturnLabel, LabelAccount],
    migration_dependencies=["orderhub.db.returns.piccolo_app"],
    commands=[],
)
