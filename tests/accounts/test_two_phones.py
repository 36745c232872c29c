"""One history on every device: the resident's journey at the HTTP level, with codes read from a
real SMTP server and pushes decrypted by the mock push service."""

from __future__ import annotations

from reportit.accounts.tables import AccountAudit, Device
from reportit.reports.status import Actor, change_status
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.push.conftest import new_private_report, new_report, settled, subscribe, unique_name

OFFICER = Actor("staff:officer@westminster.example")


async def my_references(client, device) -> list[str]:
    response = await client.get("/api/me/reports", headers=device["headers"])
    assert response.status_code == 200
    return [r["reference"] for r in response.json()["reports"]]


async def test_a_second_phone_sees_the_first_phones_reports_and_both_get_the_push(
        push_client, phone, other_phone, mailbox, browser, mock_push, push_settings):
    reference = await new_report(push_client, phone, contact_name="Sam Resident")  # anonymous-first: no account yet
    a_name, b_name = unique_name(), unique_name()
    await subscribe(push_client, phone, browser, mock_push.url("ok", a_name))
    await subscribe(push_client, other_phone, browser, mock_push.url("ok", b_name))
    assert reference not in await my_references(push_client, other_phone)

    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    assert await my_references(push_client, other_phone) == [reference]
    [mine] = (await push_client.get("/api/me/reports", headers=other_phone["headers"])).json()["reports"]
    assert mine["contact"]["name"] == "Sam Resident"

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER,
                        public_message="An inspector is on the way.")
    rows = await settled(reference)

    assert sorted((r["channel"], r["state"]) for r in rows) == [("push", "sent"), ("push", "sent")]
    for name in (a_name, b_name):
        [received] = mock_push.delivered(name)
        assert received.payload["notification"]["navigate"].endswith(f"/r/{reference}")
        assert "An inspector is on the way." in received.payload["notification"]["body"]


async def test_a_second_phone_lists_the_same_follows(push_client, phone, other_phone, mailbox):
    mine = await new_report(push_client, phone)
    theirs = await new_report(push_client, await new_device(push_client))
    assert (await push_client.post(f"/api/reports/{theirs}/follow", json={}, headers=phone["headers"])).status_code == 201
    assert (await push_client.get("/api/me/follows", headers=other_phone["headers"])).json() == {"follows": []}

    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    follows = (await push_client.get("/api/me/follows", headers=other_phone["headers"])).json()["follows"]
    assert [(f["reference"], f["reporter"]) for f in follows] == [(mine, True), (theirs, False)]


async def test_a_report_sent_later_from_either_phone_is_the_accounts(push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    later = await new_report(push_client, other_phone)

    assert later in await my_references(push_client, phone)


async def test_a_private_report_is_visible_on_the_other_phone_and_only_there(push_client, phone, other_phone, mailbox):
    reference = await new_private_report(push_client, phone)
    assert (await push_client.get(f"/api/reports/{reference}", headers=other_phone["headers"])).status_code == 404

    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    seen = await push_client.get(f"/api/reports/{reference}", headers=other_phone["headers"])
    assert seen.status_code == 200 and "contact" in seen.json()
    assert (await push_client.get(f"/api/reports/{reference}")).status_code == 404


async def test_signing_out_unlinks_the_phone_and_leaves_the_reports_with_the_account(
        push_client, phone, other_phone, mailbox):
    email = new_email()
    a_report = await new_report(push_client, phone)
    b_report = await new_report(push_client, other_phone)
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)
    assert set(await my_references(push_client, other_phone)) == {a_report, b_report}

    response = await push_client.post("/api/me/sign-out", headers=other_phone["headers"])

    assert response.status_code == 204
    # A phone that signs out (or is removed as lost) shows none of the account's reports any more.
    assert await my_references(push_client, other_phone) == []
    assert set(await my_references(push_client, phone)) == {a_report, b_report}
    later = await new_report(push_client, other_phone)
    assert await my_references(push_client, other_phone) == [later]
    assert (await push_client.get("/api/me", headers=other_phone["headers"])).json()["account"] is None


async def test_each_merge_and_sign_out_is_in_the_audit(push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)
    await push_client.post("/api/me/sign-out", headers=phone["headers"])
    account = (await Device.select(Device.account).where(Device.device_id == other_phone["device_id"]).first())["account"]

    rows = await AccountAudit.select(AccountAudit.action, AccountAudit.device_id).where(
        AccountAudit.account_id == account).order_by(AccountAudit.id)

    assert [(r["action"], r["device_id"]) for r in rows] == [
        ("device_joined", phone["device_id"]), ("device_joined", other_phone["device_id"]),
        ("device_left", phone["device_id"])]


async def test_a_phone_that_signs_in_after_the_status_was_followed_still_gets_the_next_push(
        push_client, phone, other_phone, mailbox, browser, mock_push, push_settings):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    reference = await new_report(push_client, phone)
    late = unique_name()
    await subscribe(push_client, other_phone, browser, mock_push.url("ok", late))

    await sign_in(push_client, other_phone, mailbox, email)
    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    await settled(reference)

    assert len(mock_push.delivered(late)) == 1
