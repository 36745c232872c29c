"""Duplicates and moderation: originals are always kept for audit, and the public sees only the result."""

from __future__ import annotations

import io
import secrets

from PIL import Image

from reportit.console.tables import Redaction
from reportit.push.tables import Follow
from reportit.reports.tables import Photo, Report
from tests.api.test_reports_api import pothole, send
from tests.api.test_resumable_uploads import send_report, upload_whole
from tests.console.conftest import post_form
from tests.console.test_casework import audit_rows
from tests.photo_samples import jpeg_with_exif
from reportit.app_state import services


def unique_photo() -> bytes:
    """Photos are stored by content: identical bytes shown by another public report stay public."""
    return jpeg_with_exif(width=600 + secrets.randbelow(400))


async def new_report(client, device, photos=(), **extra) -> dict:
    response = await send(client, device, pothole(**extra), photos=photos)
    assert response.status_code == 201, response.text
    return response.json()


async def test_marking_a_duplicate_moves_its_followers_to_the_original(client, officer, device, report):
    other = (await client.post("/api/devices")).json()
    other_device = {**other, "headers": {"Authorization": f"Bearer {other['token']}"}}
    duplicate = await new_report(client, other_device, description="Same hole again")
    follower = (await client.post("/api/devices")).json()
    followed = await client.post(f"/api/reports/{duplicate['reference']}/follow",
                                 headers={"Authorization": f"Bearer {follower['token']}"})
    assert followed.status_code in (200, 201, 204), followed.text

    response = await post_form(officer, f"/console/reports/{duplicate['reference']}/duplicate",
                               {"original": report["reference_spoken"].lower()})
    assert response.status_code == 303

    rows = await Report.select(Report.id, Report.reference, Report.status, Report.duplicate_of).where(
        Report.reference.is_in([report["reference"], duplicate["reference"]]))
    by_ref = {r["reference"]: r for r in rows}
    original_id = by_ref[report["reference"]]["id"]
    assert by_ref[duplicate["reference"]]["status"] == "duplicate"
    assert by_ref[duplicate["reference"]]["duplicate_of"] == original_id
    public = (await client.get(f"/api/reports/{duplicate['reference']}")).json()
    assert report["reference_spoken"] in public["history"][-1]["message"]

    following = await Follow.select(Follow.device.device_id.as_alias("device_id")).where(Follow.report == original_id)
    ids = {str(f["device_id"]) for f in following}
    assert {other["device_id"], follower["device_id"], device["device_id"]} <= ids
    assert len(following) == len(ids)  # nobody follows the original twice

    [row] = await audit_rows(duplicate["reference"], "marked_duplicate")
    assert row["after"]["duplicate_of"] == report["reference"] and row["after"]["followers_moved"] == 2


async def test_a_duplicate_needs_a_real_original_that_is_not_itself(officer, report):
    reference = report["reference"]
    itself = await post_form(officer, f"/console/reports/{reference}/duplicate", {"original": reference})
    assert itself.status_code == 422 and "cannot be a duplicate of itself" in itself.text
    missing = await post_form(officer, f"/console/reports/{reference}/duplicate", {"original": "ZZZZ-ZZZZ"})
    assert missing.status_code == 422 and "There is no report ZZZZZZZZ" in missing.text
    nonsense = await post_form(officer, f"/console/reports/{reference}/duplicate", {"original": "hello"})
    assert nonsense.status_code == 422
    status = await Report.select(Report.status).where(Report.reference == reference).first()
    assert status["status"] == "received"


async def test_redacting_text_keeps_the_original_for_audit_only(client, officer, report):
    reference = report["reference"]
    cleaned = "Deep hole by the zebra crossing"
    response = await post_form(officer, f"/console/reports/{reference}/redact",
                               {"field": "description", "replacement_description": cleaned})
    assert response.status_code == 303
    for url in (f"/r/{reference}", f"/api/reports/{reference}"):
        body = (await client.get(url)).text
        assert cleaned in body and "020 7946 0991" not in body
    [redaction] = await Redaction.select().where(Redaction.report.reference == reference)
    assert "020 7946 0991" in redaction["original_text"] and redaction["replacement_text"] == cleaned
    [row] = await audit_rows(reference, "text_redacted")
    assert "020 7946 0991" in row["before"]["description"]


