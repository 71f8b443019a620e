"""Secrets never reach the logs: hub-link and invitation tokens in request paths are redacted in
every log record the process makes (access log, error log, our own loggers, exception tracebacks),
by a log-record factory installed once, so no logger or handler can be missed. The app server's
access log is off unless ORDERHUB_ACCESS_LOG is set."""

from __future__ import annotations

import logging
import re
from typing import Any

#: /o/<token>..., /admin/invitations/<token>: capabilities, as good as a password while they are valid
SECRET_PATHS = re.compile(r"(/o/|/admin/invitations/)[A-Za-z0-9_\-.~%]+")
_FORMATTER = logging.Formatter()


def redact(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[redacted]", text)


def _clean(value: Any) -> Any:
    """A log argument with tokens taken out: text is redacted; an object whose text would carry a
    token (a URL, a request) is replaced by its redacted text; numbers stay numbers."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    cleaned = redact(text)
    return cleaned if cleaned != text else value


def redact_record(record: logging.LogRecord) -> None:
    """Arguments are redacted one by one (uvicorn's access formatter reads them as a tuple); when the
    formatted message still carries a token (one split between the format and an argument), the
    record becomes that message, redacted, without arguments."""
    if isinstance(record.args, tuple):
        record.args = tuple(_clean(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _clean(v) for k, v in record.args.items()}
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        return  # logging reports a bad format itself
    redacted = redact(message)
    if redacted != message or not record.args:
        record.msg, record.args = redacted, ()
    if record.exc_info and record.exc_info[0] is not None:
        # the traceback as text now (handlers use exc_text when it is set), without tokens
        record.exc_text = redact(_FORMATTER.formatException(record.exc_info))


class RedactTokens(logging.Filter):
    """The same redaction as a filter, for a handler set up elsewhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Idempotent: every log record made from now on in this process is redacted at creation."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
