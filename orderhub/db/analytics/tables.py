"""Analytics events (hub visits, cross-sell impressions and clicks, ...): schema only."""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class AnalyticsEvent(Table, tablename="analytics_events"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, null=True, index=True)
    #: hub_view, section_view, crosssell_impression, crosssell_click, tracking_view, ...
    kind = Varchar(length=40, index=True)
    section = Varchar(length=40, default="")
    product_id = Varchar(length=200, default="")
    count = Integer(default=1)  # type: ignore[assignment]  # a column named like Table.count()
    occurred_at = Timestamptz(index=True)
