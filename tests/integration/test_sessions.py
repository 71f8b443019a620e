"""Server-side sessions (issue 18, item 4): a copied cookie stops working after sign-out, after a
password change in another session, after "sign out everywhere" and for a disabled user; the staff
console's sessions too; a CSRF token from another session is refused; the change-password page."""

from __future__ import annotations

import httpx

from orderhub.db import engine
from orderhub.db.security.tables import UserSession
from tests.admin_ops_support import PASSWORD, admin_user, csrf, csrf_of, sign_in
from tests.conftest import BASE_URL
from tests.pickup_support import make_staff
from tests.pickup_support import sign_in as staff_sign_in

NEW_PASSWORD = "a brand new passphrase"


def _twin(app, client) -> httpx.AsyncClient:
    """Another browser holding a copy of `client`'s cookies (a stolen or copied session)."""
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
    other.cookies.update(client.cookies)
    return other


async def _post(client, page_url: str, action: str, data: dict):
    return await client.post(action, data={**data, "_csrf_token": await csrf(client, page_url)})


async def test_a_copied_cookie_stops_working_after_sign_out(app, client, merchants, clock):
    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    async with _twin(app, client) as copy:
        assert (await copy.get("/admin/returns")).status_code == 200
        r = await _post(client, "/admin/returns", "/admin/sign-out", {})
        assert r.status_code == 303
        assert (await copy.get("/admin/returns")).status_code == 303  # to the sign-in page
    async with engine.read():
        assert await UserSession.exists().where(UserSession.ended_at.is_null()) is False


async def test_changing_the_password_ends_every_other_session(app, client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    await sign_in(client, email)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as laptop:
        await sign_in(laptop, email)
        page = await client.get("/admin/account/password?lang=en")
        assert page.status_code == 200 and "Change your password" in page.text
        wrong = await client.post("/admin/account/password?lang=en", data={
            "current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "_csrf_token": csrf_of(page.text)})
        assert wrong.status_code == 422 and "That is not your current password." in wrong.text
        weak = await client.post("/admin/account/password?lang=en", data={
            "current": PASSWORD, "password": "short", "confirm": "short", "_csrf_token": csrf_of(page.text)})
        assert weak.status_code == 422 and "Use at least 10 characters." in weak.text
        done = await client.post("/admin/account/password", data={
            "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "_csrf_token": csrf_of(page.text)})
        assert done.status_code == 303
        assert (await client.get("/admin/returns")).status_code == 200  # this session stays
        assert (await laptop.get("/admin/returns")).status_code == 303  # the other one ended
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as fresh:
        page = await fresh.get("/admin/sign-in")
        old = await fresh.post("/admin/sign-in", data={"email": email, "password": PASSWORD,
                                                       "_csrf_token": csrf_of(page.text)})
        assert old.status_code == 422
        await sign_in(fresh, email, NEW_PASSWORD)


async def test_sign_out_everywhere_ends_this_session_and_the_others(app, client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "staff")
    await sign_in(client, email)
    async with _twin(app, client) as copy, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as phone:
        await sign_in(phone, email)
        r = await _post(client, "/admin/account/password", "/admin/account/sign-out-everywhere", {})
        assert r.status_code == 303 and r.headers["location"] == "/admin/sign-in"
        for browser in (client, copy, phone):
            assert (await browser.get("/admin/returns")).status_code == 303


async def test_a_disabled_users_copied_cookie_opens_nothing(app, client, merchants, clock):
    staff_email = await admin_user(clock, "yamakaze", "staff")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as staff:
        await sign_in(staff, staff_email)
        async with _twin(app, staff) as copy:
            await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
            async with engine.read():
                from orderhub.db.merchants.tables import User

                staff_id = (await User.select(User.id).where(User.email == staff_email).first())["id"]
            assert (await _post(client, "/admin/users", f"/admin/users/{staff_id}/disable", {})).status_code == 303
            assert (await copy.get("/admin/returns")).status_code == 303
            async with engine.read():
                assert not await UserSession.exists().where(
                    (UserSession.user == staff_id) & UserSession.ended_at.is_null())


async def test_the_staff_consoles_copied_cookie_stops_after_sign_out(app, client, merchants, clock):
    await make_staff(clock)
    r = await staff_sign_in(client)
    assert r.status_code == 303
    async with _twin(app, client) as copy:
        console = await copy.get("/staff?lang=en")
        assert console.status_code == 200 and "sign-in" not in console.text.split("<main", 1)[1][:400]
        assert (await _post(client, "/staff", "/staff/sign-out", {})).status_code == 303
        after = await copy.get("/staff?lang=en")
        assert 'name="password"' in after.text  # the sign-in form again


async def test_a_csrf_token_from_another_session_is_refused(app, client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as attacker:
        await sign_in(attacker, email)
        page = await attacker.get("/admin/account/password")
        foreign_token = csrf_of(page.text)
        foreign_cookie = dict(attacker.cookies)
    await sign_in(client, email)
    # the victim's session with the attacker's (valid, but other-session) CSRF cookie and token
    csrf_name = "csrftoken"
    client.cookies.set(csrf_name, foreign_cookie[csrf_name])
    r = await client.post("/admin/account/sign-out-everywhere", data={"_csrf_token": foreign_token})
    assert r.status_code == 403
    # with the CSRF cookie gone, its pages hand out its own bound token again, and that works
    client.cookies.delete(csrf_name)
    r = await _post(client, "/admin/account/password", "/admin/account/sign-out-everywhere", {})
    assert r.status_code == 303
