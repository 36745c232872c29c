"""Naming the place of reports stored before the streets or wards were imported."""

from __future__ import annotations

from reportit import database
from reportit.places.naming import describe
from reportit.reports.tables import Report

BATCH = 500


async def name_reports() -> int:
    """Give every report with no street or ward yet the ones its point (or words) now has; returns
    how many changed. Reports that already have both keep them."""
    changed = 0
    last_id = 0
    while True:
        rows = await (Report.select(Report.id, Report.latitude, Report.longitude, Report.location_text,
                                    Report.usrn, Report.street, Report.ward)
                      .where((Report.id > last_id) & ((Report.street == "") | (Report.ward == "")))
                      .order_by(Report.id).limit(BATCH))
        if not rows:
            return changed
        last_id = rows[-1]["id"]
        async with database.write_transaction(Report._meta.db):
            for row in rows:
                place = await describe(row["latitude"], row["longitude"], row["location_text"])
                values = {"usrn": row["usrn"] or place.usrn, "street": row["street"] or place.street,
                          "ward": row["ward"] or place.ward}
                if values != {k: row[k] for k in values}:
                    await Report.update({getattr(Report, k): v for k, v in values.items()}).where(Report.id == row["id"])
                    changed += 1


async def name_applications() -> int:
    """The same for planning and licensing applications (named by their point only); returns how
    many changed. Imported before the streets or wards, they are named when those arrive."""
    from reportit.applications.tables import Application

    changed = 0
    last_id = 0
    while True:
        rows = await (Application.select(Application.id, Application.latitude, Application.longitude,
                                         Application.usrn, Application.street, Application.ward)
                      .where((Application.id > last_id) & Application.latitude.is_not_null()
                             & ((Application.street == "") | (Application.ward == "")))
                      .order_by(Application.id).limit(BATCH))
        if not rows:
            return changed
        last_id = rows[-1]["id"]
        async with database.write_transaction(Application._meta.db):
            for row in rows:
                place = await describe(row["latitude"], row["longitude"])
                values = {"usrn": row["usrn"] or place.usrn, "street": row["street"] or place.street,
                          "ward": row["ward"] or place.ward}
                if values != {k: row[k] for k in values}:
                    await Application.update({getattr(Application, k): v for k, v in values.items()}).where(
                        Application.id == row["id"])
                    changed += 1
