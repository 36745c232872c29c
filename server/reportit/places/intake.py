"""What intake stores about a report's place: its USRN, street and ward (reports.intake calls this)."""

from __future__ import annotations

import logging

from reportit.places.naming import describe

log = logging.getLogger(__name__)


async def place_columns(latitude: float | None, longitude: float | None, location_text: str) -> dict[str, str]:
    """The report's usrn, street and ward columns. A point outside every ward (or on no known
    street) is still a report: it is stored with what is known, and the log says so."""
    place = await describe(latitude, longitude, location_text)
    if latitude is not None and not place.ward:
        log.info("event=report_outside_every_ward latitude=%.5f longitude=%.5f", latitude, longitude or 0.0)
    return {"usrn": place.usrn, "street": place.street, "ward": place.ward}
