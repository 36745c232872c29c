"""The email fallback through a real SMTP server (aiosmtpd) on loopback, and unsubscribing."""

from __future__ import annotations

import logging
import re

from reportit.push.tables import Follow, Notification
from reportit.reports.status import Actor, change_status
from tests.push.conftest import new_report, settled, subscribe, unique_name
from reportit.app_state import services

OFFICER = Actor("staff:officer@westminster.example")


def address() -> str:
    return f"resident-{unique_name()}@example.org"


async def confirmed_report(client, device, mailbox, email: str) -> str:
    """A report whose reporter typed `email` and pressed "Confirm" in the email that followed."""
    reference = await new_report(client, device, contact_email=email)
    [confirmation] = await mailbox.wait_for(email)
    assert (await client.post(confirmation_path(confirmation))).status_code == 200
    mailbox.messages.remove(confirmation)
    return reference


async def test_the_address_a_reporter_typed_is_emailed_only_once_they_confirm_it(
        push_client, resident, mailbox, push_settings):
    """Anyone can type a stranger's address on the form: it gets one link, and no news until used."""
    email = address()
    reference = await new_report(push_client, resident, contact_email=email)
    [confirmation] = await mailbox.wait_for(email)
    spoken = f"{reference[:4]}-{reference[4:]}"
    assert confirmation["Subject"] == f"Confirm your email for updates on report {spoken}"
    assert "reported a problem" in confirmation.get_body(("plain",)).get_content()

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    assert [r for r in await settled(reference) if r["channel"] == "email"] == []
    assert mailbox.to(email) == [confirmation]

    assert (await push_client.post(confirmation_path(confirmation))).status_code == 200
    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)
    assert [(r["channel"], r["state"]) for r in rows] == [("email", "sent")]
    assert [m["Subject"] for m in mailbox.to(email)][1:] == [f"Your report {spoken}: Fixed"]


async def test_an_address_the_phone_confirmed_before_needs_no_new_link(push_client, resident, mailbox, push_settings):
    email = address()
    await confirmed_report(push_client, resident, mailbox, email)

    reference = await new_report(push_client, resident, contact_email=email.upper())
    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)

    assert [(r["channel"], r["state"]) for r in await settled(reference)] == [("email", "sent")]
    assert [m["Subject"].split(":")[-1].strip() for m in mailbox.to(email.upper())] == ["Fixed"]


async def test_a_reporter_without_push_gets_an_email_with_the_news_and_a_way_out(
        push_client, resident, mailbox, push_settings):
    email = address()
    reference = await confirmed_report(push_client, resident, mailbox, email)

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER,
                        public_message="We filled the pothole <this morning>.", internal_note="Crew 7")
    rows = await settled(reference)

    assert [(r["channel"], r["state"]) for r in rows] == [("email", "sent")]
    [message] = mailbox.to(email)
    spoken = f"{reference[:4]}-{reference[4:]}"
    assert message["Subject"] == f"Your report {spoken}: Fixed"
    assert message["From"] == "Report It <reportit@westminster.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"http://testserver/r/{reference}"
    assert "is now: Fixed" in text and "We filled the pothole <this morning>." in text and link in text
    assert "We filled the pothole &lt;this morning&gt;." in html and f'href="{link}"' in html
    assert "Crew 7" not in text + html
    unsubscribe = re.fullmatch(r"<(http://testserver/unsubscribe/[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in html


async def test_unsubscribing_asks_first_then_stops_the_emails(push_client, resident, mailbox, push_settings):
    email = address()
    reference = await confirmed_report(push_client, resident, mailbox, email)
    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    await settled(reference)
    [message] = mailbox.to(email)
    path = re.search(r"<http://testserver(/unsubscribe/[^>]+)>", message["List-Unsubscribe"]).group(1)

    page = await push_client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Stop emails" in page.text and 'method="post"' in page.text
    assert await Follow.exists().where((Follow.report.reference == reference) & (Follow.email == email))

    # RFC 8058 one-click: the mail app POSTs this body, with no confirmation step.
    done = await push_client.post(path, content="List-Unsubscribe=One-Click",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "You will not get more emails" in done.text
    assert not await Follow.exists().where(Follow.email == email)
    again = await push_client.get(path)
    assert again.status_code == 404

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    await settled(reference)
    assert len(mailbox.to(email)) == 1


async def test_a_forged_unsubscribe_link_does_nothing(push_client, resident, push_settings):
    email = address()
    reference = await new_report(push_client, resident, contact_email=email)
    follow = await Follow.select(Follow.id).where(Follow.report.reference == reference).first()

    response = await push_client.post(f"/unsubscribe/{follow['id']}.AAAAAAAAAAAAAAAAAAAAAAAA")

    assert response.status_code == 404
    assert await Follow.exists().where(Follow.email == email)


async def test_a_reporter_whose_phone_gets_push_gets_no_email(push_client, resident, browser, mock_push, mailbox,
                                                             push_settings):
    email = address()
    reference = await new_report(push_client, resident, contact_email=email)
    await subscribe(push_client, resident, browser, mock_push.url("ok", unique_name()))

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)

    assert [(r["channel"], r["state"]) for r in rows] == [("push", "sent")]
    [confirmation] = await mailbox.wait_for(email)  # the link to confirm it, and no news
    assert confirmation["Subject"].startswith("Confirm your email")


async def test_when_push_turns_out_to_be_gone_the_email_goes_instead(push_client, resident, browser, mock_push,
                                                                    mailbox, push_settings):
    email = address()
    reference = await confirmed_report(push_client, resident, mailbox, email)
    await subscribe(push_client, resident, browser, mock_push.url("gone", unique_name()))

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)

    assert [(r["channel"], r["state"]) for r in rows] == [("push", "gone"), ("email", "sent")]
    assert len(mailbox.to(email)) == 1


