"""Pictures uploaded through a form, for every section that takes them (return reasons, claims,
reviews, the brand's logo): each file is read with a byte cap and checked and re-encoded by
`images.intake` in a worker thread, so decoding a large picture never blocks the event loop.

Errors are the validators' English messages; each section words them for its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

from orderhub import images

T = TypeVar("T")


def files(form: Any, field: str) -> list[Any]:
    """The chosen files of `field` (an empty file input sends a part without a file name)."""
    parts = form.getall(field, []) if hasattr(form, "getall") else [form.get(field)]
    return [p for p in parts if p is not None and not isinstance(p, str) and getattr(p, "filename", "")]


async def pictures(form: Any, field: str, *, limit: int, max_bytes: int = images.MAX_BYTES,
                   intake: Callable[[bytes], T] = images.intake) -> tuple[list[T], str]:
    """-> (the clean pictures, "" or the first problem). More than `limit` files is one problem;
    the first picture `intake` refuses stops the rest."""
    uploads = files(form, field)
    if len(uploads) > limit:
        return [], f"at most {limit} photos"
    clean: list[T] = []
    for upload in uploads:
        raw = await upload.read(max_bytes + 1)
        try:
            clean.append(await anyio.to_thread.run_sync(intake, raw))
        except images.ImageRejected as e:
            return [], str(e)
    return clean, ""
