"""The case list's free-text search: SQLite reads a full-text index, PostgreSQL its trigram indexes.
Whatever an officer types gives a normal page, and edits and deletions show up at once."""

from __future__ import annotations

import secrets

import pytest

from reportit.console.queries import match_expression
from reportit.reports.references import spoken
from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.console.bulk import insert_reports
from tests.console.conftest import post_form


async def file(client, device, **extra) -> str:
    response = await send(client, device, pothole(**extra))
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def unique(stem: str) -> str:
    return f"{stem}{secrets.token_hex(3)}"


async def index_is_consistent() -> None:
    """SQLite's full-text index holds exactly what the report table holds (raises otherwise)."""
    await Report.raw("INSERT INTO report_fts (report_fts, rank) VALUES ('integrity-check', 1)")


async def found(officer, q: str) -> str:
    page = await officer.get("/console/", params={"q": q})
    assert page.status_code == 200, page.text
    return page.text


async def test_search_finds_a_word_in_the_description_and_the_start_of_a_word(officer, client, device):
    word = unique("kerbstone")
    reference = await file(client, device, description=f"Loose {word} outside the bakery")
    other = await file(client, device, description="Loose paving outside the bakery")
    for q in (word, word.upper(), word[:12], f"{word} outside"):
        page = await found(officer, q)
        assert spoken(reference) in page and spoken(other) not in page, q


async def test_search_finds_the_place_and_the_reference(officer, client, device):
    place = unique("Mews")
    by_place = await file(client, device, location_text=f"12 {place} Lane")
    assert spoken(by_place) in await found(officer, place.lower())
    # Part of a reference, as typed or as read aloud; the whole reference opens the case.
    for q in (by_place[:5], f"{by_place[:4].lower()}-{by_place[4:6].lower()}"):
        assert spoken(by_place) in await found(officer, q), q
    jump = await officer.get("/console/", params={"q": spoken(by_place)})
    assert jump.status_code == 303 and jump.headers["location"] == f"/console/reports/{by_place}"


@pytest.mark.parametrize("typed", ['pot"hole', '"', "NEAR(", "NEAR(a b", "a OR b", "NOT", "x AND", "*", "a*b",
                                   "%", "_", "\\", "(", ")", "^", ":", "reference:", "{description}", "-", "é",
                                   "😀", "'; DROP TABLE report; --"])
async def test_anything_an_officer_types_gives_a_normal_page(officer, typed):
    page = await officer.get("/console/", params={"q": typed})
    assert page.status_code == 200, page.text
    assert "Cases 1 to" in page.text or "No cases match these filters" in page.text


@pytest.mark.parametrize("typed", ["a\x00b", "\x00", "pothole\x00"])
async def test_a_nul_character_in_the_search_is_named_not_a_crash(officer, typed):
    page = await officer.get("/console/", params={"q": typed})
    # As the other filters do: the list, with the search box's message in the error summary.
    assert page.status_code == 200, page.text
    assert "hidden control character" in page.text


async def test_quotes_and_search_operators_are_plain_text(officer, client, device):
    word = unique("gully")
    quoted = await file(client, device, description=f'{word} pot"hole by the bus stop')
    operators = await file(client, device, description=f"{word} OR near(the school)")
    plain = await file(client, device, description=f"{word} blocked")
    page = await found(officer, f'{word} pot"hole')
    assert spoken(quoted) in page and spoken(operators) not in page and spoken(plain) not in page
    page = await found(officer, f"{word} OR near(")
    assert spoken(operators) in page and spoken(quoted) not in page and spoken(plain) not in page
    # Were OR an operator, this would find every report with the word.
    assert "No cases match these filters" in await found(officer, f"{word} OR nowhere")


@pytest.mark.parametrize("wildcard", ["%", "_", "*"])
async def test_wildcard_characters_match_only_themselves(officer, client, device, wildcard):
    word = unique("grate")
    holder = await file(client, device, description=f"Drain grate 100{wildcard} blocked, {word}")
    newest = await file(client, device, description=f"Drain grate blocked, {word}")
    page = await found(officer, wildcard)
    assert spoken(holder) in page and spoken(newest) not in page
    # Inside a word the character is not a wildcard either.
    assert "No cases match these filters" in await found(officer, f"{word[:4]}{wildcard}{word[5:]}")


async def test_a_redacted_word_is_no_longer_found(officer, client, device, settings):
    secret = unique("Smithers")
    word = unique("bollard")
    reference = await file(client, device, description=f"Knocked-over {word}, ask {secret} at number 4")
    assert spoken(reference) in await found(officer, secret)
    response = await post_form(officer, f"/console/reports/{reference}/redact",
                               {"field": "description", "replacement_description": f"Knocked-over {word}"})
    assert response.status_code == 303, response.text
    assert "No cases match these filters" in await found(officer, secret)
    assert spoken(reference) in await found(officer, word)
    if not settings.config.is_postgres:
        await index_is_consistent()


async def test_a_deleted_report_is_no_longer_found(officer, client, device, settings):
    word = unique("hydrant")
    reference = await file(client, device, description=f"Leaking {word}")
    assert spoken(reference) in await found(officer, word)
    await Report.delete().where(Report.reference == reference)
    assert "No cases match these filters" in await found(officer, word)
    if not settings.config.is_postgres:  # the index forgets it too, so its id can never match again
        assert await Report.raw("SELECT rowid FROM report_fts WHERE report_fts MATCH {}", f'"{word}"') == []
        await index_is_consistent()


async def test_reports_loaded_straight_into_the_database_are_found(officer, settings):
    marker = unique("bulkload")
    prefix = secrets.choice("WXYZ")
    await insert_reports(settings, 3, marker, prefix=prefix)
    try:
        assert "Cases 1 to 3 of 3" in await found(officer, marker)
        if not settings.config.is_postgres:
            await index_is_consistent()
    finally:
        await Report.delete().where(Report.description.like(f"{marker} %"))


def test_every_word_becomes_a_quoted_prefix_and_a_reference_fragment_an_alternative():
    assert match_expression('pot"hole NEAR(') == '"pot""hole"* "NEAR("*'
    assert match_expression("k7qm-4x") == '("k7qm-4x"*) OR reference : "K7QM4X"*'


async def test_a_case_opens_from_its_reference_as_people_write_it(officer, client, device):
    reference = await file(client, device)
    for written in (spoken(reference), spoken(reference).lower(), reference.lower()):
        page = await officer.get(f"/console/reports/{written}")
        assert page.status_code == 200, written
        assert f"Case {spoken(reference)}" in page.text
