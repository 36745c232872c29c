"""The email fallback through a real SMTP server (aiosmtpd) on loopback, and unsubscribing."""

from __future__ import annotations

import re

from reportit.push.tables import Follow, Notification
from reportit.reports.status import Actor, change_status
from tests.push.conftest import new_report, settled, subscribe, unique_name

OFFICER = Actor("staff:officer@westminster.example")


def address() -> str:
    return f"resident-{unique_name()}@example.org"


async def test_a_reporter_without_push_gets_an_email_with_the_news_and_a_way_out(
        push_client, resident, mailbox, push_settings):
    email = address()
    reference = await new_report(push_client, resident, contact_email=email)

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
    reference = await new_report(push_client, resident, contact_email=email)
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
    assert mailbox.to(email) == []


async def test_when_push_turns_out_to_be_gone_the_email_goes_instead(push_client, resident, browser, mock_push,
                                                                    mailbox, push_settings):
    email = address()
    reference = await new_report(push_client, resident, contact_email=email)
    await subscribe(push_client, resident, browser, mock_push.url("gone", unique_name()))

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    rows = await settled(reference)

    assert [(r["channel"], r["state"]) for r in rows] == [("push", "gone"), ("email", "sent")]
    assert len(mailbox.to(email)) == 1


async def test_without_smtp_the_email_is_marked_skipped_not_retried(push_client, resident, settings):
    reference = await new_report(push_client, resident, contact_email=address())

    await change_status(reference, "fixed", settings=settings, actor=OFFICER)  # the shared settings: no SMTP

    rows = await Notification.select().where(Notification.report.reference == reference)
    assert [(r["channel"], r["state"], r["attempts"]) for r in rows] == [("email", "skipped", 0)]
    assert "REPORTIT_SMTP_URL" in rows[0]["last_error"]
