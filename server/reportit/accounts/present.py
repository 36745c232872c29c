"""The account and device as the app sees them (GET /api/me, the devices list)."""

from __future__ import annotations

import re
from datetime import datetime

from reportit.accounts import residents
from reportit.accounts.tables import Device

_BROWSERS = (("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
             ("CriOS", "Chrome"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_name(user_agent: str) -> str:
    """"Chrome on Android": enough for a resident to tell their phone from their laptop."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


async def account_json(account_id: int) -> dict | None:
    account = await residents.account_row(account_id)
    if account is None:
        return None
    return {
        "email": account["email"], "name": account["name"], "phone": account["phone"],
        "places": await residents.places_of(account_id),
        "created_at": iso(account["created_at"]),
    }


async def me_json(device: Device) -> dict:
    account_id = await residents.account_id_of(device.id)
    account = await account_json(account_id) if account_id else None
    return {"device": {"id": str(device.device_id), "signed_in": account is not None}, "account": account}


async def devices_json(account_id: int, this_device_id: int) -> list[dict]:
    rows = await (Device.select(Device.id, Device.device_id, Device.created_at, Device.last_seen_at, Device.linked_at,
                                Device.user_agent)
                  .where(Device.account == account_id).order_by(Device.linked_at))
    return [{
        "id": str(r["device_id"]), "browser": browser_name(r["user_agent"]), "user_agent": r["user_agent"],
        "first_seen": iso(r["created_at"]), "last_seen": iso(r["last_seen_at"]), "signed_in_at": iso(r["linked_at"]),
        "this_device": r["id"] == this_device_id,
    } for r in rows]
