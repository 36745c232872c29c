"""The council's categories as Open311 services, their questions as attributes, and discovery."""

from __future__ import annotations

from reportit.open311.render import Open311Error
from reportit.catalogue import Category, Question
from reportit.settings import Settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed shape; clients compare it to decide whether to re-read discovery.
CHANGESET = "2026-11-25T00:00:00Z"


def public_services(settings: Settings) -> list[Category]:
    """Every category a request can be made in. Signposts have no form, so they are not services."""
    return [c for c in settings.catalogue.categories if c.signpost is None]


def service_for(settings: Settings, code: str) -> Category:
    category = settings.catalogue.category(code)
    if category is None:
        raise Open311Error(404, f"There is no service with service_code {code!r}.")
    if category.signpost is not None:
        s = category.signpost
        raise Open311Error(404, f"{category.name} is not a council service: {s.partner} deals with it. {s.message}".strip())
    return category


def service_json(category: Category, settings: Settings) -> dict:
    group = settings.catalogue.group(category.group)
    keywords = list(category.keywords)
    if category.private:
        # FixMyStreet's convention: a "private" keyword means reports in it are not shown publicly.
        keywords.append("private")
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": ",".join(keywords),
        "group": group.name if group else category.group,
    }


def attribute_json(question: Question) -> dict:
    return {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required and question.variable,
        "datatype_description": question.datatype_description,
        "order": question.order,
        "description": question.description,
        "values": [{"key": c.key, "name": c.name} for c in question.values],
    }


def definition_json(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [attribute_json(q) for q in sorted(category.questions, key=lambda q: q.order)],
    }


def discovery_json(settings: Settings) -> dict:
    council = settings.catalogue.council
    contact = ", ".join(part for part in (council.name, council.email, council.phone) if part)
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": f"Ask {council.name} for an API key to post requests and updates"
        + (f": {council.email}" if council.email else "."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{settings.config.base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
