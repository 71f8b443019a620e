"""Store pickups (BOPIS / curbside): schema only."""

from piccolo.columns import JSON, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class Pickup(Table, tablename="pickups"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, unique=True)
    store_code = Varchar(length=64)
    #: placed, preparing, ready, on_the_way, arrived, picked_up, expired, cancelled
    state = Varchar(length=16, default="placed")
    #: "<merchant id>:<pickup code>"; the code is what the QR carries and staff type
    code_key = Varchar(length=100, unique=True)
    ready_at = Timestamptz(null=True, default=None)
    deadline = Timestamptz(null=True, default=None)
    eta = Timestamptz(null=True, default=None)
    on_the_way_at = Timestamptz(null=True, default=None)
    arrived_at = Timestamptz(null=True, default=None)
    bay = Varchar(length=32, default="")
    car = Varchar(length=120, default="")
    alternate_name = Varchar(length=100, default="")
    picked_up_at = Timestamptz(null=True, default=None)
    picked_up_by = Varchar(length=254, default="")
    #: state before the hand-over, for undo
    previous_state = Varchar(length=16, default="")
    reminded_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()


class PickupEvent(Table, tablename="pickup_events"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    pickup = ForeignKey(references=Pickup, index=True)
    kind = Varchar(length=32)
    #: merchant | shopper | staff:<email> | system
    actor = Varchar(length=280)
    at = Timestamptz()
    details = JSON(default="{}")
