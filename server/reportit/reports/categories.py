"""Categories: the council's TOML is the source; the table mirrors it so reports can refer to it."""

from __future__ import annotations

from reportit import database
from reportit.reports.tables import Category
from reportit.catalogue import Category as CategoryConfig
from reportit.catalogue import Question
from reportit.settings import Settings


async def sync_categories(settings: Settings) -> dict[str, int]:
    """Insert or update each configured category; ones no longer configured stay, inactive.
    Returns the id of each category by code. Every web worker does this at start-up, together:
    one at a time, so the second finds the first's rows instead of inserting them again."""
    async with database.exclusive(Category._meta.db, "sync_categories"):
        return await _sync(settings)


async def _sync(settings: Settings) -> dict[str, int]:
    existing = {row["code"]: row["id"] for row in await Category.select(Category.id, Category.code)}
    for position, config in enumerate(settings.catalogue.categories):
        values = {
            Category.name: config.name,
            Category.group_code: config.group,
            Category.private: config.private,
            Category.signpost: config.signpost is not None,
            Category.active: True,
            Category.position: position,
        }
        if config.code in existing:
            await Category.update(values).where(Category.id == existing[config.code])
        else:
            await Category.insert(Category(code=config.code, **{col._meta.name: v for col, v in values.items()}))
    configured = {c.code for c in settings.catalogue.categories}
    retired = [code for code in existing if code not in configured]
    if retired:
        await Category.update({Category.active: False}).where(Category.code.is_in(retired))
    return await category_ids()


async def category_ids() -> dict[str, int]:
    return {row["code"]: row["id"] for row in await Category.select(Category.id, Category.code)}


def question_json(question: Question) -> dict:
    body: dict = {
        "code": question.code,
        "description": question.description,
        "datatype": question.datatype,
        "required": question.required,
        "variable": question.variable,
        "order": question.order,
    }
    if question.datatype_description:
        body["datatype_description"] = question.datatype_description
    if question.values:
        body["values"] = [
            {"key": c.key, "name": c.name, **({"blocks": c.blocks} if c.blocks else {})} for c in question.values
        ]
    return body


def category_json(config: CategoryConfig) -> dict:
    body: dict = {
        "code": config.code,
        "name": config.name,
        "group": config.group,
        "description": config.description,
        "keywords": list(config.keywords),
        "private": config.private,
        "catch_all": config.catch_all,
    }
    if config.signpost:
        s = config.signpost
        body["signpost"] = {"partner": s.partner, "summary": s.opening(), "message": s.message, "phone": s.phone,
                            "url": s.url}
    else:
        body["questions"] = [question_json(q) for q in sorted(config.questions, key=lambda q: q.order)]
    return body


def categories_json(settings: Settings) -> dict:
    return {
        "groups": [{"code": g.code, "name": g.name} for g in settings.catalogue.groups],
        "categories": [category_json(c) for c in settings.catalogue.categories],
    }
