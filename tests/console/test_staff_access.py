"""Staff management beyond roles: deactivating an account (its sessions end at once, in the
console and the app), a one-time password reset link by email (real SMTP), and changing your own
password."""

from __future__ import annotations

import dataclasses
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

from reportit.accounts.tables import PasswordReset, StaffRole
from reportit.console.tables import AuditLog
from tests.console.conftest import PASSWORD, new_client, post_form, sign_in
from tests.smtp import Mailbox, running_mailbox
from reportit.app_state import services

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def with_smtp(app, mailbox) -> Iterator[None]:
    """The running app, told to send email through the test's SMTP server."""
    before = services(app).settings
    services(app).settings = dataclasses.replace(before, config=dataclasses.replace(
        before.config, smtp_url=mailbox.url, mail_from="Console <console@westminster.example>"))
    yield
    services(app).settings = before


async def new_person(admin, role: str = "warden") -> tuple[str, int]:
    email = f"person-{secrets.token_hex(3)}@council.example"
    added = await post_form(admin, "/console/admin/staff", {"email": email, "role": role, "password": PASSWORD})
    assert added.status_code == 303
    row = await StaffRole.select(StaffRole.user).where(StaffRole.user.email == email).first()
    return email, row["user"]


async def test_deactivating_ends_console_and_app_sessions_at_once_and_blocks_sign_in(app, admin, staff):
    email, user_id = await new_person(admin)
    async with new_client(app) as console, new_client(app) as phone:
        assert (await sign_in(console, email)).status_code == 303
        assert (await phone.post("/api/session", json={"email": email, "password": PASSWORD})).status_code == 200
        assert (await console.get("/console/")).status_code == 200

        off = await post_form(admin, f"/console/admin/staff/{user_id}/access", {"active": "0"})
        assert off.status_code == 303
        assert "Account deactivated" in (await admin.get(off.headers["location"])).text

        assert (await console.get("/console/")).status_code == 303  # sent to sign in
        assert (await phone.get("/api/session")).status_code == 401
        again = await sign_in(console, email)
        assert again.status_code == 401 and "not right" in again.text
        refused = await phone.post("/api/session", json={"email": email, "password": PASSWORD})
        assert refused.status_code == 401

        on = await post_form(admin, f"/console/admin/staff/{user_id}/access", {"active": "1"})
        assert on.status_code == 303
        assert (await sign_in(console, email)).status_code == 303
    actions = await AuditLog.select(AuditLog.action, AuditLog.actor).where(AuditLog.target == email).order_by(AuditLog.id)
    assert [a["action"] for a in actions] == ["staff_added", "staff_disabled", "staff_enabled"]
    assert {a["actor"] for a in actions} == {staff["admin"]}


async def test_an_admin_cannot_deactivate_themselves_and_others_cannot_deactivate_anyone(admin, officer, staff):
    me = await StaffRole.select(StaffRole.user).where(StaffRole.user.email == staff["admin"]).first()
    refused = await post_form(admin, f"/console/admin/staff/{me['user']}/access", {"active": "0"})
    assert refused.status_code == 422 and "You cannot deactivate your own account" in refused.text
    forbidden = await post_form(officer, f"/console/admin/staff/{me['user']}/access", {"active": "0"})
    assert forbidden.status_code == 403


async def test_a_reset_link_by_email_sets_a_new_password_once(app, admin, mailbox, with_smtp):
    email, user_id = await new_person(admin)
    async with new_client(app) as old_session:
        assert (await sign_in(old_session, email)).status_code == 303
        sent = await post_form(admin, f"/console/admin/staff/{user_id}/password-reset")
        assert sent.status_code == 303 and sent.headers["location"] == "/console/admin?done=reset"

        [message] = mailbox.to(email)
        assert message["From"] == "Console <console@westminster.example>"
        body = message.get_body(("plain",)).get_content()
        link = re.search(r"http://testserver(/console/password-reset/\S+)", body).group(1)
        assert "works once" in body

        async with new_client(app) as browser:
            page = await browser.get(link)
            assert page.status_code == 200 and "Choose a new password" in page.text and email in page.text
            short = await post_form(browser, link, {"password": "too short", "password_again": "too short"})
            assert short.status_code == 422 and "at least 12 characters" in short.text
            done = await post_form(browser, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
            assert done.status_code == 303 and done.headers["location"] == "/console/sign-in?password_set=1"
            assert (await browser.get(link)).status_code == 410  # single use
            assert (await post_form(browser, link, {"password": PASSWORD + "x", "password_again": PASSWORD + "x"})
                    ).status_code == 410
            assert (await sign_in(browser, email, PASSWORD)).status_code == 401
            assert (await sign_in(browser, email, NEW_PASSWORD)).status_code == 303
        assert (await old_session.get("/console/")).status_code == 303  # the old session ended
    actions = [a["action"] for a in await AuditLog.select(AuditLog.action).where(AuditLog.target == email)]
    assert "password_reset_sent" in actions and "password_reset_used" in actions


async def test_an_expired_reset_link_does_not_work(app, admin, mailbox, with_smtp):
    email, user_id = await new_person(admin)
    await post_form(admin, f"/console/admin/staff/{user_id}/password-reset")
    [message] = mailbox.to(email)
    link = re.search(r"http://testserver(/console/password-reset/\S+)", message.get_body(("plain",)).get_content()).group(1)
    await PasswordReset.update({PasswordReset.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(
        PasswordReset.user == user_id)
    async with new_client(app) as browser:
        page = await browser.get(link)
        assert page.status_code == 410 and "does not work any more" in page.text


async def test_without_smtp_the_admin_is_told_to_use_the_command(admin):
    _email, user_id = await new_person(admin)
    response = await post_form(admin, f"/console/admin/staff/{user_id}/password-reset")
    assert response.status_code == 422 and "reportit user passwd" in response.text


async def test_staff_change_their_own_password_after_giving_the_current_one(app, admin):
    email, _user_id = await new_person(admin, role="officer")
    async with new_client(app) as me, new_client(app) as elsewhere:
        assert (await sign_in(me, email)).status_code == 303
        assert (await sign_in(elsewhere, email)).status_code == 303
        page = await me.get("/console/account/password")
        assert page.status_code == 200 and 'autocomplete="current-password"' in page.text
        wrong = await post_form(me, "/console/account/password", {
            "current_password": "not my password", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
        assert wrong.status_code == 422 and "Your current password is not right" in wrong.text
        mismatch = await post_form(me, "/console/account/password", {
            "current_password": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "!"})
        assert mismatch.status_code == 422 and "do not match" in mismatch.text
        done = await post_form(me, "/console/account/password", {
            "current_password": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
        assert done.status_code == 303
        assert "Your password is changed" in (await me.get(done.headers["location"])).text
        assert (await me.get("/console/")).status_code == 200  # this session goes on
        assert (await elsewhere.get("/console/")).status_code == 303  # the other one ended
    async with new_client(app) as fresh:
        assert (await sign_in(fresh, email, NEW_PASSWORD)).status_code == 303
    assert await AuditLog.exists().where((AuditLog.action == "password_changed") & (AuditLog.target == email))