async def test_hiding_a_photo_hides_it_from_the_public_but_not_from_staff(client, officer, device):
    created = await new_report(client, device, photos=[unique_photo()])
    reference, url = created["reference"], created["photos"][0]["url"]
    photo = await Photo.select(Photo.id).where(Photo.report.reference == reference).first()
    response = await post_form(officer, f"/console/reports/{reference}/photos/{photo['id']}/hide", {"hidden": "1"})
    assert response.status_code == 303
    assert (await client.get(url)).status_code == 404
    assert (await officer.get(url)).status_code == 200
    assert (await client.get(f"/api/reports/{reference}")).json()["photos"] == []
    assert await Redaction.count().where((Redaction.original_photo == photo["id"]) & (Redaction.kind == "photo_hidden"))


async def test_covering_part_of_a_photo_publishes_a_redacted_copy_and_keeps_the_original(client, officer, device):
    created = await new_report(client, device, photos=[unique_photo()])
    reference, original_url = created["reference"], created["photos"][0]["url"]
    photo = await Photo.select(Photo.id).where(Photo.report.reference == reference).first()
    response = await post_form(officer, f"/console/reports/{reference}/photos/{photo['id']}/redact",
                               {"left": "0", "top": "0", "width": "50", "height": "50"})
    assert response.status_code == 303, response.text

    public = (await client.get(f"/api/reports/{reference}")).json()
    [shown] = public["photos"]
    assert shown["url"] != original_url
    image = Image.open(io.BytesIO((await client.get(shown["url"])).content)).convert("RGB")
    assert max(image.getpixel((5, 5))) < 20  # the covered corner is black
    assert (await client.get(original_url)).status_code == 404  # the original is not public…
    assert (await officer.get(original_url)).status_code == 200  # …but kept for staff and audit
    [redaction] = await Redaction.select().where(Redaction.report.reference == reference)
    assert redaction["kind"] == "photo_redacted" and redaction["original_photo"] == photo["id"]
    bad = await post_form(officer, f"/console/reports/{reference}/photos/{redaction['redacted_photo']}/redact",
                          {"left": "x"})
    assert bad.status_code == 422


async def test_a_duplicates_reporter_keeps_their_email_updates_on_the_original(app, client, officer, report):
    """The reporter confirmed their contact email; moving to the original must not undo that."""
    from reportit.push.confirmation import confirm_token
    from reportit.push.tables import Follow, Notification
    from reportit.reports.status import Actor, change_status

    other = (await client.post("/api/devices")).json()
    other_device = {**other, "headers": {"Authorization": f"Bearer {other['token']}"}}
    email = f"reporter-{secrets.token_hex(4)}@example.org"
    duplicate = await new_report(client, other_device, description="Same hole, by email", contact_email=email)
    # The link the confirmation email carries (without SMTP here, the log has it).
    follow = await Follow.select(Follow.id).where(Follow.email == email).first()
    confirmed = await client.post(f"/confirm-email/{confirm_token(services(app).secret_key, follow['id'], email)}")
    assert confirmed.status_code == 200
    response = await post_form(officer, f"/console/reports/{duplicate['reference']}/duplicate",
                               {"original": report["reference"]})
    assert response.status_code == 303

    await change_status(report["reference"], "in_progress", settings=services(app).settings, actor=Actor("cli"),
                        public_message=f"Crew on the way {secrets.token_hex(3)}.")
    emails = await Notification.select(Notification.channel).where(
        (Notification.report.reference == report["reference"]) & (Notification.follow.email == email))
    assert [e["channel"] for e in emails] == ["email"]


async def test_staff_hide_a_preview_whose_photo_never_came_and_a_hidden_report_hides_its_previews(
        client, officer, device, app):
    from reportit.console.tables import AuditLog
    from reportit.reports.tables import PhotoUpload
    from tests.api.test_resumable_uploads import fresh_photo, put_preview, send_report

    body = (await send_report(client, device, fresh_photo(800, 600))).json()
    reference = body["reference"]
    preview_url = (await put_preview(client, device, body["uploads"][0])).json()["preview_url"]
    assert (await client.get(preview_url)).status_code == 200

    hidden = await post_form(officer, f"/console/reports/{reference}/hide", {"hidden": "1"})
    assert hidden.status_code == 303
    assert (await client.get(preview_url)).status_code == 404, "a hidden report's previews are not public"
    assert (await client.get(preview_url, headers=device["headers"])).status_code == 200  # its reporter still sees it
    await post_form(officer, f"/console/reports/{reference}/hide", {"hidden": "0"})
    assert (await client.get(preview_url)).status_code == 200

    case = await officer.get(f"/console/reports/{reference}")
    assert preview_url in case.text and "Hide preview 1" in case.text
    upload = await PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.report.reference == reference).first()
    response = await post_form(officer, f"/console/reports/{reference}/previews/{upload['id']}/hide", {})
    assert response.status_code == 303, response.text
    for asking in (client, officer):
        assert (await asking.get(preview_url)).status_code == 404
    assert not await services(app).photo_store.exists(preview_url[7:-4])
    assert preview_url not in (await client.get(f"/r/{reference}")).text
    assert await AuditLog.exists().where((AuditLog.report.reference == reference) & (AuditLog.action == "preview_hidden"))
    again = await post_form(officer, f"/console/reports/{reference}/previews/{upload['id']}/hide", {})
    assert again.status_code == 422
    resent = await put_preview(client, device, body["uploads"][0])  # the phone may not put another up
    assert resent.status_code == 200 and resent.json()["preview_url"] is None
    assert "Hide preview" not in (await officer.get(f"/console/reports/{reference}")).text


