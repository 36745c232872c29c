"""The decision (and every later change) for representors whose phone is not signed in to My
Account and takes no pushes: their follow alert reaches them by email at the address they
confirmed with a code. (A signed-in representor is emailed by alerts at the account's address; a
phone that takes pushes gets the push.) Runs in the transaction that records the change, and only
writes outbox rows. A resident who stopped following the application, or chose never to be
emailed, is not written to."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from reportit.applications.representation_tables import Representation
from reportit.events import ApplicationChanged
from reportit.settings import Settings


async def tell_representors(event: ApplicationChanged, settings: Settings) -> None:
    from reportit.alerts.notify import notify
    from reportit.alerts.tables import Alert
    from reportit.push.alert_outbox import Addressee
    from reportit.push.fanout import working_subscriptions
    from reportit.push.message import AlertNews

    rows = await Representation.select(Representation.device, Representation.email).where(
        (Representation.reference == event.reference) & Representation.account.is_null()
        & Representation.device.is_not_null())
    if not rows:
        return
    devices = sorted({r["device"] for r in rows})
    follows = {a["device"]: a for a in await Alert.select(Alert.id, Alert.device, Alert.email).where(
        (Alert.application == event.reference) & Alert.device.is_in(devices) & Alert.account.is_null()
        & (Alert.changes == True))}  # noqa: E712 - a column comparison, not a truth test
    pushed = await working_subscriptions(devices, datetime.now(timezone.utc))
    # As alerts word a change, so a phone that later takes pushes is not told twice in other words.
    news = AlertNews(title=f"Application {event.reference}: {event.summary[:120]}",
                     body=event.address or event.summary, url=f"/a/{quote(event.reference, safe='')}",
                     tag=f"application-{event.reference}", reference=event.reference)
    items, emailed = [], set()
    for row in rows:
        follow = follows.get(row["device"])
        if follow is None or pushed.get(row["device"]) or follow["email"] == "none" or row["email"] in emailed:
            continue
        emailed.add(row["email"])
        items.append((news, Addressee(follow["id"], (), row["email"], follow["email"])))
    await notify(items, settings)

