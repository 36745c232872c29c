"""From a published event to a resident: a saved alert, an application published inside its radius
and one outside gives exactly one push at the local push service (decrypted, opening /a/{reference});
a signed-in resident with no push gets an email (or a daily digest) through the real SMTP server,
with a one-click unsubscribe; followers hear of changes; neighbours hear of new public reports."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from reportit.push.tables import Notification
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.alerts.conftest import (FAR, HOME, NEAR, alert_rows, publish_changed, publish_received, save_alert,
                                   settled_url, unique_reference)
from tests.api.test_reports_api import pothole, send
from tests.push.conftest import subscribe, unique_name


def path_of(reference: str) -> str:
    return f"/a/{quote(reference, safe='')}"


async def test_one_application_inside_the_radius_and_one_outside_give_exactly_one_push(
        push_client, resident, browser, mock_push, push_settings):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    await save_alert(push_client, resident, radius=500)
    inside, outside = unique_reference(), unique_reference()

    await publish_received(push_settings, inside, NEAR, description="Roof terrace <with> glass balustrade")
    await publish_received(push_settings, outside, FAR)
    await settled_url(path_of(inside))
    await settled_url(path_of(outside))

    [push] = mock_push.delivered(name)
    notification = push.payload["notification"]
    assert notification["navigate"] == f"http://testserver{path_of(inside)}"
    assert notification["title"] == "New planning application near Home"
    assert notification["body"] == "12 Example Street, London SW1: Roof terrace <with> glass balustrade"
    assert notification["data"] == {"url": path_of(inside), "kind": "alert"}
    assert push.headers["topic"] and len(push.headers["topic"]) <= 32


async def test_an_alert_for_licensing_only_hears_nothing_of_planning(push_client, resident, browser, mock_push,
                                                                       push_settings):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    await save_alert(push_client, resident, kinds=["licensing"])
    planning, licensing = unique_reference(), unique_reference("LIC/")

    await publish_received(push_settings, planning, NEAR)
    await publish_received(push_settings, licensing, NEAR, regime="licensing")
    await settled_url(path_of(planning))
    await settled_url(path_of(licensing))

    assert [r.payload["notification"]["data"]["url"] for r in mock_push.delivered(name)] == [path_of(licensing)]


async def test_a_resident_with_two_matching_alerts_is_told_once(push_client, resident, browser, mock_push,
                                                                push_settings):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    await save_alert(push_client, resident, label="Home")
    await save_alert(push_client, resident, label="Work", latitude=NEAR[0], longitude=NEAR[1])
    reference = unique_reference()

    await publish_received(push_settings, reference, NEAR)
    await settled_url(path_of(reference))

    assert len(mock_push.delivered(name)) == 1


async def test_a_follower_hears_when_the_application_changes(push_client, resident, browser, mock_push,
                                                             push_settings):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    reference = unique_reference()
    followed = await push_client.post("/api/me/alerts", json={"application": reference}, headers=resident["headers"])
    assert followed.status_code == 201

    await publish_changed(push_settings, reference, FAR, "Consultation extended to Friday 11 December")
    await settled_url(path_of(reference))

    [push] = mock_push.delivered(name)
    assert push.payload["notification"]["title"] == f"Application {reference}: Consultation extended to Friday 11 December"
    assert push.payload["notification"]["navigate"].endswith(path_of(reference))


async def test_a_new_public_report_nearby_reaches_those_watching_its_category(push_client, resident, browser,
                                                                              mock_push):
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    corner = {"latitude": "51.5350", "longitude": "-0.2100"}  # a spot no other test reports at
    await save_alert(push_client, resident, kinds=["problems"], categories=["pothole"], radius=300,
                     latitude=51.5352, longitude=-0.2100)
    neighbour = await new_device(push_client)

    public = await send(push_client, neighbour, pothole(**corner))
    elsewhere = await send(push_client, neighbour, pothole())
    private = await send(push_client, neighbour, {**pothole(**corner), "category": "noise_neighbour",
                                                  "answers": '{"threatened": "no"}'})
    assert public.status_code == private.status_code == elsewhere.status_code == 201
    public_ref, private_ref = public.json()["reference"], private.json()["reference"]
    assert not await Notification.exists().where(Notification.url == f"/r/{elsewhere.json()['reference']}")
    await settled_url(f"/r/{public_ref}")

    [push] = mock_push.delivered(name)
    assert push.payload["notification"]["navigate"] == f"http://testserver/r/{public_ref}"
    assert push.payload["notification"]["title"].startswith("Pothole")
    # The reporter's words stay on the report's page, where moderation reaches them: a queued
    # message would keep words redacted after it was queued.
    assert pothole(**corner)["description"] not in push.payload["notification"]["body"]
    assert not await Notification.exists().where(Notification.url == f"/r/{private_ref}")


async def test_without_push_a_signed_in_resident_gets_an_email_with_one_click_unsubscribe(
        push_client, mailbox, push_settings):
    phone = await new_device(push_client)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await save_alert(push_client, phone, label="Mum's", email="immediate")
    reference = unique_reference()

    await publish_received(push_settings, reference, NEAR, description="Change of use to a café")
    rows = await settled_url(path_of(reference))

    assert [(r["channel"], r["state"]) for r in rows if r["email"] == email] == [("email", "sent")]
    [message] = [m for m in mailbox.to(email) if "application" in m["Subject"]]
    assert message["Subject"] == "New planning application near Mum's"
    text = message.get_body(("plain",)).get_content()
    assert f"http://testserver{path_of(reference)}" in text and "Change of use to a café" in text
    unsubscribe = re.fullmatch(r"<(http://testserver(/alerts/unsubscribe/[^>]+))>", message["List-Unsubscribe"].strip())
    assert unsubscribe, message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe.group(2)

    page = await push_client.get(path)
    assert page.status_code == 200 and "Stop alert emails" in page.text and 'method="post"' in page.text
    done = await push_client.post(path, content="List-Unsubscribe=One-Click",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "You will not get more alert emails" in done.text
    [alert] = (await push_client.get("/api/me/alerts", headers=phone["headers"])).json()["alerts"]
    assert alert["email"] == "none"

    later = unique_reference()
    await publish_received(push_settings, later, NEAR)
    await settled_url(path_of(later))
    assert len([m for m in mailbox.to(email) if "application" in m["Subject"]]) == 1


async def test_a_forged_unsubscribe_link_is_404(push_client):
    response = await push_client.post("/alerts/unsubscribe/1.AAAAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404


async def test_a_daily_digest_lists_twenty_and_says_how_many_there_are(push_client, mailbox, push_settings):
    phone = await new_device(push_client)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await save_alert(push_client, phone, email="daily")
    references = [unique_reference() for _ in range(23)]
    for reference in references:
        await publish_received(push_settings, reference, NEAR)

    queued = await Notification.select(Notification.next_attempt_at, Notification.digest).where(
        Notification.email == email)
    assert len(queued) == 23 and len({r["digest"] for r in queued}) == 1
    now = datetime.now(timezone.utc)
    assert all(now < r["next_attempt_at"] <= now + timedelta(days=1) for r in queued)
    assert not [m for m in mailbox.to(email) if "alerts" in m["Subject"]]

    # The digest hour comes.
    await Notification.update({Notification.next_attempt_at: now}).where(Notification.email == email)
    for reference in references:
        await settled_url(path_of(reference))

    [digest] = [m for m in mailbox.to(email) if "alerts" in m["Subject"]]
    assert digest["Subject"] == "Your alerts: 23 new"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = digest.get_body(("plain",)).get_content()
    listed = [ref for ref in references if path_of(ref) in text]
    assert listed == references[:20]
    assert "See all 23 in the app: http://testserver/alerts" in text
    states = {r["state"] for r in await Notification.select(Notification.state).where(Notification.email == email)}
    assert states == {"sent"}


async def test_my_data_lists_my_alerts_and_erasing_the_account_deletes_them(push_client, mailbox):
    phone = await new_device(push_client)
    await sign_in(push_client, phone, mailbox, new_email())
    saved = await save_alert(push_client, phone)

    data = (await push_client.get("/api/me/export", headers=phone["headers"])).json()
    assert [a["id"] for a in data["alerts"]] == [saved["id"]]

    erased = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                       headers=phone["headers"])
    assert erased.status_code == 200
    from reportit.alerts.tables import Alert
    assert not await Alert.exists().where(Alert.id == saved["id"])
    _ = HOME


async def test_erasing_the_account_leaves_its_address_in_no_outbox_row(push_client, mailbox, push_settings):
    phone, email = await new_device(push_client), new_email()
    await sign_in(push_client, phone, mailbox, email)
    await save_alert(push_client, phone)  # no push on this phone: alerts are emailed
    reference = unique_reference()
    await publish_received(push_settings, reference, NEAR)
    assert [r["state"] for r in await settled_url(path_of(reference)) if r["email"] == email] == ["sent"]

    erased = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                       headers=phone["headers"])

    assert erased.status_code == 200
    rows = await Notification.select(Notification.email, Notification.digest, Notification.unsubscribe_url).where(
        Notification.url == path_of(reference))
    assert rows and not [r for r in rows if email in (r["email"] + r["digest"]).lower() or r["unsubscribe_url"]]


async def test_an_alert_switched_to_no_email_after_its_push_was_queued_is_not_emailed_when_the_push_fails(
        push_client, mailbox, browser, mock_push, push_settings, quiet_senders):
    from reportit.push.fanout import fall_back_to_email

    phone = await new_device(push_client)
    await sign_in(push_client, phone, mailbox, new_email())
    await subscribe(push_client, phone, browser, mock_push.url("gone", unique_name()))
    saved = await save_alert(push_client, phone)
    reference = unique_reference()
    await publish_received(push_settings, reference, NEAR)
    [queued] = [r for r in await alert_rows(path_of(reference)) if r["alert"] == saved["id"]]
    assert queued["channel"] == "push" and queued["email"]  # the fallback address, as it was then
    changed = await push_client.put(f"/api/me/alerts/{saved['id']}", json={**saved, "email": "none"},
                                    headers=phone["headers"])
    assert changed.status_code == 200, changed.text

    assert await fall_back_to_email(queued["id"], push_settings) is False
    assert [r["channel"] for r in await alert_rows(path_of(reference)) if r["alert"] == saved["id"]] == ["push"]
    await Notification.delete().where(Notification.url == path_of(reference))


async def test_an_import_that_rolls_back_queues_nothing(push_client, resident, browser, mock_push, push_settings):
    from reportit import database, events

    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    await save_alert(push_client, resident)
    reference = unique_reference()
    try:
        async with database.write_transaction(Notification._meta.db):
            await events.publish(events.ApplicationReceived(
                application_id=1, version_id=1, reference=reference, regime="planning", application_type="full",
                address="1 Broken Row", description="Half an import", latitude=NEAR[0], longitude=NEAR[1]),
                push_settings)
            raise RuntimeError("the import failed on its next row")
    except RuntimeError:
        pass

    from reportit.alerts.tables import ApplicationNotice
    assert not await Notification.exists().where(Notification.url == path_of(reference))
    assert not await ApplicationNotice.exists().where(ApplicationNotice.reference == reference)


async def test_when_the_push_finally_fails_the_alert_is_emailed_instead(push_client, mailbox, browser, mock_push,
                                                                        push_settings):
    phone = await new_device(push_client)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await subscribe(push_client, phone, browser, mock_push.url("gone", unique_name()))
    await save_alert(push_client, phone)
    reference = unique_reference()

    await publish_received(push_settings, reference, NEAR)
    rows = await settled_url(path_of(reference))

    mine = [(r["channel"], r["state"]) for r in rows if r["email"] == email]
    assert sorted(mine) == [("email", "sent"), ("push", "gone")]
    [message] = [m for m in mailbox.to(email) if "application" in m["Subject"]]
    assert f"http://testserver{path_of(reference)}" in message.get_body(("plain",)).get_content()