async def test_arriving_counts_places_not_photo_rows(client, officer, device):
    from tests.api.test_resumable_uploads import fresh_photo, send_report, upload_whole

    photos = [fresh_photo(600, 400), fresh_photo(500, 400), fresh_photo(400, 300)]
    body = (await send_report(client, device, *photos)).json()
    reference = body["reference"]
    assert (await upload_whole(client, device, body["uploads"][0]["upload_url"], photos[0])).status_code == 200
    assert (await upload_whole(client, device, body["uploads"][1]["upload_url"], photos[1])).status_code == 200
    first, second = await Photo.select(Photo.id).where(Photo.report.reference == reference).order_by(Photo.position)
    assert (await post_form(officer, f"/console/reports/{reference}/photos/{first['id']}/redact",
                            {"left": "0", "top": "0", "width": "50", "height": "50"})).status_code == 303
    assert (await post_form(officer, f"/console/reports/{reference}/photos/{second['id']}/hide",
                            {"hidden": "1"})).status_code == 303
    page = (await client.get(f"/r/{reference}")).text
    assert "Photo 3 of 3 arriving" in page
    assert "Photo 3 of 3 arriving" in (await officer.get(f"/console/reports/{reference}")).text


async def test_a_photo_staff_hid_stays_hidden_when_the_same_picture_comes_with_another_report(client, officer, device):
    """Identical bytes are stored once and /media/ serves them once any public report shows them:
    a picture staff hid (a face, a number plate) sent again with a new report must not put it back
    on public pages, whether it is uploaded again or declared as one the phone sent before."""
    noise = Image.frombytes("RGB", (160, 120), secrets.token_bytes(160 * 120 * 3))  # pixels no other test sends
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=90)
    picture = buffer.getvalue()
    first = (await send_report(client, device, picture)).json()
    uploaded = await upload_whole(client, device, first["uploads"][0]["upload_url"], picture)
    assert uploaded.status_code == 200, uploaded.text
    url = (await client.get(f"/api/reports/{first['reference']}")).json()["photos"][0]["url"]
    photo = await Photo.select(Photo.id).where(Photo.report.reference == first["reference"]).first()
    response = await post_form(officer, f"/console/reports/{first['reference']}/photos/{photo['id']}/hide", {"hidden": "1"})
    assert response.status_code == 303
    assert (await client.get(url)).status_code == 404

    declared = await send_report(client, device, picture)  # held already: not sent again
    assert declared.status_code == 201, declared.text
    assert declared.json()["uploads"][0]["complete"] is True
    again = await new_report(client, device, photos=[picture], description="The same picture in the request")
    for reference in (declared.json()["reference"], again["reference"]):
        assert await Photo.select(Photo.hidden).where(Photo.report.reference == reference) == [{"hidden": True}]
        assert (await client.get(f"/api/reports/{reference}")).json()["photos"] == []
    assert again["photos"] == []  # the reporter's own answer lists what the public sees
    assert (await client.get(url)).status_code == 404
    assert (await officer.get(url)).status_code == 200  # kept for staff


async def test_hiding_a_photo_hides_the_same_picture_sent_with_another_report(client, officer, device):
    """A resident sends the same picture with two reports (a duplicate): it is one file at one URL,
    so hiding it on one report must take it off the other's public page too."""
    picture = unique_photo()
    first = await new_report(client, device, photos=[picture])
    second = await new_report(client, device, photos=[picture], description="Same hole, same picture")
    url = second["photos"][0]["url"]
    assert first["photos"][0]["url"] == url
    photo = await Photo.select(Photo.id).where(Photo.report.reference == second["reference"]).first()
    response = await post_form(officer, f"/console/reports/{second['reference']}/photos/{photo['id']}/hide", {"hidden": "1"})
    assert response.status_code == 303
    assert (await client.get(url)).status_code == 404
    for reference in (first["reference"], second["reference"]):
        assert (await client.get(f"/api/reports/{reference}")).json()["photos"] == []
    assert (await officer.get(url)).status_code == 200
