"""A report belongs to the account it was sent under, whatever account its phone joins later, and
whichever phone sent it: My reports, private pages, pushes, follows, the download and erasure."""

from __future__ import annotations

from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.push.conftest import new_private_report, settled, subscribe, unique_name

OFFICER = Actor("staff:officer@westminster.example")
ALICE = {"contact_name": "Alice Example", "contact_phone": "07700 900123"}
ERASE = {"confirm": "delete my account"}


async def my_references(client, device) -> list[str]:
    response = await client.get("/api/me/reports", headers=device["headers"])
    assert response.status_code == 200
    return [r["reference"] for r in response.json()["reports"]]


async def test_a_shared_tablet_keeps_each_report_with_the_account_it_was_sent_under(
        push_client, phone, other_phone, mailbox, browser, mock_push, push_settings):
    tablet = await new_device(push_client)
    alice, bob = new_email(), new_email()
    await sign_in(push_client, tablet, mailbox, alice)
    await sign_in(push_client, phone, mailbox, alice)
    reference = await new_private_report(push_client, tablet, **ALICE)
    alice_push, bob_push = unique_name(), unique_name()
    await subscribe(push_client, phone, browser, mock_push.url("ok", alice_push))
    await subscribe(push_client, other_phone, browser, mock_push.url("ok", bob_push))

    await sign_in(push_client, tablet, mailbox, bob)
    await sign_in(push_client, other_phone, mailbox, bob)

    assert reference not in await my_references(push_client, other_phone)
    assert reference not in await my_references(push_client, tablet)
    assert (await push_client.get(f"/api/reports/{reference}", headers=other_phone["headers"])).status_code == 404
    assert (await push_client.post(f"/api/reports/{reference}/follow", json={},
                                   headers=other_phone["headers"])).status_code == 404
    assert reference in await my_references(push_client, phone)
    follows = (await push_client.get("/api/me/follows", headers=other_phone["headers"])).json()["follows"]
    assert reference not in [f["reference"] for f in follows]

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER,
                        public_message="An officer will call.")
    await settled(reference)
    assert len(mock_push.delivered(alice_push)) == 1
    assert mock_push.delivered(bob_push) == []

    assert (await push_client.request("DELETE", "/api/me", json=ERASE, headers=phone["headers"])).status_code == 200
    row = await Report.select(Report.contact_name, Report.contact_phone, Report.device).where(
        Report.reference == reference).first()
    assert row == {"contact_name": "", "contact_phone": "", "device": None}
    assert reference not in await my_references(push_client, other_phone)


async def test_a_removed_phones_reports_are_erased_with_the_account(push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)
    lost = await new_private_report(push_client, other_phone, **ALICE)
    signed_out = await new_device(push_client)
    await sign_in(push_client, signed_out, mailbox, email)
    from_signed_out = await new_private_report(push_client, signed_out, **ALICE)

    removed = await push_client.delete(f"/api/me/devices/{other_phone['device_id']}", headers=phone["headers"])
    assert removed.status_code == 204
    assert (await push_client.post("/api/me/sign-out", headers=signed_out["headers"])).status_code == 204
    assert lost not in await my_references(push_client, other_phone)
    assert {lost, from_signed_out} <= set(await my_references(push_client, phone))
    exported = (await push_client.get("/api/me/export", headers=phone["headers"])).json()
    assert {lost, from_signed_out} <= {r["reference"] for r in exported["reports"]}

    assert (await push_client.request("DELETE", "/api/me", json=ERASE, headers=phone["headers"])).status_code == 200

    rows = await Report.select(Report.contact_name, Report.contact_phone, Report.device).where(
        Report.reference.is_in([lost, from_signed_out]))
    assert rows == [{"contact_name": "", "contact_phone": "", "device": None}] * 2


async def test_reports_sent_before_signing_in_become_the_accounts(push_client, phone, other_phone, mailbox):
    before = await new_private_report(push_client, phone, **ALICE)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    assert before in await my_references(push_client, other_phone)
    seen = await push_client.get(f"/api/reports/{before}", headers=other_phone["headers"])
    assert seen.status_code == 200 and seen.json()["contact"]["name"] == "Alice Example"


async def test_the_reporter_follows_their_private_report_from_their_second_phone(
        push_client, phone, other_phone, mailbox, browser, mock_push, push_settings):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)
    reference = await new_private_report(push_client, phone, **ALICE)

    response = await push_client.post(f"/api/reports/{reference}/follow", json={}, headers=other_phone["headers"])

    assert response.status_code in (200, 201), response.text
    follows = (await push_client.get("/api/me/follows", headers=other_phone["headers"])).json()["follows"]
    assert (reference, True) in [(f["reference"], f["reporter"]) for f in follows]


async def test_turning_updates_off_and_on_again_keeps_a_private_reports_pushes(
        push_client, phone, browser, mock_push, push_settings):
    reference = await new_private_report(push_client, phone, **ALICE)
    name = unique_name()
    await subscribe(push_client, phone, browser, mock_push.url("ok", name))
    url = f"/api/reports/{reference}/follow"
    assert (await push_client.delete(url, headers=phone["headers"])).status_code == 204
    assert (await push_client.post(url, json={}, headers=phone["headers"])).status_code == 201

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER,
                        public_message="An officer will call.")
    await settled(reference)

    assert len(mock_push.delivered(name)) == 1


async def test_the_signed_in_accounts_own_address_needs_no_confirmation_link(push_client, phone, mailbox,
                                                                          push_settings):
    """The account's address was confirmed by its sign-in code: a report giving it is emailed at once."""
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    signed_in_mail = len(mailbox.to(email))
    reference = await new_private_report(push_client, phone, contact_email=email.upper(), **ALICE)

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)

    assert [(r["channel"], r["state"]) for r in await settled(reference)] == [("email", "sent")]
    news = mailbox.to(email.upper())
    assert len(mailbox.to(email)) == signed_in_mail and [m["Subject"][-13:] for m in news] == ["Investigating"]
