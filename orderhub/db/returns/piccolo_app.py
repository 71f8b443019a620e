import os

from piccolo.conf.apps import AppConfig

from orderhub.db.returns.tables import (
    Claim,
    ClaimItem,
    ClaimPhoto,
    Replacement,
    ReturnDraft,
    ReturnEvent,
    ReturnItem,
    ReturnPhoto,
    ReturnRequest,
    VariantStock,
)

APP_CONFIG = AppConfig(
    app_name="returns",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ReturnRequest, ReturnItem, ReturnEvent, ReturnPhoto, ReturnDraft, VariantStock, Replacement, Claim,
                   ClaimItem, ClaimPhoto],
    migration_dependencies=["orderhub.db.orders.piccolo_app"],
    commands=[],
)
