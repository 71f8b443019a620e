"""Pictures uploaded through a form, for every section that takes them (return reasons, claims,
reviews, the brand's logo): each file is read with a byte cap and checked and re-encoded by
`images.intake` in a worker thread, so decoding a large picture never blocks the event loop.

A refusal is an `images.ImageRejected` (a DomainError: `code` and `params`, e.g. ``image.too_large``
with ``mb``); pages word it with `orderhub.site.messages.for_error(problem)`. The limits a page
states come from the same figures (`limits()`), never from text in a template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import anyio.to_thread

from orderhub import images

T = TypeVar("T")


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


@overload
async def pictures(form: Any, field: str, *, limit: int,
                   max_bytes: int = ...) -> tuple[list[images.CleanImage], images.ImageRejected | None]: ...
@overload
async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = ...,
                   intake: Callable[[bytes], T]) -> tuple[list[T], images.ImageRejected | None]: ...
async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = images.MAX_BYTES,
                   intake: Callable[[bytes], Any] = images.intake) -> tuple[list[Any], images.ImageRejected | None]:
    """-> (the clean pictures, None or the first problem). More than `limit` files is one problem;
    the first picture `intake` refuses stops the rest."""
    uploads = files(form, field)
    if len(uploads) > limit:
        return [], images.too_many(limit)
    clean: list[Any] = []
    for upload in uploads:
        raw = await upload.read(max_bytes + 1)
        try:
            clean.append(await anyio.to_thread.run_sync(intake, raw))
        except images.ImageRejected as e:
            return [], e
    return clean, None
