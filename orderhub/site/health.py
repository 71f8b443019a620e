"""/healthz: a bare route for load balancers (and the benchmark's baseline)."""

from litestar import get


@get("/healthz", media_type="text/plain", include_in_schema=False, sync_to_thread=False)
def healthz() -> str:
    return "ok"
