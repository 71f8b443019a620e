import os

from piccolo.conf.apps import AppConfig

from orderhub.db.branding.tables import BrandLogo

APP_CONFIG = AppConfig(
    app_name="branding",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[BrandLogo],
    migration_dependencies=["orderhub.db.merchants.piccolo_app"],
    commands=[],
)
