"""What alerts keep about a resident, for "Download my data": their alerts and what they were sent."""

from __future__ import annotations

from typing import Any

from reportit.alerts.store import COLUMNS, as_json
from reportit.alerts.tables import Alert
from reportit.personal_data import Whose
from reportit.push.tables import Notification
from reportit.settings import Settings


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


async def collect(whose: Whose, settings: Settings) -> dict[str, Any]:
    where = Alert.device.is_in(list(whose.device_ids) or [-1])
    if whose.account_id is not None:
        where = where | (Alert.account == whose.account_id)
    alerts = [as_json(row) for row in await Alert.select(*COLUMNS).where(where).order_by(Alert.id)]
    sent = await Notification.select(Notification.alert, Notification.title, Notification.url, Notification.channel,
                                     Notification.state, Notification.created_at, Notification.sent_at).where(
        Notification.alert.is_in([a["id"] for a in alerts] or [-1])).order_by(Notification.id)
    return {
        "alerts": alerts,
        "alert_notifications": [{"alert": n["alert"], "title": n["title"], "link": n["url"], "channel": n["channel"],
                                 "state": n["state"], "queued_at": _iso(n["created_at"]),
                                 "sent_at": _iso(n["sent_at"])} for n in sent],
    }
