"""CSV export of a filtered list."""

from __future__ import annotations

import csv
import io
import secrets

from reportit.console.tables import AuditLog
from tests.api.test_reports_api import pothole, send


async def test_the_export_is_the_filtered_list_as_csv(officer, client, device, staff):
    word = f"export{secrets.token_hex(3)}"
    response = await send(client, device, pothole(description=f"=HYPERLINK(\"http://evil\") {word}"))
    reference = response.json()["reference"]
    export = await officer.get("/console/export.csv", params={"q": word})
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"].startswith('attachment; filename="reports-')
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == reference and row["category"] == "pothole" and row["group"] == "streets"
    assert row["description"].startswith("'=HYPERLINK")  # no formulas run in a spreadsheet
    assert "contact" not in ",".join(row)  # contact details stay out of exports
    audit = await AuditLog.select().where(AuditLog.action == "exported").order_by(AuditLog.id, ascending=False).first()
    assert audit["actor"] == staff["officer"] and word in audit["after"]
