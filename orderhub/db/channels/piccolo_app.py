import os

from piccolo.conf.apps import AppConfig

from orderhub.db.channels.tables import ChannelAccount, ChannelConsent, ChannelOutboxMessage, ChannelRecipient

APP_CONFIG = AppConfig(
    app_name="channels",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ChannelOutboxMessage, ChannelRecipient, ChannelConsent, ChannelAccount],
    migration_dependencies=["orderhub.db.merchants.piccolo_app"],
    commands=[],
)
