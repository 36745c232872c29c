"""CSV export of any filtered list, streamed: pages of rows are fetched by id (keyset), written
and sent one at a time, so memory stays flat however many reports match."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import AsyncIterator

from piccolo.columns.combination import Combinable
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from reportit.accounts.identity import StaffMember
from reportit.console.access import CASEWORK, staff_only
from reportit.console.audit import record
from reportit.console.filters import parse_filter
from reportit.console.queries import CategoryIds, category_ids, where_for
from reportit.reports.tables import Report
from reportit.settings import Settings
from reportit.app_state import services

BATCH = 1000
HEADER = ["reference", "url", "created_at", "updated_at", "category", "group", "status", "status_kind",
          "description", "street", "ward", "usrn", "location_text", "latitude", "longitude", "assigned_to", "hidden", "private", "source"]
# Contact details stay out: an export is easily forwarded, and the case page has them when needed.


def safe_cell(value: object) -> object:
    """Text starting with = + - @ runs as a formula in spreadsheets: neutralise it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def fetch_batch(where: Combinable, after_id: int) -> list[dict]:
    return await (
        Report.select(Report.id, Report.reference, Report.created_at, Report.updated_at, Report.category,
                      Report.status, Report.description, Report.street, Report.ward, Report.usrn, Report.location_text,
                      Report.latitude, Report.longitude, Report.assigned_to.email.as_alias("assigned_email"),
                      Report.hidden, Report.private, Report.source)
        .where(where & (Report.id > after_id))
        .order_by(Report.id)
        .limit(BATCH)
    )


async def csv_chunks(where: Combinable, settings: Settings, ids: CategoryIds) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield ("\ufeff" + buffer.getvalue()).encode()  # the BOM makes Excel read UTF-8
    after = 0
    categories = {c.code: c for c in settings.catalogue.categories}
    while True:
        rows = await fetch_batch(where, after)
        if not rows:
            return
        buffer.seek(0)
        buffer.truncate()
        for r in rows:
            code = ids.code_of.get(r["category"], "")
            category = categories.get(code)
            status = settings.catalogue.status(r["status"])
            writer.writerow([safe_cell(v) for v in (
                r["reference"], f"{settings.config.base_url}/r/{r['reference']}", r["created_at"].isoformat(timespec="seconds"),
                r["updated_at"].isoformat(timespec="seconds"), code, category.group if category else "", r["status"],
                status.kind if status else "", r["description"], r["street"], r["ward"], r["usrn"], r["location_text"],
                r["latitude"], r["longitude"],
                r["assigned_email"] or "", r["hidden"], r["private"], r["source"],
            )])
        after = rows[-1]["id"]
        yield buffer.getvalue().encode()


@staff_only(*CASEWORK)
async def export_csv(request: Request, staff: StaffMember) -> Response:
    settings = services(request).settings
    f = parse_filter(request.query_params, settings)
    ids = await category_ids()
    where = await where_for(f, staff, settings, ids)
    await record(staff.user_id, staff.email, "exported", after={"filter": f.query(page=1)})
    name = f"reports-{datetime.now(timezone.utc):%Y%m%d-%H%M}.csv"
    return StreamingResponse(csv_chunks(where, settings, ids), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})
