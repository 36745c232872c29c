"""Where an alert's news is: a report placed by its street's name alone (no point) still reaches the
alerts for its ward (a place and a distance need a point), and every alert's push and email names
the street and ward when they are known ("Pothole reported on Regent Street, near Work"), the
daily digest too."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from reportit.push.tables import Notification
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.alerts.conftest import save_alert, settled_url, unique_reference
from tests.alerts.test_ward_alerts import import_applications, wkt
from tests.api.test_reports_api import pothole, send
from tests.applications.conftest import planning_row
from tests.places.conftest import REGENT_STREET
from tests.push.conftest import subscribe, unique_name

REGENT = (float(REGENT_STREET["latitude"]), float(REGENT_STREET["longitude"]))
BY_NAME_ONLY = {k: v for k, v in pothole(location_text="Regent Street, outside the shoe shop").items()
                if k not in REGENT_STREET}


async def test_a_report_placed_by_its_street_name_alone_reaches_the_alert_for_its_ward(
        push_client, resident, browser, mock_push, demo_places):
    by_ward, by_place = unique_name(), unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", by_ward))
    saved = await push_client.post("/api/me/alerts", headers=resident["headers"],
                                   json={"ward": "West End", "kinds": ["problems"]})
    assert saved.status_code == 201, saved.text
    # Around Regent Street, but a place and a distance need the report's point, which it has not.
    other = await new_device(push_client)
    await subscribe(push_client, other, browser, mock_push.url("ok", by_place))
    await save_alert(push_client, other, label="Work", latitude=REGENT[0], longitude=REGENT[1], radius=2000,
                     kinds=["problems"])
    neighbour = await new_device(push_client)

    report = await send(push_client, neighbour, BY_NAME_ONLY)
    assert report.status_code == 201, report.text
    assert report.json()["location"]["ward"] == "West End" and report.json()["location"]["latitude"] is None
    reference = report.json()["reference"]
    await settled_url(f"/r/{reference}")

    [push] = mock_push.delivered(by_ward)
    assert push.payload["notification"]["navigate"].endswith(f"/r/{reference}")
    assert push.payload["notification"]["title"] == "Pothole reported on Regent Street, West End ward"
    assert push.payload["notification"]["body"].startswith("Open the report")  # the title said where
    assert mock_push.delivered(by_place) == []


async def test_a_report_alert_names_the_street_and_ward_and_keeps_the_alerts_own_name(
        push_client, resident, browser, mock_push, demo_places):
    name, by_street = unique_name(), unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    await save_alert(push_client, resident, label="Work", latitude=REGENT[0], longitude=REGENT[1], radius=300,
                     kinds=["problems"])
    other = await new_device(push_client)  # an alert the app named after its street
    await subscribe(push_client, other, browser, mock_push.url("ok", by_street))
    await save_alert(push_client, other, label="Regent Street", latitude=REGENT[0], longitude=REGENT[1], radius=300,
                     kinds=["problems"])
    neighbour = await new_device(push_client)

    report = await send(push_client, neighbour, pothole(**REGENT_STREET))
    assert report.status_code == 201, report.text
    reference = report.json()["reference"]
    await settled_url(f"/r/{reference}")

    [push] = mock_push.delivered(name)
    notification = push.payload["notification"]
    assert notification["title"] == "Pothole reported on Regent Street, near Work"
    assert notification["body"].startswith("West End ward. Open the report")
    assert reference[:4] in notification["body"]
    [push] = mock_push.delivered(by_street)
    assert push.payload["notification"]["title"] == "Pothole reported on Regent Street"


async def test_an_application_alert_names_the_street_and_ward_its_address_leaves_out(
        push_client, resident, browser, mock_push, demo_places, server_env, tmp_path):
    near, ward = unique_name(), unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", near))
    await save_alert(push_client, resident, label="Home", latitude=REGENT[0], longitude=REGENT[1], radius=300,
                     kinds=["planning"])
    other = await new_device(push_client)
    await subscribe(push_client, other, browser, mock_push.url("ok", ward))
    await push_client.post("/api/me/alerts", headers=other["headers"], json={"ward": "West End", "kinds": ["planning"]})
    reference = unique_reference("P/")

    await import_applications(server_env, tmp_path, [planning_row(
        reference, point=wkt(REGENT), **{"address-text": "Land at the rear of 4 Argyll Place"})])
    await settled_url(f"/a/{quote(reference, safe='')}")

    [push] = mock_push.delivered(near)
    assert push.payload["notification"]["title"] == "New planning application near Home"
    assert push.payload["notification"]["body"] == ("Land at the rear of 4 Argyll Place (Regent Street, West End ward): "
                                                    "Change of use to a café")
    [push] = mock_push.delivered(ward)
    assert push.payload["notification"]["title"] == "New planning application in West End ward"
    assert push.payload["notification"]["body"] == ("Land at the rear of 4 Argyll Place (Regent Street): "
                                                    "Change of use to a café")

    followed = await push_client.post("/api/me/alerts", json={"application": reference}, headers=other["headers"])
    assert followed.status_code == 201, followed.text
    await import_applications(server_env, tmp_path, [planning_row(
        reference, point=wkt(REGENT), **{"address-text": "Land at the rear of 4 Argyll Place", "end-date": "2026-12-18"})])
    await settled_url(f"/a/{quote(reference, safe='')}")
    [_, changed] = mock_push.delivered(ward)
    assert changed.payload["notification"]["title"] == f"Application {reference}: The consultation now closes on Friday 18 December."
    assert changed.payload["notification"]["body"] == "Land at the rear of 4 Argyll Place (Regent Street, West End ward)"


async def test_the_daily_digest_names_where_each_report_is(push_client, mailbox, demo_places):
    phone, email = await new_device(push_client), new_email()
    await sign_in(push_client, phone, mailbox, email)
    await save_alert(push_client, phone, label="Work", latitude=REGENT[0], longitude=REGENT[1], radius=300,
                     kinds=["problems"], email="daily")
    neighbour = await new_device(push_client)
    report = await send(push_client, neighbour, pothole(**REGENT_STREET))
    assert report.status_code == 201, report.text
    reference = report.json()["reference"]

    await Notification.update({Notification.next_attempt_at: datetime.now(timezone.utc)}).where(
        Notification.email == email)
    await settled_url(f"/r/{reference}")

    [digest] = [m for m in mailbox.to(email) if "alerts" in m["Subject"]]
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "- Pothole reported on Regent Street, near Work\n  West End ward. Open the report" in text
    assert f"/r/{reference}" in text
