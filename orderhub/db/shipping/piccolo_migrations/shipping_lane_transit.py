"""shipping: an index for a lane's learnt transit days (`queries.lane_transit`: the newest 200
delivered parcels of a lane, read on every hub and tracking page of a parcel on its way). The lane
index alone made the database sort every delivered parcel of the lane (tens of thousands on a busy
lane) to keep 200; this one is walked newest first and holds the transit days itself. Partial
(`transit_days IS NOT NULL`, the query's own condition) and written in SQL both engines read alike:
Piccolo's columns declare single-column indexes only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T06:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shipments (lane, delivered_at, transit_days) where transit_days is not null"


class _Shipments(Table, tablename="shipments"):
    pass


INDEX = ("CREATE INDEX IF NOT EXISTS shipments_lane_transit ON shipments (lane, delivered_at, transit_days) "
         "WHERE transit_days IS NOT NULL")


async def _create_index() -> None:
    await _Shipments.raw(INDEX)


async def _drop_index() -> None:
    await _Shipments.raw("DROP INDEX IF EXISTS shipments_lane_transit")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="shipping", description=DESCRIPTION)
    manager.add_raw(_create_index)
    manager.add_raw_backwards(_drop_index)
    return manager
