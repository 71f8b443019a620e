"""Pictures uploaded through a form, for every section that takes them (return reasons, claims,
reviews, the brand's logo): each file is read with a byte cap and checked and re-encoded by
`images.intake` in a worker thread, so decoding a large picture never blocks the event loop.

A refusal is an `images.ImageRejected` (a DomainError: `code` and `params`, e.g. ``image.too_large``
with ``mb``); pages word it with `orderhub.site.messages.for_error(problem)`. The limits a page
states come from the same figures (`limits()`), never from text in a template."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import anyio
import anyio.to_thread

from orderhub import images
from orderhub.db.errors import Busy

T = TypeVar("T")

#: pictures decoded at once in this process (each may take up to images.MAX_DECODED_BYTES); a
#: request finding every slot taken waits up to DECODE_WAIT_SECONDS, then answers 503 + Retry-After
DECODE_SLOTS = 2
DECODE_WAIT_SECONDS = 5.0
_slots = threading.BoundedSemaphore(DECODE_SLOTS)
#: pictures one hub link may send per UPLOAD_WINDOW_SECONDS (every worker counts together)
UPLOADS_PER_LINK = 30
UPLOAD_WINDOW_SECONDS = 3600


async def decode(intake: Callable[[bytes], T], raw: bytes, *, wait: float | None = None) -> T:
    """`intake(raw)` in a worker thread, holding one of the process's decoding slots."""
    deadline = time.monotonic() + (DECODE_WAIT_SECONDS if wait is None else wait)
    while not _slots.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise Busy(retry_after=5)
        await anyio.sleep(0.02)
    try:
        return await anyio.to_thread.run_sync(intake, raw)
    finally:
        _slots.release()


@dataclass(frozen=True)
class UploadLimits:
    """What a picture field's hint states: how many files, how large each, which types."""

    count: int
    mb: int = images.MAX_MB
    accept: str = images.ACCEPT


def limits(count: int, max_bytes: int = images.MAX_BYTES) -> UploadLimits:
    """The figures a template shows next to a picture field (formatted there, at render time)."""
    return UploadLimits(count=count, mb=images.megabytes(max_bytes))


def request_limit(count: int, max_bytes: int = images.MAX_BYTES) -> int:
    """The request body a form with `count` pictures may send (the pictures plus the other fields)."""
    return count * max_bytes + 64 * 1024


def files(form: Any, field: str) -> list[Any]:
    """The chosen files of `field` (an empty file input sends a part without a file name)."""
    parts = form.getall(field, []) if hasattr(form, "getall") else [form.get(field)]
    return [p for p in parts if p is not None and not isinstance(p, str) and bool(getattr(p, "filename", ""))]


def per_link(request: Any, order_id: int) -> tuple[Any, str]:
    """The upload budget of one hub link (its order), for `pictures(per=...)`."""
    from orderhub.site.security import limiter

    return limiter(request.app.state, "uploads", UPLOADS_PER_LINK, UPLOAD_WINDOW_SECONDS), f"order:{order_id}"


@overload
async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = ...,
                   per: tuple[Any, str] | None = ...) -> tuple[list[images.CleanImage], images.ImageRejected | None]: ...
@overload
async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = ..., per: tuple[Any, str] | None = ...,
                   intake: Callable[[bytes], T]) -> tuple[list[T], images.ImageRejected | None]: ...
async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = images.MAX_BYTES,
                   per: tuple[Any, str] | None = None,
                   intake: Callable[[bytes], Any] = images.intake) -> tuple[list[Any], images.ImageRejected | None]:
    """-> (the clean pictures, None or the first problem). More than `limit` files is one problem;
    the first picture `intake` refuses stops the rest. With `per` (the hub link's limiter and key),
    each picture counts against that link's upload budget first."""
    uploads = files(form, field)
    if len(uploads) > limit:
        return [], images.too_many(limit)
    clean: list[Any] = []
    for upload in uploads:
        if per is not None and not await per[0].hit(per[1]):
            return [], images.ImageRejected(images.TOO_OFTEN, "Too many pictures were sent from this link; try later.")
        raw = await upload.read(max_bytes + 1)
        try:
            clean.append(await decode(intake, raw))
        except images.ImageRejected as e:
            return [], e
    return clean, None
