"""The one-tap link in the email: opening it spends nothing; its button signs in only a device the
page can identify, and otherwise says to type the code in the app."""

from __future__ import annotations

import re

from tests.accounts.conftest import ask_code, code_from, new_email


def link_of(mailbox, email: str) -> str:
    text = mailbox.to(email)[-1].get_body(("plain",)).get_content()
    return re.search(r"http://testserver(/account/verify\?\S+)", text).group(1)


async def signed_in(client, device) -> bool:
    return (await client.get("/api/me", headers=device["headers"])).json()["account"] is not None


async def test_opening_the_link_only_shows_a_button(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)

    page = await push_client.get(link_of(mailbox, email), headers={"Accept": "text/html"})

    assert page.status_code == 200 and 'method="post"' in page.text and email in page.text
    assert page.headers["cache-control"] == "no-store"
    assert not await signed_in(push_client, phone)
    # The code is still good in the app afterwards: a mail scanner's visit spent nothing.
    verified = await push_client.post("/api/me/sign-in/verify", json={"email": email, "code": code_from(mailbox, email)},
                                      headers=phone["headers"])
    assert verified.status_code == 200


async def test_the_button_in_a_plain_browser_signs_nothing_in_and_says_to_type_the_code(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    code = code_from(mailbox, email)

    page = await push_client.post("/account/verify", data={"email": email, "code": code})

    assert page.status_code == 200 and "Type the code in the app" in page.text and code in page.text
    assert not await signed_in(push_client, phone)


async def test_the_button_signs_in_the_device_that_asked(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)

    page = await push_client.post("/account/verify", data={"email": email, "code": code_from(mailbox, email)},
                                  headers=phone["headers"])

    assert page.status_code == 200 and "You are signed in" in page.text
    assert await signed_in(push_client, phone)


async def test_the_link_opened_on_another_device_is_refused(push_client, phone, other_phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)

    page = await push_client.post("/account/verify", data={"email": email, "code": code_from(mailbox, email)},
                                  headers=other_phone["headers"])

    assert page.status_code == 422 and "on this phone or browser" in page.text
    assert not await signed_in(push_client, other_phone) and not await signed_in(push_client, phone)


async def test_a_mangled_link_says_so(push_client):
    page = await push_client.get("/account/verify?email=nobody&code=12")
    assert page.status_code == 422 and "did not work" in page.text


async def test_the_button_signs_in_the_browser_whose_device_cookie_it_carries(push_client, phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    push_client.cookies.set("reportit_device", phone["cookie"])
    try:
        page = await push_client.post("/account/verify", data={"email": email, "code": code_from(mailbox, email)})
    finally:
        push_client.cookies.delete("reportit_device")

    assert page.status_code == 200 and "You are signed in" in page.text
    assert await signed_in(push_client, phone)


async def test_another_devices_cookie_signs_nothing_in(push_client, phone, other_phone, mailbox):
    email = new_email()
    await ask_code(push_client, phone, email)
    push_client.cookies.set("reportit_device", other_phone["cookie"])
    try:
        page = await push_client.post("/account/verify", data={"email": email, "code": code_from(mailbox, email)})
    finally:
        push_client.cookies.delete("reportit_device")

    assert page.status_code >= 400 and "did not work" in page.text
    assert not await signed_in(push_client, other_phone) and not await signed_in(push_client, phone)
