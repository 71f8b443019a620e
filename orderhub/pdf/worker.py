"""What runs inside a worker process: HTML string -> PDF bytes, under resource limits.

Only plain data crosses the process boundary (strings in, bytes out)."""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from typing import Any

from orderhub.child_process import die_with_parent

MEMORY_LIMIT = 768 * 1024 * 1024  # address space per worker
CPU_SECONDS = 8                     # CPU time per document
_in_worker = False                  # limits are only ever set inside pool workers


def init_worker(started: Any = None) -> None:
    """Runs once per worker: dies with its parent, memory cap, quiet logs, and a warm-up render so
    the first real document does not pay for imports and font discovery; then counts itself in
    `started` (the pool's shared integer), which the pool waits for before timing a document."""
    global _in_worker
    _in_worker = True
    die_with_parent()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    try:
        os.nice(10)  # documents wait; the pages people are looking at don't
    except OSError:
        pass
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    sys.setrecursionlimit(3000)
    try:
        render_pdf('<p lang="ja">領収書 Receipt ¥0</p>', "")
    except Exception:  # noqa: BLE001
        pass
    if started is not None:
        with started.get_lock():
            started.value += 1


def ready() -> None:
    """Nothing: submitted once per worker by a new pool, so that every worker starts at once."""


def render_pdf(html: str, css: str, *, cpu_seconds: int = CPU_SECONDS) -> tuple[bytes, list[str], float]:
    """(pdf, refused URLs, seconds). CPU time is capped per call: the kernel stops the process
    (SIGXCPU) if a document runs away, and the pool is rebuilt."""
    # heavy (WeasyPrint, fonts): imported where the rendering happens, in the worker; no cycle
    from weasyprint import CSS, HTML

    from orderhub.pdf.fetcher import StaticOnlyFetcher

    if _in_worker:
        used = resource.getrusage(resource.RUSAGE_SELF)
        limit = int(used.ru_utime + used.ru_stime) + 1 + cpu_seconds
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (limit, hard if hard == resource.RLIM_INFINITY or hard > limit else limit))
        except (ValueError, OSError):
            pass
    started = time.perf_counter()
    fetcher = StaticOnlyFetcher()
    stylesheets = [CSS(string=css, url_fetcher=fetcher)] if css else []
    document = HTML(string=html, base_url="asset:", url_fetcher=fetcher, media_type="print")
    pdf = document.write_pdf(stylesheets=stylesheets, presentational_hints=False, attachments=None,
                             xmp_metadata=None, uncompressed_pdf=False)
    return pdf, fetcher.refused, time.perf_counter() - started
