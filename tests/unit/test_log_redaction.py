"""Tokens never reach the logs (issue 18, item 6): every logger of the process, its children
included, and exception tracebacks are redacted once `logs.install()` ran (the app does it)."""

from __future__ import annotations

import io
import logging

from orderhub.site import logs

TOKEN = "bLQCFKnkgxkS3Cn2jcrrZ5K6_YYv5EhZ"


def test_every_logger_and_every_traceback_is_redacted():
    logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        logging.getLogger("orderhub.errors").warning("busy on POST %s", f"/o/{TOKEN}/feedback/nps")
        logging.getLogger("some.library").warning("GET /admin/invitations/%s", TOKEN)
        logging.getLogger("uvicorn.error").error("%s - %s", "127.0.0.1", f"/o/{TOKEN}")
        try:
            raise ValueError(f"could not open /o/{TOKEN}/receipt")
        except ValueError:
            logging.getLogger("orderhub.site.receipts").exception("unexpected error")
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count("[redacted]") == 4 and "ValueError: could not open /o/[redacted]" in text


def test_install_is_idempotent():
    logs.install()
    factory = logging.getLogRecordFactory()
    logs.install()
    assert logging.getLogRecordFactory() is factory
