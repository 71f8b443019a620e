"""Merchant admin sign-in, sessions, roles and the team page (invitations) through the HTTP client."""

from __future__ import annotations

import html
import re

from orderhub.db import engine
from orderhub.db.merchants.tables import User, UserInvitation
from tests.admin_ops_support import PASSWORD, admin_user, csrf, csrf_of, sign_in

LINK = re.compile(r"https?://[^/\s<]+(/admin/invitations/[A-Za-z0-9_-]+)")


async def _post(client, page_url: str, action: str, data: dict):
    token = await csrf(client, page_url)
    return await client.post(action, data={**data, "_csrf_token": token})


async def test_sign_in_lands_on_the_dashboard_and_sign_out_ends_the_session(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    r = await sign_in(client, email)
    assert r.headers["location"] == "/admin"
    page = await client.get("/admin")
    assert page.status_code == 200 and email in page.text
    assert "山風" in page.text or "Yamakaze" in page.text
    assert "orderhub-admin" in r.headers["set-cookie"] and "httponly" in r.headers["set-cookie"].lower()
    out = await _post(client, "/admin", "/admin/sign-out", {})
    assert out.status_code == 303 and out.headers["location"].startswith("/admin/sign-in")
    assert (await client.get("/admin")).status_code == 303


async def test_wrong_password_and_unknown_email_get_the_same_clear_message(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    for who, password in ((email, "wrong password!"), ("nobody@example.com", PASSWORD)):
        r = await _post(client, "/admin/sign-in?lang=en", "/admin/sign-in?lang=en",
                        {"email": who, "password": password})
        assert r.status_code == 422
        assert "That e-mail and password don't match an account." in html.unescape(r.text)
        assert "orderhub-admin" not in r.headers.get("set-cookie", "")


async def test_sign_in_is_rate_limited_per_address(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    codes = []
    for _ in range(6):
        r = await _post(client, "/admin/sign-in?lang=en", "/admin/sign-in?lang=en", {"email": email, "password": "nope"})
        codes.append(r.status_code)
    assert codes == [422] * 5 + [429]
    assert "Too many attempts" in r.text
    # even the right password waits now
    r = await _post(client, "/admin/sign-in", "/admin/sign-in", {"email": email, "password": PASSWORD})
    assert r.status_code == 429


async def test_only_failed_sign_ins_count_towards_the_limit(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    for _ in range(7):
        assert (await sign_in(client, email)).status_code == 303
        await _post(client, "/admin", "/admin/sign-out", {})


async def test_sign_in_comes_back_to_the_page_asked_for_but_never_leaves_the_admin(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    first = await client.get("/admin/returns?status=all")
    assert first.status_code == 303 and first.headers["location"] == "/admin/sign-in?next=/admin/returns%3Fstatus%3Dall"
    form = await client.get(first.headers["location"])
    assert 'name="next" value="/admin/returns?status=all"' in form.text
    r = await client.post("/admin/sign-in", data={"email": email, "password": PASSWORD,
                                                  "next": "/admin/returns?status=all", "_csrf_token": csrf_of(form.text)})
    assert r.headers["location"] == "/admin/returns?status=all"
    await _post(client, "/admin", "/admin/sign-out", {})
    for hostile in ("https://evil.example/", "//evil.example/admin", "/admin\\@evil", "javascript:alert(1)"):
        r = await _post(client, "/admin/sign-in", "/admin/sign-in", {"email": email, "password": PASSWORD,
                                                                     "next": hostile})
        assert r.headers["location"] == "/admin", hostile
        await _post(client, "/admin", "/admin/sign-out", {})


async def test_missing_csrf_is_refused(client, merchants, clock):
    email = await admin_user(clock, "yamakaze", "owner")
    r = await client.post("/admin/sign-in", data={"email": email, "password": PASSWORD})
    assert r.status_code == 403
    await sign_in(client, email)
    r = await client.post("/admin/users/invitations", data={"email": "new@example.jp", "role": "owner"})
    assert r.status_code == 403
    async with engine.read():
        assert await UserInvitation.count() == 0


async def test_staff_and_admin_sessions_are_separate(client, merchants, clock):
    """A staff console cookie does not open the admin, and a forged admin cookie opens nothing."""
    email = await admin_user(clock, "yamakaze", "staff")
    page = await client.get("/staff")
    r = await client.post("/staff/sign-in", data={"email": email, "password": PASSWORD,
                                                  "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert (await client.get("/admin/returns")).status_code == 303
    client.cookies.set("orderhub-admin", "1.1795316400.abcdef0123456789.forged")
    assert (await client.get("/admin/returns")).status_code == 303


async def test_staff_see_their_lists_but_not_the_owner_pages(client, merchants, clock):
    await sign_in(client, await admin_user(clock, "yamakaze", "staff"))
    landing = await client.get("/admin/returns?lang=en")
    assert landing.status_code == 200
    assert 'href="/admin/users' not in landing.text  # no link to what they cannot open
    for path in ("/admin/users",):
        r = await client.get(path + "?lang=en")
        assert r.status_code == 403 and "This page is for the shop's owners" in html.unescape(r.text)


async def test_disabling_a_user_ends_their_session_at_once(client, merchants, clock, app):
    import httpx

    staff_email = await admin_user(clock, "yamakaze", "staff")
    owner_email = await admin_user(clock, "yamakaze", "owner")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as other:
        await sign_in(other, staff_email)
        assert (await other.get("/admin/returns")).status_code == 200
        await sign_in(client, owner_email)
        async with engine.read():
            staff_id = (await User.select(User.id).where(User.email == staff_email).first())["id"]
        r = await _post(client, "/admin/users", f"/admin/users/{staff_id}/disable", {})
        assert r.status_code == 303
        assert (await other.get("/admin/returns")).status_code == 303
        team = await client.get("/admin/users?lang=en")
        assert "Disabled" in team.text


async def test_an_owner_cannot_lock_the_shop_out(client, merchants, clock):
    owner_email = await admin_user(clock, "yamakaze", "owner")
    await sign_in(client, owner_email)
    async with engine.read():
        me = (await User.select(User.id).where(User.email == owner_email).first())["id"]
    r = await _post(client, "/admin/users?lang=en", f"/admin/users/{me}/disable?lang=en", {})
    assert r.status_code == 409 and "You can&#39;t disable your own account." in r.text
    async with engine.read():
        assert (await User.select(User.disabled_at).where(User.id == me).first())["disabled_at"] is None


async def test_invitation_makes_an_account_once(client, merchants, clock, app):
    import httpx

    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    r = await _post(client, "/admin/users?lang=en", "/admin/users/invitations?lang=en",
                    {"email": "Hana@Example.JP", "role": "staff", "store": "shibuya"})
    assert r.status_code == 200 and "Invitation for hana@example.jp" in r.text, r.text[-3000:]
    path = LINK.search(r.text).group(1)
    async with engine.read():
        row = await UserInvitation.select().first()
    assert path.rsplit("/", 1)[1] not in str(row)  # only the hash is kept
    team = await client.get("/admin/users?lang=en")
    assert "Open invitations" in team.text and path not in team.text  # the link is shown once
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as guest:
        join = await guest.get(path + "?lang=en")
        assert join.status_code == 200 and "hana@example.jp" in join.text
        short = await guest.post(path + "?lang=en", data={"password": "short", "confirm": "short",
                                                           "_csrf_token": csrf_of(join.text)})
        assert short.status_code == 422 and "Use at least 10 characters." in short.text
        differ = await guest.post(path + "?lang=en", data={"password": "a long password", "confirm": "another one!",
                                                            "_csrf_token": csrf_of(join.text)})
        assert differ.status_code == 422 and "The two passwords don&#39;t match." in differ.text
        async with engine.read():
            assert not await User.exists().where(User.email == "hana@example.jp")
        done = await guest.post(path, data={"password": "a long password", "confirm": "a long password",
                                            "_csrf_token": csrf_of(join.text)})
        assert done.status_code == 303 and done.headers["location"] == "/admin/returns"
        assert (await guest.get("/admin/returns")).status_code == 200
        again = await guest.get(path + "?lang=en")  # single use: the page says it was accepted
        assert again.status_code == 410 and "This invitation was already accepted." in again.text

    async with engine.read():
        user = await User.select().where(User.email == "hana@example.jp").first()
    assert user["role"] == "staff" and user["store_code"] == "shibuya"


async def test_invitations_expire_and_can_be_withdrawn(client, merchants, clock):
    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    r = await _post(client, "/admin/users", "/admin/users/invitations", {"email": "a@example.jp", "role": "owner"})
    late = LINK.search(r.text).group(1)
    r = await _post(client, "/admin/users", "/admin/users/invitations", {"email": "b@example.jp", "role": "owner"})
    withdrawn = LINK.search(r.text).group(1)
    async with engine.read():
        b = await UserInvitation.select(UserInvitation.id).where(UserInvitation.email == "b@example.jp").first()
    assert (await _post(client, "/admin/users", f"/admin/users/invitations/{b['id']}/revoke", {})).status_code == 303
    assert (await client.get(withdrawn)).status_code == 404
    assert (await client.get(late)).status_code == 200
    clock.advance(hours=71)
    assert (await client.get(late)).status_code == 200
    clock.advance(hours=2)  # past ORDERHUB_INVITE_HOURS (72): the page says it expired
    expired = await client.get(late + "?lang=en")
    assert expired.status_code == 410 and "This invitation has expired." in expired.text
    assert (await client.get("/admin/invitations/not-a-token")).status_code == 404


async def test_bad_invitations_get_messages_next_to_the_fields(client, merchants, clock):
    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    r = await _post(client, "/admin/users?lang=en", "/admin/users/invitations?lang=en",
                    {"email": "<script>alert(1)</script>", "role": "staff", "store": ""})
    assert r.status_code == 422
    assert "Enter an e-mail address such as name@example.com." in r.text
    assert "Store staff belong to a store: choose one." in r.text
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    r = await _post(client, "/admin/users?lang=en", "/admin/users/invitations?lang=en",
                    {"email": "owner@yamakaze.example", "role": "owner"})
    assert r.status_code == 422 and "This person already has an account." in r.text
    r = await _post(client, "/admin/users?lang=en", "/admin/users/invitations?lang=en",
                    {"email": "x@example.jp", "role": "admin"})
    assert r.status_code == 422 and "Choose owner or store staff." in r.text
    async with engine.read():
        assert await UserInvitation.count() == 0


async def test_another_merchants_people_are_not_found(client, merchants, clock):
    other = await admin_user(clock, "acme", "staff")
    await sign_in(client, await admin_user(clock, "acme", "owner"))
    r = await _post(client, "/admin/users", "/admin/users/invitations", {"email": "z@acme.example", "role": "owner"})
    assert r.status_code == 200
    async with engine.read():
        acme_invite = (await UserInvitation.select(UserInvitation.id).first())["id"]
        acme_user = (await User.select(User.id).where(User.email == other).first())["id"]
    await _post(client, "/admin", "/admin/sign-out", {})
    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    assert (await _post(client, "/admin/users", f"/admin/users/{acme_user}/disable", {})).status_code == 404
    assert (await _post(client, "/admin/users", f"/admin/users/invitations/{acme_invite}/revoke", {})).status_code == 404
    team = await client.get("/admin/users")
    assert other not in team.text and "z@acme.example" not in team.text
    async with engine.read():
        assert (await User.select(User.disabled_at).where(User.id == acme_user).first())["disabled_at"] is None


async def test_the_admin_speaks_japanese(client, merchants, clock):
    await sign_in(client, await admin_user(clock, "yamakaze", "owner"))
    page = await client.get("/admin/users?lang=ja")
    assert "チーム" in page.text and "ログアウト" in page.text
    await _post(client, "/admin", "/admin/sign-out", {})
    form = await client.get("/admin/sign-in?lang=ja")
    assert "ログイン" in form.text
