"""Secrets never reach the logs: hub-link and invitation tokens in request paths are redacted by a
filter on the app server's access log and on our own loggers."""

from __future__ import annotations

import logging
import re

#: /o/<token>..., /admin/invitations/<token>: capabilities, as good as a password while they are valid
SECRET_PATHS = re.compile(r"(/o/|/admin/invitations/)[A-Za-z0-9_\-.~%]+")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args) \
                if isinstance(record.args, tuple) else record.args
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Idempotent: the filter once on each logger that can carry a request path."""
    for name in ("uvicorn.access", "uvicorn.error", "orderhub", "litestar"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
