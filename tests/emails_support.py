"""A real SMTP server for the email tests (aiosmtpd on loopback, in its own thread), and helpers."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server received; `answer` is the reply to DATA ("250 OK", "451 ...", "550 ...")."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.answer = "250 OK"
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.answer.startswith("250"):
            with self.lock:
                self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return self.answer

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """Until `count` messages arrived (the server thread may lag a little behind the client)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.messages


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}?starttls=off"
    yield inbox
    controller.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    return dataclasses.replace(settings, smtp_url=smtp_server.url, smtp_from="orders@orderhub.example")


def parts(msg) -> dict:
    """{"text": str, "html": str, "images": {cid: bytes}} of a received message."""
    out = {"text": "", "html": "", "images": {}}
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain":
            out["text"] = part.get_content()
        elif ctype == "text/html":
            out["html"] = part.get_content()
        elif ctype.startswith("image/"):
            out["images"][part["Content-ID"]] = part.get_content()
    return out