async def test_without_smtp_the_email_is_marked_skipped_not_retried(push_client, resident, mailbox, settings):
    reference = await confirmed_report(push_client, resident, mailbox, address())

    await change_status(reference, "fixed", settings=settings, actor=OFFICER)  # the shared settings: no SMTP

    rows = await Notification.select().where(Notification.report.reference == reference)
    assert [(r["channel"], r["state"], r["attempts"]) for r in rows] == [("email", "skipped", 0)]
    assert "REPORTIT_SMTP_URL" in rows[0]["last_error"]


def confirmation_path(message) -> str:
    return re.search(r"http://testserver(/confirm-email/\S+)", message.get_body(("plain",)).get_content()).group(1)


async def neighbour(client) -> dict:
    body = (await client.post("/api/devices")).json()
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}


async def test_a_follower_confirms_their_address_before_any_update_is_emailed(push_client, resident, mailbox,
                                                                            push_settings):
    reference = await new_report(push_client, resident)
    follower, email = await neighbour(push_client), address()

    followed = await push_client.post(f"/api/reports/{reference}/follow", json={"email": email},
                                      headers=follower["headers"])
    assert followed.status_code == 201
    assert followed.json() == {"reference": reference, "following": True, "email": True,
                               "email_confirmed": False, "confirmation_sent": True}
    [confirmation] = mailbox.to(email)
    assert "confirm" in confirmation["Subject"].lower()
    path = confirmation_path(confirmation)

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)
    assert [r for r in rows if r["channel"] == "email"] == []
    assert mailbox.to(email) == [confirmation]

    # A mail scanner that follows the link confirms nothing: the page asks for a button press.
    asked = await push_client.get(path, headers={"Accept": "text/html"})
    assert asked.status_code == 200 and 'method="post"' in asked.text
    await change_status(reference, "in_progress", settings=push_settings, actor=OFFICER)
    await settled(reference)
    assert mailbox.to(email) == [confirmation]

    done = await push_client.post(path)
    spoken = f"{reference[:4]}-{reference[4:]}"
    assert done.status_code == 200 and email in done.text and spoken in done.text

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)
    assert [(r["channel"], r["state"]) for r in rows if r["channel"] == "email"] == [("email", "sent")]
    _, update = mailbox.to(email)
    assert update["Subject"] == f"Your report {spoken}: Fixed"
    assert "because you asked for updates about this report" in update.get_body(("plain",)).get_content()
    unsubscribe = re.search(r"<http://testserver(/unsubscribe/[^>]+)>", update["List-Unsubscribe"]).group(1)
    stopped = await push_client.post(unsubscribe, content="List-Unsubscribe=One-Click",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert stopped.status_code == 200 and not await Follow.exists().where(Follow.email == email)


async def test_changing_the_address_needs_a_new_confirmation(push_client, resident, mailbox, push_settings):
    reference = await new_report(push_client, resident)
    follower, first, second = await neighbour(push_client), address(), address()
    url = f"/api/reports/{reference}/follow"
    await push_client.post(url, json={"email": first}, headers=follower["headers"])
    [confirmation] = mailbox.to(first)
    path = confirmation_path(confirmation)
    assert (await push_client.post(path)).status_code == 200

    again = await push_client.post(url, json={"email": first}, headers=follower["headers"])
    assert again.json()["email_confirmed"] is True and len(mailbox.to(first)) == 1  # no second confirmation
    moved = await push_client.post(url, json={"email": second}, headers=follower["headers"])
    assert moved.json()["email_confirmed"] is False and len(mailbox.to(second)) == 1
    assert (await push_client.post(path)).status_code == 404  # the first address's link is stale now

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    await settled(reference)
    assert len(mailbox.to(first)) == 1 and len(mailbox.to(second)) == 1


async def test_confirmation_emails_are_rate_limited_per_address_and_per_device(push_client, resident, mailbox):
    from reportit.push.confirmation import PER_ADDRESS, PER_DEVICE

    reference = await new_report(push_client, resident)
    url = f"/api/reports/{reference}/follow"
    stranger = address()
    answers = [(await push_client.post(url, json={"email": stranger}, headers=(await neighbour(push_client))["headers"]
                                       )).status_code for _ in range(PER_ADDRESS + 2)]
    assert answers == [201] * PER_ADDRESS + [429, 429]
    assert len(mailbox.to(stranger)) == PER_ADDRESS

    spammer = await neighbour(push_client)
    answers = [(await push_client.post(url, json={"email": address()}, headers=spammer["headers"])).status_code
               for _ in range(PER_DEVICE + 1)]
    assert answers[-1] == 429 and answers.count(429) == 1
    refused = await push_client.post(url, json={"email": address()}, headers=spammer["headers"])
    assert refused.headers["content-type"] == "application/problem+json" and "Retry-After" in refused.headers


async def test_an_update_queued_before_the_address_changed_is_not_sent_to_the_unconfirmed_one(
        push_client, resident, mailbox, push_settings, push_app, clock, quiet_senders):
    from reportit.push.sender import Sender

    reference = await new_report(push_client, resident)
    follower, first, second = await neighbour(push_client), address(), address()
    url = f"/api/reports/{reference}/follow"
    await push_client.post(url, json={"email": first}, headers=follower["headers"])
    assert (await push_client.post(confirmation_path(mailbox.to(first)[0]))).status_code == 200
    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    await Notification.update({Notification.next_attempt_at: clock.now}).where(
        (Notification.report.reference == reference) & (Notification.state == "pending"))
    # Before the sender gets to it, the follower switches to an address nobody has confirmed yet.
    await push_client.post(url, json={"email": second}, headers=follower["headers"])

    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    try:
        await sender.drain()
    finally:
        await sender.aclose()

    assert len(mailbox.to(first)) == 1 and len(mailbox.to(second)) == 1  # the confirmations only
    [row] = await Notification.select(Notification.state, Notification.last_error).where(
        Notification.report.reference == reference)
    assert (row["state"], row["last_error"]) == ("gone", "address not confirmed")


async def test_with_no_mail_server_the_confirmation_link_is_written_to_the_log(client, caplog):
    """`make run` has no SMTP server: following by email must not be a dead end there. The link
    goes to the log (as sign-in codes do), and using it confirms the address."""
    reporter, follower, email = await neighbour(client), await neighbour(client), address()
    reference = await new_report(client, reporter)
    with caplog.at_level(logging.INFO, logger="reportit.push.confirmation"):
        followed = await client.post(f"/api/reports/{reference}/follow", json={"email": email},
                                     headers=follower["headers"])
    assert followed.status_code == 201
    assert followed.json()["email_confirmed"] is False
    [line] = [r.getMessage() for r in caplog.records if "event=confirmation_link" in r.getMessage()]
    path = re.search(r"url=http://testserver(/confirm-email/\S+)", line).group(1)
    done = await client.post(path)
    assert done.status_code == 200 and email in done.text
    assert await Follow.exists().where((Follow.email == email) & Follow.email_confirmed.eq(True))
