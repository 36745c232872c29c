"""Open311 fixtures: an API key made the way `reportit apikey add` makes one."""

from __future__ import annotations

import secrets

import pytest


@pytest.fixture
async def api_key(app) -> str:
    from reportit.open311.keys import create_key

    return (await create_key(f"fixmystreet-{secrets.token_hex(4)}")).key
