"""My data: download everything, and delete the account leaving the public record without a person."""

from __future__ import annotations

import asyncio
import json
import secrets

from reportit.accounts.tables import AccountAudit, Device, ResidentAccount
from reportit.push.tables import Follow, PushSubscription
from reportit.reports.personal import _cleanups
from reportit.reports.tables import Photo, Report
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif
from tests.push.conftest import subscribe, unique_name
from reportit.app_state import services

CONTACT = {"contact_name": "Sam Resident", "contact_email": "", "contact_phone": "07700 900 982"}


async def reported(client, device, data, photo=True, width: int = 800) -> dict:
    response = await send(client, device, data, photos=[jpeg_with_exif(width=width)] if photo else [])
    assert response.status_code == 201, response.text
    return response.json()


def private(**extra) -> dict:
    return {**pothole(**extra), "category": "noise_neighbour", "answers": json.dumps({"threatened": "no"})}


async def test_the_download_holds_every_report_photo_link_follow_and_place(push_client, phone, mailbox, browser,
                                                                          mock_push):
    email = new_email()
    report = await reported(push_client, phone, pothole(**{**CONTACT, "contact_email": email}))
    await subscribe(push_client, phone, browser, mock_push.url("ok", unique_name()))
    await sign_in(push_client, phone, mailbox, email)
    await push_client.patch("/api/me", json={"places": [{"label": "Home", "address": "1 Horseferry Road",
                                                          "latitude": 51.4956, "longitude": -0.1297}]},
                            headers=phone["headers"])

    response = await push_client.get("/api/me/export", headers=phone["headers"])

    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="my-data-')
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["account"]["email"] == email
    [mine] = data["reports"]
    assert mine["reference"] == report["reference"] and mine["contact"]["phone"] == "07700 900 982"
    assert mine["photos"][0]["url"].startswith("http://testserver/media/")
    assert [f["reference"] for f in data["follows"]] == [report["reference"]]
    assert data["saved_places"][0]["label"] == "Home" and data["push_subscriptions"][0]["push_service"] == "127.0.0.1"
    assert [d["id"] for d in data["devices"]] == [phone["device_id"]] and "notifications" in data
    page = await push_client.get("/api/me/export?format=html", headers=phone["headers"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert report["reference_spoken"] in page.text and "Horseferry Road" in page.text
    account = (await ResidentAccount.select(ResidentAccount.id).where(ResidentAccount.email == email).first())["id"]
    assert await AccountAudit.exists().where((AccountAudit.account_id == account) & (AccountAudit.action == "exported"))


async def test_deleting_needs_the_confirm_phrase_and_without_it_nothing_changes(push_client, phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    for body in ({}, {"confirm": "yes"}, {"confirm": 1}):
        response = await push_client.request("DELETE", "/api/me", json=body, headers=phone["headers"])
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "confirm"
        assert 'Type "delete my account"' in response.json()["errors"][0]["message"]
    assert await ResidentAccount.exists().where(ResidentAccount.email == email)


async def test_erasing_leaves_the_reports_with_no_person_and_no_private_photos(
        push_client, client, officer, phone, other_phone, mailbox, browser, mock_push, settings):
    email = new_email()
    public = await reported(push_client, phone, pothole(**CONTACT))
    # A picture of its own: files are stored by content, and a shared one would rightly stay.
    secret = await reported(push_client, other_phone, private(**CONTACT), width=601 + secrets.randbelow(150))
    by_email = await reported(push_client, await new_device(push_client), pothole(contact_email=email.upper()),
                              photo=False)
    await subscribe(push_client, other_phone, browser, mock_push.url("ok", unique_name()))
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)
    before = (await push_client.get("/api/me/export", headers=phone["headers"])).json()
    assert {r["reference"] for r in before["reports"]} == {public["reference"], secret["reference"],
                                                           by_email["reference"]}
    secret_keys = await Photo.select(Photo.key, Photo.thumb_key).where(Photo.report.reference == secret["reference"])
    store = services(push_client._transport.app).photo_store  # type: ignore[attr-defined]

    response = await push_client.request("DELETE", "/api/me", json={"confirm": "Delete my account"},
                                         headers=phone["headers"])

    assert response.status_code == 200, response.text
    assert response.json()["erased"] is True and response.json()["kept"]
    references = [public["reference"], secret["reference"], by_email["reference"]]
    rows = await Report.select(Report.contact_name, Report.contact_email, Report.contact_phone, Report.device).where(
        Report.reference.is_in(references))
    assert len(rows) == 3 and all(r == {"contact_name": "", "contact_email": "", "contact_phone": "", "device": None}
                                  for r in rows)
    assert not await Photo.exists().where(Photo.report.reference == secret["reference"])
    assert await Photo.exists().where(Photo.report.reference == public["reference"])
    await asyncio.gather(*_cleanups)  # the files go after the commit
    for photo in secret_keys:
        assert not await store.exists(photo["key"]) and not await store.exists(photo["thumb_key"])
    assert not await ResidentAccount.exists().where(ResidentAccount.email == email)
    ids = [d["id"] for d in await Device.select(Device.id).where(
        Device.device_id.is_in([phone["device_id"], other_phone["device_id"]]))]
    assert not await Follow.exists().where(Follow.device.is_in(ids))
    assert not await PushSubscription.exists().where(PushSubscription.device.is_in(ids))
    assert await AccountAudit.exists().where(AccountAudit.action == "erased")

    # What others see: the permanent page, Open311 and the console's CSV carry no name, email or phone.
    for text in [(await client.get(f"/r/{public['reference']}")).text,
                 (await client.get(f"/open311/v2/requests/{public['reference']}.json")).text,
                 (await client.get("/open311/v2/requests.json")).text,
                 (await officer.get("/console/export.csv")).text,
                 (await officer.get(f"/console/reports/{public['reference']}")).text]:
        assert "Sam Resident" not in text and "07700 900 982" not in text and email not in text.lower()
    # The phones still work, signed out: the app keeps its token and anything it has not sent.
    me = await push_client.get("/api/me", headers=phone["headers"])
    assert me.status_code == 200 and me.json()["account"] is None
    assert (await push_client.get("/api/me/reports", headers=phone["headers"])).json()["reports"] == []


async def test_a_new_account_never_inherits_an_erased_accounts_history(push_client, phone, other_phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())
    await push_client.get("/api/me/export", headers=phone["headers"])
    erased = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                       headers=phone["headers"])
    assert erased.status_code == 200

    # On SQLite the new account gets the erased one's id again (the highest id is reused).
    await sign_in(push_client, other_phone, mailbox, new_email())
    history = (await push_client.get("/api/me/export", headers=other_phone["headers"])).json()["account_history"]

    assert [h["action"] for h in history] == ["device_joined"]
    assert history[0]["device"] == other_phone["device_id"]


async def test_erasing_takes_the_previews_of_photos_still_on_their_way(push_client, phone, mailbox):
    from tests.api.test_resumable_uploads import fresh_photo, put_preview, send_report

    email = new_email()
    body = (await send_report(push_client, phone, fresh_photo(800, 600))).json()
    preview_url = (await put_preview(push_client, phone, body["uploads"][0])).json()["preview_url"]
    assert (await push_client.get(preview_url)).status_code == 200
    await sign_in(push_client, phone, mailbox, email)
    response = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                         headers=phone["headers"])
    assert response.status_code == 200, response.text
    await asyncio.gather(*_cleanups)
    assert (await push_client.get(preview_url)).status_code == 404
    store = services(push_client._transport.app).photo_store  # type: ignore[attr-defined]
    assert not await store.exists(preview_url[7:-4])
