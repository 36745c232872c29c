"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser build).

Browser tests never skip: a missing Chromium is a failure (`make test` installs it).
"""

from __future__ import annotations

import shutil
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser) -> Iterator:
    context = browser.new_context(locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the current page, for the WCAG 2.2 AA rule set."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]
