"""Indexes Piccolo's columns cannot declare (several columns, or a partial one), created by
`orderhub migrate` after the migrations, idempotently, in SQL both engines read alike (as the hub
version triggers are: `orders.versions.install`). The migrations themselves only add tables and
columns; `tests/integration/test_migrations.py` expects these beside the tables' own indexes and
`tests/integration/test_query_plans.py` checks that the hot reads use them."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.db import engine


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    columns: tuple[str, ...]
    #: a partial index's condition (the query's own), or "" for every row
    where: str = ""

    @property
    def sql(self) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        where = f" WHERE {self.where}" if self.where else ""
        return f'CREATE INDEX IF NOT EXISTS {self.name} ON "{self.table}" ({columns}){where}'


INDEXES: tuple[Index, ...] = (
    # a lane's learnt transit days (shipping.queries.lane_transit: the newest 200 delivered parcels of a
    # lane, on every hub and tracking page of a parcel on its way): walked newest first, the transit
    # days in the index itself; the lane's own index made the database sort every delivered parcel of
    # a busy lane (tens of thousands) to keep 200 -- 15 ms a page on a 100,000-order database
    Index("shipments", "shipments_lane_transit", ("lane", "delivered_at", "transit_days"),
          where="transit_days IS NOT NULL"),
)


async def install() -> None:
    """Create the indexes that are missing, in one write transaction."""
    db = engine.current_engine()
    async with engine.write():
        for index in INDEXES:
            await db.run_ddl(index.sql)
