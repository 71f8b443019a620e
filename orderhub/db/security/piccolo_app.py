import os

from piccolo.conf.apps import AppConfig

from orderhub.db.security.tables import RateCounter, StepupChallenge, UserSession

APP_CONFIG = AppConfig(
    app_name="security",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[RateCounter, UserSession, StepupChallenge],
    migration_dependencies=["orderhub.db.merchants.piccolo_app"],
    commands=[],
)
