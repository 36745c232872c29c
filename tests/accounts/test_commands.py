"""`reportit account export|erase EMAIL`, for requests that arrive by post, run as an operator would."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from reportit.accounts.tables import AccountAudit, ResidentAccount
from reportit.reports.tables import Report
from tests.accounts.conftest import new_email, sign_in
from tests.conftest import ROOT
from tests.push.conftest import new_report


async def reportit(server_env, *args: str) -> subprocess.CompletedProcess:
    """Run the command without blocking this test's event loop: the in-process app's sender may hold
    SQLite's write lock mid-transaction, and a blocked loop would never let it go."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "reportit.cli", *args, env={**os.environ, **server_env}, cwd=ROOT,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, stdout.decode(), stderr.decode())


async def test_an_operator_exports_and_then_erases_an_account_by_email(push_client, phone, mailbox, server_env):
    email = new_email()
    reference = await new_report(push_client, phone, contact_name="Sam Resident")
    await sign_in(push_client, phone, mailbox, email)

    exported = await reportit(server_env, "account", "export", email.upper())
    assert exported.returncode == 0, exported.stderr
    assert [r["reference"] for r in json.loads(exported.stdout)["reports"]] == [reference]

    refused = await reportit(server_env, "account", "erase", email)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert await ResidentAccount.exists().where(ResidentAccount.email == email)

    erased = await reportit(server_env, "account", "erase", email, "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "Erased." in erased.stdout
    assert not await ResidentAccount.exists().where(ResidentAccount.email == email)
    row = await Report.select(Report.contact_name, Report.device).where(Report.reference == reference).first()
    assert row == {"contact_name": "", "device": None}
    assert await AccountAudit.exists().where((AccountAudit.action == "erased") & (AccountAudit.actor == "cli"))


async def test_an_unknown_address_is_reported_plainly(server_env):
    result = await reportit(server_env, "account", "export", new_email())
    assert result.returncode == 1 and "no resident account with that email address" in result.stderr
