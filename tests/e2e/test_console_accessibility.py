"""axe finds no WCAG 2.2 AA violations on any console page, including errors and the map."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.test_console_journeys import add_staff, file_report, sign_in


@pytest.fixture(scope="module")
def accounts(live_server, server_env) -> dict[str, str]:
    return {role: add_staff(server_env, role) for role in ("warden", "admin")}


@pytest.fixture(scope="module")
def case_reference(live_server) -> str:
    return file_report(live_server, f"Accessible {secrets.token_hex(3)} pothole")


def check(page, url: str, expected_status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == expected_status, url
    page.wait_for_load_state("networkidle")  # maps and the heatmap have drawn
    assert axe_violations(page) == [], url


def test_the_sign_in_page_and_its_errors(page, live_server):
    check(page, f"{live_server}/console/sign-in")
    page.click("button:text('Sign in')")
    assert "There is a problem" in page.content()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(page) == []


def test_every_admin_page(page, live_server, accounts, case_reference):
    sign_in(page, live_server, accounts["admin"])
    for path in ("/console/", "/console/?south=51.49&west=x", "/console/?status=received&sort=status&order=asc",
                 "/console/?q=nothing-matches-this", "/console/?south=51.49&west=-0.15&north=51.51&east=-0.13",
                 f"/console/reports/{case_reference}", "/console/dashboard", "/console/audit", "/console/admin",
                 "/console/account/password"):
        check(page, f"{live_server}{path}")
    check(page, f"{live_server}/console/reports/ZZZZ2222", 404)
    page.goto(f"{live_server}/console/reports/{case_reference}")
    page.click("button:text('Add note')")  # an empty note: the error summary and field error
    assert "Write the note" in page.content()
    assert axe_violations(page) == []


def test_the_password_pages_and_their_errors(page, live_server, accounts):
    check(page, f"{live_server}/console/password-reset/not-a-real-link", 410)
    sign_in(page, live_server, accounts["warden"])
    check(page, f"{live_server}/console/account/password")
    page.click("button:text('Change my password')")
    assert "Enter your current password" in page.content()
    assert axe_violations(page) == []


def test_the_forbidden_page_a_warden_sees(page, live_server, accounts):
    sign_in(page, live_server, accounts["warden"])
    check(page, f"{live_server}/console/dashboard", 403)
