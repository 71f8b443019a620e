"""A bounded pool of rendering processes, off the event loop.

- at most `workers` documents render at once; others wait in line (bounded queue -> Busy)
- each worker has a memory cap and a CPU cap per document; a wall-clock timeout kills the pool
- the timeout counts a document's own time: a new pool starts all its workers (imports, fonts, a
  warm-up render: seconds, many more on a busy machine) and documents wait for that before their
  clock starts, so the first receipt after a start or a rebuild is not refused for the start's time
- a crashed or killed worker (BrokenProcessPool) rebuilds the pool for the next document
- callers get `RenderFailed`/`Busy`, which the site turns into a clear page, never a 500."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from orderhub.pdf import worker

log = logging.getLogger("orderhub.pdf")

MAX_HTML = 2 * 1024 * 1024
STARTUP_SECONDS = 180.0  # at most, for a new pool's workers to be ready (else RenderFailed)


class RenderFailed(Exception):
    """The document could not be rendered within the limits."""


class Busy(RenderFailed):
    """Too many documents waiting."""


class RenderPool:
    def __init__(self, workers: int = 2, timeout: float = 15.0, max_waiting: int = 50) -> None:
        self.workers = workers
        self.timeout = timeout
        self.max_waiting = max_waiting
        self._executor: ProcessPoolExecutor | None = None
        self._started: Any = None  # the new pool's count of workers ready (a shared integer)
        self._starting: list[Future[None]] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0
        self.rebuilds = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._started = context.Value("i", 0)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context,
                initializer=worker.init_worker, initargs=(self._started,),
            )
            # each submit while no worker is idle starts one: all of them, now
            self._starting = [self._executor.submit(worker.ready) for _ in range(self.workers)]
        return self._executor

    async def _ready(self) -> None:
        """Wait until every worker of the pool has started (RenderFailed past STARTUP_SECONDS)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while self._started is not None and self._started.value < self.workers:
            died = any(f.done() and f.exception() is not None for f in self._starting)
            if died or time.monotonic() > deadline:
                reason = "a worker died while starting" if died else f"workers did not start within {STARTUP_SECONDS}s"
                log.warning("PDF pool: %s; pool rebuilt", reason)
                self._kill()
                raise RenderFailed(reason)
            await asyncio.sleep(0.05)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.workers), loop
        return self._slots

    def _kill(self) -> None:
        executor, self._executor, self._started = self._executor, None, None
        if executor is None:
            return
        self.rebuilds += 1
        for proc in list(getattr(executor, "_processes", {}).values()):
            try:
                proc.kill()
            except Exception:  # noqa: BLE001
                pass
        executor.shutdown(wait=False, cancel_futures=True)

    async def render(self, html: str, css: str = "", *, cpu_seconds: int = worker.CPU_SECONDS) -> bytes:
        if len(html) > MAX_HTML:
            raise RenderFailed("document too large")
        if self._waiting >= self.max_waiting:
            raise Busy("too many documents waiting")
        self._waiting += 1
        try:
            async with self._semaphore():
                pool = self._pool()
                await self._ready()
                loop = asyncio.get_running_loop()
                try:
                    future = loop.run_in_executor(pool, _call, html, css, cpu_seconds)
                    pdf, refused, seconds = await asyncio.wait_for(future, self.timeout)
                except TimeoutError as exc:
                    log.warning("PDF render took over %ss: pool rebuilt", self.timeout)
                    self._kill()
                    raise RenderFailed("timed out") from exc
                except BrokenProcessPool as exc:
                    log.warning("PDF worker died: pool rebuilt")
                    self._kill()
                    raise RenderFailed("worker died") from exc
                except (RecursionError, ZeroDivisionError, MemoryError, ValueError, OverflowError) as exc:
                    raise RenderFailed(type(exc).__name__) from exc
                except Exception as exc:  # noqa: BLE001 — any WeasyPrint failure is a failed document
                    log.exception("PDF render failed")
                    raise RenderFailed(type(exc).__name__) from exc
                if refused:
                    log.info("PDF fetcher refused %d URL(s)", len(refused))
                return pdf
        finally:
            self._waiting -= 1

    def close(self) -> None:
        """On shutdown: the workers are ended at once (a document in progress is abandoned)."""
        executor, self._executor, self._started = self._executor, None, None
        if executor is None:
            return
        processes = list(getattr(executor, "_processes", {}).values())
        for proc in processes:
            try:
                proc.terminate()
            except Exception:  # noqa: BLE001 — already gone
                pass
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()


def _call(html: str, css: str, cpu_seconds: int):
    return worker.render_pdf(html, css, cpu_seconds=cpu_seconds)


_POOL: RenderPool | None = None


def close_shared_pool() -> None:
    """The app's shutdown closes the process's pool (its workers also die with this process: worker.py)."""
    if _POOL is not None:
        _POOL.close()


def shared_pool() -> RenderPool:
    """One pool per process (every app instance in the process shares it)."""
    global _POOL
    if _POOL is None:
        _POOL = RenderPool(workers=2)
    return _POOL
