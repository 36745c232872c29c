"""Signing in with an emailed code, read from a real SMTP server, and every way it can go wrong."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import pytest

from reportit.accounts.tables import Device, ResidentAccount, SignInCode
from tests.accounts.conftest import ask_code, code_from, new_device, new_email, sign_in
from reportit.app_state import services


async def verify(client, device, email, code):
    return await client.post("/api/me/sign-in/verify", json={"email": email, "code": code}, headers=device["headers"])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_the_code_in_the_email_signs_this_phone_in(push_client, phone, mailbox):
    email = new_email()
    asked = await ask_code(push_client, phone, email)
    assert asked.json() == {"email": email, "expires_in": 600}
    [message] = mailbox.to(email)
    code = code_from(mailbox, email)
    assert message["Subject"] == f"{code} is your Report It code"
    assert f"http://testserver/account/verify?email={email.replace('@', '%40')}&code={code}" in \
        message.get_body(("plain",)).get_content()

    response = await verify(push_client, phone, email.upper(), code)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["device"] == {"id": phone["device_id"], "signed_in": True}
    assert body["account"]["email"] == email
    me = await push_client.get("/api/me", headers=phone["headers"])
    assert me.json()["account"]["email"] == email
    stored = await SignInCode.select(SignInCode.code_hash).where(SignInCode.email == email).first()
    assert code not in stored["code_hash"] and len(stored["code_hash"]) == 64


async def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(push_client, phone, other_phone, mailbox):
    known = new_email()
    await sign_in(push_client, phone, mailbox, known)
    unknown = new_email()

    for_known = await push_client.post("/api/me/sign-in", json={"email": known}, headers=other_phone["headers"])
    for_unknown = await push_client.post("/api/me/sign-in", json={"email": unknown}, headers=other_phone["headers"])

    assert for_known.status_code == for_unknown.status_code == 202
    assert set(for_known.json()) == set(for_unknown.json()) and for_known.json()["expires_in"] == 600
    assert len(mailbox.to(unknown)) == 1 and not await ResidentAccount.exists().where(ResidentAccount.email == unknown)


async def test_each_wrong_code_counts_and_the_sixth_try_is_refused_even_when_right(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    code = code_from(mailbox, email)
    lefts = []
    for _ in range(5):
        response = await verify(push_client, phone, email, wrong(code))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        lefts.append(response.json()["errors"][0]["message"])
    assert "4 tries left" in lefts[0] and "1 try left" in lefts[3] and "Too many wrong codes" in lefts[4]

    sixth = await verify(push_client, phone, email, code)

    assert sixth.status_code == 422
    assert sixth.json()["errors"] == [{"field": "code", "message": sixth.json()["detail"]}]
    assert "Too many wrong codes" in sixth.json()["detail"]
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"] is None


async def test_an_expired_code_is_refused(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    await SignInCode.update({SignInCode.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(
        SignInCode.email == email)

    response = await verify(push_client, phone, email, code_from(mailbox, email))

    assert response.status_code == 422 and "expired" in response.json()["detail"]
    assert not await ResidentAccount.exists().where(ResidentAccount.email == email)


async def test_a_used_code_cannot_sign_in_again(push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await push_client.post("/api/me/sign-out", headers=phone["headers"])

    again = await verify(push_client, phone, email, code_from(mailbox, email))

    assert again.status_code == 422 and "already been used" in again.json()["detail"]
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"] is None


async def test_a_made_up_code_after_the_newest_was_used_is_not_called_used(push_client, phone, mailbox):
    """Only the code that was spent is "already used": any other code typed after it is simply not a
    code this phone has (a resident typing a mistyped code was told it had been used)."""
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await push_client.post("/api/me/sign-out", headers=phone["headers"])

    response = await verify(push_client, phone, email, wrong(code_from(mailbox, email)))

    assert response.status_code == 422
    assert "already been used" not in response.json()["detail"]
    assert "Ask for a code" in response.json()["detail"]


async def test_a_code_sent_to_another_address_does_not_work(push_client, phone, mailbox):
    mine, theirs = new_email(), new_email()
    await ask_code(push_client, phone, mine)
    await ask_code(push_client, phone, theirs)

    response = await verify(push_client, phone, mine, code_from(mailbox, theirs))

    assert response.status_code == 422 and "not right" in response.json()["detail"]
    assert not await ResidentAccount.exists().where(ResidentAccount.email.is_in([mine, theirs]))


async def test_verifying_without_asking_for_a_code_first_is_refused(push_client, phone):
    response = await verify(push_client, phone, new_email(), "123456")
    assert response.status_code == 422 and "Ask for a code here" in response.json()["detail"]


async def test_a_code_asked_for_on_another_phone_does_not_sign_this_one_in(push_client, phone, other_phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)

    response = await verify(push_client, other_phone, email, code_from(mailbox, email))

    assert response.status_code == 422 and "on this phone or browser" in response.json()["detail"]
    assert (await push_client.get("/api/me", headers=other_phone["headers"])).json()["account"] is None
    # The code still works where it was asked for.
    assert (await verify(push_client, phone, email, code_from(mailbox, email))).status_code == 200


async def test_two_phones_signing_in_to_one_address_at_once_each_use_their_own_code(
        push_client, phone, other_phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    first = code_from(mailbox, email)
    await ask_code(push_client, other_phone, email)
    second = code_from(mailbox, email)

    assert (await verify(push_client, phone, email, first)).status_code == 200
    assert (await verify(push_client, other_phone, email, second)).status_code == 200


async def test_two_phones_making_the_same_new_account_at_the_same_moment_both_join_it(
        push_client, phone, other_phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    first = code_from(mailbox, email)
    await ask_code(push_client, other_phone, email)
    second = code_from(mailbox, email)

    answers = await asyncio.gather(verify(push_client, phone, email, first),
                                   verify(push_client, other_phone, email, second))

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json()["account"]["email"] == answers[1].json()["account"]["email"] == email
    assert await ResidentAccount.count().where(ResidentAccount.email == email) == 1


@pytest.mark.parametrize("email, message", [
    ("", "Enter your email address."),
    ("not an email", "Enter an email address in the right format, like name@example.com."),
    ("a" * 288 + "@example.org", "An email address is at most 254 characters. Check it and try again."),
    (42, "Enter your email address."),
])
async def test_malformed_and_overlong_addresses_are_refused_with_a_message(push_client, phone, mailbox, email, message):
    before = len(mailbox.messages)
    response = await push_client.post("/api/me/sign-in", json={"email": email}, headers=phone["headers"])
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "email", "message": message}]
    assert len(mailbox.messages) == before


async def test_a_badly_typed_code_is_refused_without_costing_a_try(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    response = await verify(push_client, phone, email, "12 34")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "code", "message": "Enter the 6-digit code from the email."}]
    assert (await SignInCode.select(SignInCode.tries).where(SignInCode.email == email).first())["tries"] == 0


async def test_signing_in_needs_a_registered_app(push_client):
    response = await push_client.post("/api/me/sign-in", json={"email": new_email()})
    assert response.status_code == 401


async def test_codes_are_rate_limited_per_address_and_per_client(push_app, push_client, phone):
    email = new_email()
    answers = [(await push_client.post("/api/me/sign-in", json={"email": email}, headers=phone["headers"])).status_code
               for _ in range(4)]
    assert answers == [202, 202, 202, 429]
    limited = await push_client.post("/api/me/sign-in", json={"email": email}, headers=phone["headers"])
    assert limited.headers["content-type"] == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    assert "Use the newest email" in limited.json()["detail"]

    from reportit.limits import RateLimiter

    saved = services(push_app).sign_in_address_limiter
    services(push_app).sign_in_address_limiter = RateLimiter(2, capacity=2, what="sign-in codes")
    try:
        statuses = [(await push_client.post("/api/me/sign-in", json={"email": new_email()},
                                            headers=phone["headers"])).status_code for _ in range(3)]
    finally:
        services(push_app).sign_in_address_limiter = saved
    assert statuses == [202, 202, 429]


async def test_with_no_smtp_server_the_code_is_written_to_the_log(client, caplog):
    device = await new_device(client)
    email = new_email()
    caplog.set_level(logging.INFO, logger="reportit.accounts.code_mail")
    response = await client.post("/api/me/sign-in", json={"email": email}, headers=device["headers"])
    assert response.status_code == 202
    [line] = [r.getMessage() for r in caplog.records if "event=sign_in_code " in r.getMessage()]
    code = line.split("code=")[1].split()[0]
    assert f"email={email}" in line and len(code) == 6
    verified = await client.post("/api/me/sign-in/verify", json={"email": email, "code": code}, headers=device["headers"])
    assert verified.status_code == 200


async def test_a_resident_account_is_not_a_staff_sign_in(push_client, phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    staff = await push_client.post("/api/session", json={"email": email, "password": "anything at all"})
    assert staff.status_code == 401
    assert (await Device.select(Device.account).where(Device.device_id == phone["device_id"]).first())["account"]


async def test_a_wrong_code_does_not_tell_whether_someone_else_is_signing_in(push_client, phone, other_phone, mailbox):
    email, nobody = new_email(), new_email()
    await ask_code(push_client, other_phone, email)

    asked_elsewhere = await verify(push_client, phone, email, "123456")
    never_asked = await verify(push_client, phone, nobody, "123456")

    assert asked_elsewhere.status_code == never_asked.status_code == 422
    assert asked_elsewhere.json()["detail"] == never_asked.json()["detail"]


async def test_new_codes_buy_no_new_guesses_after_ten_wrong_codes_in_a_day(push_client, phone, other_phone, mailbox):
    email = new_email()
    for device in (phone, other_phone):  # two codes, two phones: the count is the address's
        await ask_code(push_client, device, email)
        code = code_from(mailbox, email)
        for _ in range(5):
            assert (await verify(push_client, device, email, wrong(code))).status_code == 422
    await ask_code(push_client, phone, email)

    response = await verify(push_client, phone, email, code_from(mailbox, email))

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert "Too many wrong codes" in response.json()["detail"] and "Try again in 24 hours" in response.json()["detail"]
    assert 23 * 3600 < int(response.headers["Retry-After"]) <= 24 * 3600
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"] is None
