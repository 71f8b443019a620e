"""Signing in to the merchant admin in the browser tests of the dashboard and operations lists.
The owner is made with the documented CLI (`orderhub user create`), once per server."""

from __future__ import annotations

import re
import subprocess

DEMO_OWNER = ("ops-owner@yamakaze.example", "admin-ops e2e password")


def ensure_owner(server, email: str, password: str, merchant: str = "yamakaze") -> None:
    made = getattr(server, "_admin_ops_owners", set())
    if email in made:
        return
    try:
        server.cli("user", "create", "--merchant", merchant, "--email", email, "--role", "owner", input=password + "\n")
    except subprocess.CalledProcessError as exc:  # already there from an earlier test of this server
        assert "already has an account" in (exc.stderr or ""), exc.stderr
    made.add(email)
    server._admin_ops_owners = made


def sign_in(page, server, email: str, password: str) -> None:
    ensure_owner(server, email, password)
    page.goto(f"{server.url}/admin/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin(/|\?|$)(?!sign-in)"))
