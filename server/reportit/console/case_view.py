"""Everything the case page shows: the report, photos, answers, contact, and one timeline that
merges public status changes with internal notes and staff actions (marked as internal)."""

from __future__ import annotations

import json
from datetime import datetime

from reportit.places.likely_duplicates import likely_duplicates
from reportit.console import readable
from reportit.console.audit import ACTIONS
from reportit.console.tables import AuditLog, CaseNote, Redaction
from reportit.reports.arrivals import arriving
from reportit.reports.references import spoken
from reportit.reports.preview_removal import HIDDEN, SHOWN_STATES
from reportit.reports.tables import Photo, PhotoUpload, Report, StatusChange
from reportit.catalogue import ResponseTemplate
from reportit.settings import Settings

# Audit actions that the timeline shows; status changes and notes come from their own tables.
TIMELINE_ACTIONS = ("assigned", "category_changed", "report_hidden", "report_shown", "text_redacted",
                    "photo_hidden", "photo_shown", "photo_redacted", "preview_hidden")


async def previews_shown(report_id: int) -> list[dict]:
    return await (PhotoUpload.select(PhotoUpload.id, PhotoUpload.preview_key, PhotoUpload.state)
                  .where((PhotoUpload.report == report_id) & (PhotoUpload.preview_key != "")
                         & (PhotoUpload.preview_key != HIDDEN)
                         & PhotoUpload.state.is_in(list(SHOWN_STATES)))
                  .order_by(PhotoUpload.position))


def when(value: datetime) -> str:
    return f"{value:%-d %b %Y %H:%M}"


def answers(report: dict, settings: Settings) -> list[dict]:
    category = settings.catalogue.category(report["category_code"])
    raw = report["answers"] if isinstance(report["answers"], dict) else json.loads(report["answers"] or "{}")
    shown = []
    for question in sorted(category.questions if category else (), key=lambda q: q.order):
        value = raw.get(question.code)
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        names = [question.choice(v).name if isinstance(v, str) and question.choice(v) else str(v) for v in values]
        shown.append({"question": question.description, "value": ", ".join(names)})
    return shown


def templates_for(report: dict, settings: Settings) -> list[dict]:
    category = settings.catalogue.category(report["category_code"])
    category_name = category.name if category else report["category_code"]

    def fits(t: ResponseTemplate) -> bool:
        return not t.categories or report["category_code"] in t.categories

    out = []
    for t in settings.catalogue.response_templates:
        if not fits(t):
            continue
        status = settings.catalogue.status(t.status or report["status"])
        out.append({"code": t.code, "title": t.title, "status": t.status or "",
                    "text": t.render(reference=spoken(report["reference"]), category=category_name,
                                     status=status.name if status else report["status"])})
    return out


async def timeline(report: dict, settings: Settings, viewer: str | None = None) -> list[dict]:
    changes = await (StatusChange.select(*StatusChange.all_columns()).where(StatusChange.report == report["id"])
                     .order_by(StatusChange.id))
    notes = await CaseNote.select(*CaseNote.all_columns()).where(CaseNote.report == report["id"])
    actions = await AuditLog.select(*AuditLog.all_columns()).where(
        (AuditLog.report == report["id"]) & AuditLog.action.is_in(list(TIMELINE_ACTIONS)))
    events = []
    for c in changes:
        status = settings.catalogue.status(c["to_status"])
        events.append({"at": c["created_at"], "kind": "status", "actor": readable.actor_name(c["actor"], viewer),
                       "title": ("Reported as " if not c["from_status"] else "Status: ") + (status.name if status else c["to_status"]),
                       "public": c["public_message"], "internal": c["internal_note"]})
    for n in notes:
        events.append({"at": n["created_at"], "kind": "note", "actor": readable.actor_name(n["actor"], viewer), "title": "Internal note",
                       "public": "", "internal": n["text"]})
    for a in actions:
        after = json.loads(a["after"]) if isinstance(a["after"], str) else a["after"]
        detail = readable.changes(after, settings, skip=("public_message",))
        events.append({"at": a["created_at"], "kind": "action", "actor": readable.actor_name(a["actor"], viewer),
                       "title": ACTIONS[a["action"]],
                       "public": "", "internal": detail})
    events.sort(key=lambda e: e["at"], reverse=True)
    for e in events:
        e["when"] = when(e["at"])
        e["iso"] = e["at"].isoformat(timespec="seconds")
    return events


async def case_context(report: dict, settings: Settings, viewer: str | None = None) -> dict:
    photos = await Photo.select(*Photo.all_columns()).where(Photo.report == report["id"]).order_by(Photo.position, Photo.id)
    redactions = await Redaction.select(Redaction.original_photo, Redaction.kind).where(
        Redaction.report == report["id"])
    redacted_originals = {r["original_photo"] for r in redactions if r["kind"] == "photo_redacted"}
    for p in photos:
        p["original_of_redaction"] = p["id"] in redacted_originals
    duplicate_of = None
    if report["duplicate_of"]:
        row = await Report.select(Report.reference).where(Report.id == report["duplicate_of"]).first()
        duplicate_of = row["reference"] if row else None
    duplicates = await Report.select(Report.reference).where(Report.duplicate_of == report["id"])
    category = settings.catalogue.category(report["category_code"])
    status = settings.catalogue.status(report["status"])
    return {
        "report": report,
        "reference_spoken": spoken(report["reference"]),
        "category": category,
        "status": status,
        "created": when(report["created_at"]),
        "answers": answers(report, settings),
        "photos": photos,
        "arriving": await arriving(report["id"]),  # photos sent after the report, still on their way
        "previews": await previews_shown(report["id"]),  # theirs meanwhile (or for good, if one never came)
        "timeline": await timeline(report, settings, viewer),
        "response_templates": templates_for(report, settings),
        "duplicate_of": duplicate_of,
        "duplicates": [d["reference"] for d in duplicates],
        "likely_duplicates": [] if report["duplicate_of"] else await likely_duplicates(report, settings),
    }
