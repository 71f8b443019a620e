"""The merchant's partner drop-off points (convenience stores, post offices, parcel lockers): schema only."""

from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class DropOffPoint(Table, tablename="return_drop_off_points"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: convenience_store | post_office | locker (orderhub.db.returns.dropoff_rules.PARTNER_KINDS)
    kind = Varchar(length=24)
    name = Varchar(length=200)
    #: {"postal_code", "region", "city", "line1", "line2", "country"}
    address = JSON(default="{}")
    #: the time zone its opening hours are in
    timezone = Varchar(length=64)
    #: [{"days": "mon-fri", "open": "07:00", "close": "23:00"}]
    hours = JSON(default="[]")
    note = Text(default="")
    #: name and note per language (orderhub.db.texts)
    texts = JSON(default="{}")
    created_at = Timestamptz()
    updated_at = Timestamptz()
