"""API keys: `reportit apikey add NAME` prints a key once; only its hash is kept."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys

import anyio.to_thread

from reportit.open311.keys import key_for
from reportit.open311.tables import ApiKey
from tests.conftest import ROOT


def reportit(server_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportit.cli", *args], env={**os.environ, **server_env},
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


async def test_apikey_add_prints_a_working_key_and_stores_only_its_hash(app, server_env):
    name = f"council-crm-{secrets.token_hex(3)}"
    added = await anyio.to_thread.run_sync(reportit, server_env, "apikey", "add", name)

    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("ri311_") and len(key) > 40
    row = await ApiKey.objects().where(ApiKey.name == name).first()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in (row.prefix, row.key_hash)
    assert (await key_for(key)).name == name

    again = await anyio.to_thread.run_sync(reportit, server_env, "apikey", "add", name)
    assert again.returncode == 1 and "already a key called" in again.stderr

    listed = await anyio.to_thread.run_sync(reportit, server_env, "apikey", "list")
    assert name in listed.stdout and row.prefix in listed.stdout and key not in listed.stdout
