"""Console sign-in: sessions, cookie flags, CSRF, rate limiting, fixation and sign-out."""

from __future__ import annotations

import dataclasses
import secrets

from reportit.accounts.staff import add_staff
from tests.console.conftest import PASSWORD, new_client, post_form, sign_in
from reportit.app_state import services


async def test_signing_in_opens_the_case_list_with_a_secure_session_cookie(app, staff):
    async with new_client(app) as client:
        response = await sign_in(client, staff["officer"])
        assert response.status_code == 303 and response.headers["location"] == "/console/"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("id="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http in tests; see the next test
        page = await client.get("/console/")
        assert page.status_code == 200 and "Cases" in page.text and staff["officer"] in page.text
        assert page.headers["cache-control"] == "no-store"


async def test_the_session_cookie_is_secure_when_the_settings_say_so(app, staff):
    original = services(app).settings
    services(app).settings = dataclasses.replace(original, config=dataclasses.replace(original.config, secure_cookies=True))
    try:
        async with new_client(app) as client:
            response = await sign_in(client, staff["officer"])
    finally:
        services(app).settings = original
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("id="))
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_wrong_password_is_refused_with_an_error_summary(app, staff):
    async with new_client(app) as client:
        response = await sign_in(client, staff["officer"], "not the password")
        assert response.status_code == 401
        assert "There is a problem" in response.text and "email address or password is not right" in response.text
        assert "id" not in client.cookies


async def test_after_five_failures_even_the_right_password_is_refused_for_a_while(app):
    email = f"target-{secrets.token_hex(3)}@council.example"
    await add_staff(email, PASSWORD, "officer")
    async with new_client(app) as client:
        for _ in range(5):
            assert (await sign_in(client, email, "guess")).status_code == 401
        refused = await sign_in(client, email, PASSWORD)
        assert refused.status_code == 429
        assert "Too many attempts to sign in. Wait 15 minutes and try again." in refused.text
        assert int(refused.headers["retry-after"]) > 60
        assert "id" not in client.cookies


async def test_a_session_token_planted_before_sign_in_is_not_the_one_after(app, staff):
    from piccolo_api.session_auth.tables import SessionsBase

    async with new_client(app) as victim:
        victim.cookies.set("id", "planted-by-an-attacker", domain="testserver.local")
        assert (await sign_in(victim, staff["officer"])).status_code == 303
        assert victim.cookies["id"] != "planted-by-an-attacker"
    async with new_client(app) as client:
        assert (await sign_in(client, staff["officer"])).status_code == 303
        planted = client.cookies["id"]  # a real, valid token the attacker knows
    async with new_client(app) as victim:
        victim.cookies.set("id", planted, domain="testserver.local")
        assert (await sign_in(victim, staff["officer"])).status_code == 303
        fresh = victim.cookies["id"]
        assert fresh != planted
        assert await SessionsBase.get_user_id(planted) is None  # the old session is gone
        assert await SessionsBase.get_user_id(fresh) is not None


async def test_signing_out_ends_the_session_on_the_server(app, officer):
    token = officer.cookies["id"]
    response = await post_form(officer, "/console/sign-out")
    assert response.status_code == 303 and response.headers["location"].startswith("/console/sign-in")
    async with new_client(app) as thief:
        thief.cookies.set("id", token, domain="testserver.local")
        again = await thief.get("/console/")
        assert again.status_code == 303 and again.headers["location"].startswith("/console/sign-in")


async def test_a_post_without_the_csrf_token_is_refused(app, officer, report):
    reference = report["reference"]
    without = await officer.post(f"/console/reports/{reference}/note", data={"note": "sneaky"})
    assert without.status_code == 403 and "This form has expired" in without.text
    wrong = await officer.post(f"/console/reports/{reference}/note", data={"note": "sneaky", "csrftoken": "forged"})
    assert wrong.status_code == 403
    async with new_client(app) as no_csrf_cookie:
        no_csrf_cookie.cookies.set("id", officer.cookies["id"], domain="testserver.local")
        response = await no_csrf_cookie.post(f"/console/reports/{reference}/note", data={"note": "x", "csrftoken": "x"})
        assert response.status_code == 403
    page = await officer.get(f"/console/reports/{reference}")
    assert "sneaky" not in page.text


async def test_the_sign_in_form_itself_needs_the_csrf_token(app, staff):
    async with new_client(app) as client:
        response = await client.post("/console/sign-in", data={"email": staff["officer"], "password": PASSWORD})
        assert response.status_code == 403 and "id" not in client.cookies


async def test_the_json_api_is_not_behind_the_console_csrf_check(client):
    assert (await client.post("/api/devices")).status_code == 201


async def test_sign_in_never_redirects_to_another_site(app, staff):
    async with new_client(app) as client:
        page = await client.get("/console/sign-in?next=https://evil.example/")
        assert 'value="/console/"' in page.text


async def test_anonymous_visitors_are_sent_to_sign_in_and_back(app):
    async with new_client(app) as client:
        response = await client.get("/console/dashboard?status=fixed")
        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fdashboard%3Fstatus%3Dfixed"
