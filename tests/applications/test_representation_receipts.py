"""The receipt of a representation is owed whatever the resident chose about following the
application: it is their proof that the council received it. Updates (the decision) follow the
follow's choices. Over HTTP as the app calls it, with the mock push service and a real SMTP server."""

from __future__ import annotations

from urllib.parse import quote

from reportit.push.tables import Notification
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.alerts.conftest import alert_rows, settled_url
from tests.applications.conftest import planning_row, unique
from tests.applications.test_representations import body, imported, url
from tests.push.conftest import subscribe, unique_name


async def _quiet_follower(push_client, mailbox, tmp_path, settings, *, push: str | None = None) -> dict:
    """A signed-in resident who follows an application and chose never to be emailed about it."""
    phone = await new_device(push_client)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    followed = (await push_client.post("/api/me/alerts", json={"application": reference, "label": "Next door"},
                                       headers=phone["headers"])).json()
    quiet = await push_client.put(f"/api/me/alerts/{followed['id']}", json={**followed, "email": "none"},
                                  headers=phone["headers"])
    assert quiet.status_code == 200 and quiet.json()["email"] == "none", quiet.text
    return {**phone, "email": email, "reference": reference, "alert": followed["id"], "page": f"/a/{reference}"}


async def test_a_receipt_reaches_a_resident_who_chose_no_email_when_their_phone_no_longer_takes_pushes(
        push_client, mailbox, browser, mock_push, settings, tmp_path, officer):
    from tests.console.conftest import post_form

    resident = await _quiet_follower(push_client, mailbox, tmp_path, settings)
    await subscribe(push_client, resident, browser, mock_push.url("gone", unique_name()))  # the app was removed
    sent = await push_client.post(url(resident["reference"]), json=body(), headers=resident["headers"])
    assert sent.status_code == 201, sent.text

    receipts = [r for r in await settled_url(resident["page"]) if r["tag"].startswith("rep-")]
    assert sorted((r["channel"], r["state"]) for r in receipts) == [("email", "sent"), ("push", "gone")]
    await mailbox.wait_for(resident["email"], count=2)  # the sign-in code, then the receipt
    [receipt] = [m for m in mailbox.to(resident["email"]) if m["Subject"].startswith("Representation received")]
    words = receipt.get_body(("plain",)).get_content()
    assert "receipt" in words and "Stop alert emails" not in words and "List-Unsubscribe" not in receipt

    decided = await post_form(officer, f"/console/applications/{resident['reference']}/decision",
                              {"decision": "Refused", "decision_date": "2026-11-28"})
    assert decided.status_code == 303
    after = await settled_url(f"/a/{quote(resident['reference'], safe='')}")
    assert [r for r in after if not r["tag"].startswith("rep-")] == []  # the decision: not emailed, as they chose
    assert mailbox.count(resident["email"]) == 2


async def test_a_receipt_still_waiting_is_not_withdrawn_when_the_resident_stops_following(
        push_client, mailbox, settings, tmp_path, quiet_senders):
    resident = await _quiet_follower(push_client, mailbox, tmp_path, settings)
    sent = await push_client.post(url(resident["reference"]), json=body(), headers=resident["headers"])
    assert sent.status_code == 201, sent.text
    assert "we will not email you the decision" in sent.json()["message"]  # the answer says so too
    unfollowed = await push_client.delete(f"/api/me/alerts/{resident['alert']}", headers=resident["headers"])
    assert unfollowed.status_code == 204, unfollowed.text

    [receipt] = await alert_rows(resident["page"])
    assert receipt["channel"] == "email" and receipt["state"] == "pending", receipt
    assert receipt["email"] == resident["email"]
    assert "we will not email you the decision" in receipt["body"]  # as they chose; no phone takes pushes
    await Notification.delete().where(Notification.id == receipt["id"])  # the senders are parked


async def test_an_erased_account_leaves_no_address_on_its_receipts(push_client, mailbox, settings, tmp_path,
                                                                   quiet_senders):
    resident = await _quiet_follower(push_client, mailbox, tmp_path, settings)
    sent = await push_client.post(url(resident["reference"]), json=body(), headers=resident["headers"])
    assert sent.status_code == 201, sent.text
    erased = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                       headers=resident["headers"])
    assert erased.status_code in (200, 204), erased.text

    [receipt] = await alert_rows(resident["page"])
    assert receipt["state"] == "gone" and receipt["email"] == "" and receipt["digest"] == ""
    await Notification.delete().where(Notification.id == receipt["id"])


async def test_a_repeated_send_answers_as_the_first_did_about_the_decision(push_client, mailbox, settings, tmp_path,
                                                                          quiet_senders):
    """The app sends again when an answer is lost: the repeat's answer (kept on the phone as the
    receipt) must not promise the decision to a resident who chose no email."""
    import uuid

    resident = await _quiet_follower(push_client, mailbox, tmp_path, settings)
    headers = {**resident["headers"], "Idempotency-Key": str(uuid.uuid4())}
    first = await push_client.post(url(resident["reference"]), json=body(), headers=headers)
    again = await push_client.post(url(resident["reference"]), json=body(), headers=headers)

    assert first.status_code == 201 and again.status_code == 200, again.text
    assert "we will not email you the decision" in again.json()["message"]
    assert again.json()["message"] == first.json()["message"]
    await Notification.delete().where(Notification.url == resident["page"])  # the senders are parked
