"""POST requests: an Open311 service request mapped onto our own submission, then the one intake path.

Validation is not repeated here: the Open311 fields become the fields `read_submission` checks, and
its messages come back named as the caller sent them (lat, attribute[CODE], email…).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from reportit.open311.render import Open311Error
from reportit.open311.services import service_for
from reportit.open311.tables import MediaLink
from reportit.problems import Problem
from reportit.reports.intake import Reporter, submit
from reportit.reports.storage import PhotoStore
from reportit.reports.submission import Submission, read_submission
from reportit.reports.upload import ParsedForm
from reportit.reports.upload_budget import Claim
from reportit.settings import Settings

MAX_DESCRIPTION = 4000  # the spec's limit, whatever ours is
MAX_MEDIA_URLS = 10
MAX_URL = 2048
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# Our field names -> the Open311 parameter the caller knows.
OPEN311_NAMES = {
    "category": "service_code", "latitude": "lat", "longitude": "long", "accuracy": "lat", "location": "lat",
    "location_text": "address_string", "contact_name": "first_name", "contact_email": "email",
    "contact_phone": "phone", "photo": "media", "public_message": "description",
}


@dataclass(frozen=True)
class CreatedRequest:
    service_request_id: str
    service_notice: str | None


def describe(problem: Problem) -> Open311Error:
    """Our problem, in Open311's shape: one description per field, named the Open311 way."""
    status = problem.status if problem.status in (403, 404) or problem.status >= 500 else 400
    if not problem.errors:
        return Open311Error(status, problem.detail or problem.title, headers=problem.headers)
    return Open311Error(status, *(f"{_open311_name(e.field)}: {e.message}" for e in problem.errors),
                        headers=problem.headers)


def _open311_name(field: str) -> str:
    if field.startswith("answers."):
        return f"attribute[{field.removeprefix('answers.')}]"
    return OPEN311_NAMES.get(field, field)


def _answers(form: ParsedForm, codes: dict[str, str]) -> dict:
    """attribute[CODE] and attribute[CODE][] for the questions we ask; others (FixMyStreet sends a few
    of its own, such as title and report_url) are not ours to store."""
    answers: dict = {}
    for name, values in form.fields.items():
        match = _ATTRIBUTE.match(name)
        if not match or match.group(1) not in codes:
            continue
        code = match.group(1)
        sent = [v.strip() for v in values if v.strip()]
        if codes[code] == "multivaluelist":
            answers[code] = answers.get(code, []) + sent
        elif sent:
            answers[code] = sent[-1]
    return answers


def _media_urls(form: ParsedForm) -> list[str]:
    urls = [u.strip() for u in form.fields.get("media_url", []) if u.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        raise Open311Error(400, f"Send at most {MAX_MEDIA_URLS} media_url values.")
    for url in urls:
        parts = urlsplit(url)
        if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
            raise Open311Error(400, f"media_url must be an http or https address of at most {MAX_URL} characters.")
    return urls


def read_request(form: ParsedForm, settings: Settings) -> tuple[Submission, list[str]]:
    code = form.get("service_code").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    category = service_for(settings, code)
    lat, lng = form.get("lat").strip(), form.get("long").strip()
    address = form.get("address_string").strip()
    if not (lat or lng or address):
        if form.get("address_id").strip():
            raise Open311Error(400, "address_id is not supported here: send lat and long, or address_string.")
        raise Open311Error(400, "A location is required: send lat and long, or address_string.")
    if bool(lat) != bool(lng):
        raise Open311Error(400, "lat and long must be sent together.")
    description = form.get("description")
    if len(description.strip()) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description must be {MAX_DESCRIPTION} characters or fewer.")
    media_urls = _media_urls(form)
    name = " ".join(part for part in (form.get("first_name").strip(), form.get("last_name").strip()) if part)
    ours = ParsedForm(
        fields={
            "category": [category.code],
            "description": [description],
            "answers": [json.dumps(_answers(form, {q.code: q.datatype for q in category.questions if q.variable}))],
            "latitude": [lat],
            "longitude": [lng],
            "location_text": [address],
            "contact_name": [name],
            "contact_email": [form.get("email").strip()],
            "contact_phone": [form.get("phone").strip()],
        },
        files=form.files,
    )
    try:
        return read_submission(ours, settings), media_urls
    except Problem as problem:
        raise describe(problem) from None


async def create_request(
    form: ParsedForm, *, settings: Settings, store: PhotoStore, key_name: str, claim: Claim | None = None
) -> CreatedRequest:
    submission, media_urls = read_request(form, settings)
    reporter = Reporter(source="open311", actor=f"open311:{key_name}")
    try:
        result = await submit(submission, settings=settings, store=store, reporter=reporter, claim=claim)
    except Problem as problem:
        raise describe(problem) from None
    report_id = result.report.id
    # Written after the report: the URLs were checked above, so only the database can fail here.
    for position, url in enumerate(media_urls):
        await MediaLink(report=report_id, position=position, url=url).save()
    initial = settings.catalogue.status(settings.catalogue.initial_status)
    return CreatedRequest(result.report.reference, initial.description if initial and initial.description else None)
