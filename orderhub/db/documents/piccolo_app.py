import os

from piccolo.conf.apps import AppConfig

from orderhub.db.documents.tables import (
    CachedDocument,
    CreditNote,
    DocumentRecord,
    Receipt,
    ReceiptCounter,
    ReceiptIssue,
)

APP_CONFIG = AppConfig(
    app_name="documents",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ReceiptCounter, Receipt, ReceiptIssue, CachedDocument, CreditNote, DocumentRecord],
    migration_dependencies=["orderhub.db.orders.piccolo_app", "orderhub.db.merchants.piccolo_app"],
    commands=[],
)
