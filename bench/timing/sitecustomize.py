"""Bench-only: each server process records how long the app took over every HTTP request, from the
request reaching the app to its last body byte handed to the server (`bench/p99_split.py` puts this
folder on PYTHONPATH; nothing of the product imports it).

Active when ORDERHUB_BENCH_TIMINGS names a file prefix: SIGUSR2 writes `<prefix>.<pid>` (one line a
request, `start duration_ms`, start on the monotonic clock every process shares) and starts afresh."""

import os

_PREFIX = os.environ.get("ORDERHUB_BENCH_TIMINGS")

if _PREFIX:
    import signal
    import time

    import orderhub.site.app as _app_module

    _made = _app_module.create_app
    _clock = time.perf_counter
    _timings: list[tuple[float, float]] = []

    def create_app(*args, **kwargs):  # the factory `orderhub serve` names, wrapped
        app = _made(*args, **kwargs)

        async def timed(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            start = _clock()

            async def sent(message):
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    _timings.append((start, _clock() - start))

            return await app(scope, receive, sent)

        return timed

    _app_module.create_app = create_app

    def _write(*_: object) -> None:
        rows = list(_timings)
        _timings.clear()
        with open(f"{_PREFIX}.{os.getpid()}", "w") as out:
            out.write("".join(f"{start:.6f} {seconds * 1000:.3f}\n" for start, seconds in rows))

    signal.signal(signal.SIGUSR2, _write)
