"""Each returned item's own reason (issue 20 item 7): schema only. A return made before per-item
reasons has no rows here: its single reason is every item's (queries read it that way)."""

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Serial, Text, Varchar
from piccolo.table import Table

from orderhub.db.returns.tables import ReturnItem, ReturnRequest


class ReturnItemReason(Table, tablename="return_item_reasons"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    request = ForeignKey(references=ReturnRequest, index=True)
    #: one row per returned item
    item = ForeignKey(references=ReturnItem, unique=True)
    line_id = Varchar(length=100)
    #: one of merchants.rules.REASONS
    reason = Varchar(length=32)
    comment = Text(default="")
    #: the share of the return fee this item carries (0 when its reason waives it)
    fee_minor = BigInt(default=0)
    #: the item's reason is the merchant's fault and the merchant waives the fee for it
    fee_waived = Boolean(default=False)
    #: the ids of the photos the shopper attached to this item (return_photos)
    photos = JSON(default="[]")
