"""A NUL character anywhere an officer's browser can send one is a 4xx with a message, never a 500
(PostgreSQL cannot store or compare text holding one)."""

from __future__ import annotations

import pytest

from tests.console.conftest import post_form


@pytest.mark.parametrize("path", ["/console/reports/AB%00CD", "/console/?category=a%00b", "/console/?status=a%00b",
                                  "/console/?sort=%00", "/console/map/points?q=a%00"])
async def test_a_nul_in_an_address_is_not_a_crash(officer, path):
    response = await officer.get(path)
    assert response.status_code < 500, response.text


@pytest.mark.parametrize("action, fields", [
    ("status", {"status": "investigating", "public_message": "On\x00its way", "internal_note": ""}),
    ("note", {"note": "Called\x00the contractor"}),
])
async def test_a_nul_in_a_case_form_is_refused_with_a_message(officer, report, action, fields):
    response = await post_form(officer, f"/console/reports/{report['reference']}/{action}", fields)
    assert response.status_code == 400, response.text
    assert "hidden control character" in response.text
