"""The `reportit` command as an operator uses it, on a fresh database of the backend under test."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import BACKEND, PG_ADMIN_URL, ROOT, _pg_admin


@pytest.fixture
def fresh_env(tmp_path):
    env = {**os.environ, "REPORTIT_DATA_DIR": str(tmp_path / "data"),
           "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"), "REPORTIT_LOG_LEVEL": "WARNING"}
    if BACKEND == "postgres":
        name = f"reportit_cli_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        env["DATABASE_URL"] = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        yield env
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        env.pop("DATABASE_URL", None)
        yield env


def reportit(env, *args, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportit.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, input=input, timeout=300)


async def _query(env, sql: str) -> list:
    if BACKEND == "postgres":
        import asyncpg

        connection = await asyncpg.connect(env["DATABASE_URL"])
        try:
            return [tuple(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()
    with sqlite3.connect(os.path.join(env["REPORTIT_DATA_DIR"], "reportit.sqlite")) as connection:
        return connection.execute(sql).fetchall()


def query(env, sql: str) -> list:
    return asyncio.run(_query(env, sql))


def test_migrate_then_demo_fills_a_lived_in_service(fresh_env):
    assert reportit(fresh_env, "migrate").returncode == 0
    demo = reportit(fresh_env, "demo")
    assert demo.returncode == 0, demo.stderr

    assert query(fresh_env, "SELECT COUNT(*) FROM report")[0][0] == 300
    sql = "SELECT DISTINCT c.code FROM report r JOIN category c ON c.id = r.category"
    categories = {r[0] for r in query(fresh_env, sql)}
    signposts = {"crime", "health", "tfl"}
    all_reportable = {r[0] for r in query(fresh_env, "SELECT code FROM category")} - signposts
    assert categories == all_reportable
    statuses = {r[0] for r in query(fresh_env, "SELECT DISTINCT status FROM report")}
    assert statuses == {"received", "investigating", "in_progress", "action_scheduled", "fixed",
                        "not_council_responsibility", "duplicate", "no_further_action", "referred"}
    assert query(fresh_env, "SELECT COUNT(*) FROM photo")[0][0] > 100
    photos = list((ROOT / fresh_env["REPORTIT_DATA_DIR"] / "photos").rglob("*.jpg"))
    assert photos and all(b"Exif" not in p.read_bytes()[:4096] for p in photos)

    again = reportit(fresh_env, "demo")  # never doubles up a database that has reports
    assert again.returncode == 0
    assert query(fresh_env, "SELECT COUNT(*) FROM report")[0][0] == 300


def test_demo_applications_stand_on_the_street_their_address_names(fresh_env):
    """What a council trying `make run` reads: "129 Warwick Way" is on Warwick Way, in its ward."""
    reportit(fresh_env, "migrate")
    assert reportit(fresh_env, "demo", "--reports", "5").returncode == 0

    rows = query(fresh_env, "SELECT reference, address, street, ward FROM application ORDER BY reference")

    assert len(rows) == 80
    named = {reference: re.match(r"^\d+ ([^,]+)", address).group(1) for reference, address, _, _ in rows}
    elsewhere = [(reference, named[reference], street) for reference, _, street, _ in rows if named[reference] != street]
    assert elsewhere == []
    assert all(ward for *_, ward in rows)
    assert len(set(named.values())) >= 8  # spread over the streets around the map centre


def test_status_command_moves_a_report_and_keeps_the_history(fresh_env):
    reportit(fresh_env, "migrate")
    reportit(fresh_env, "demo", "--reports", "20")
    reference = query(fresh_env, "SELECT reference FROM report WHERE status = 'received' LIMIT 1")[0][0]

    moved = reportit(fresh_env, "status", reference.lower(), "fixed", "--message", "Filled this morning")
    assert moved.returncode == 0, moved.stderr
    assert query(fresh_env, f"SELECT status FROM report WHERE reference = '{reference}'")[0][0] == "fixed"
    last = query(fresh_env, "SELECT from_status, to_status, public_message, actor FROM status_change "
                            "ORDER BY id DESC LIMIT 1")[0]
    assert tuple(last) == ("received", "fixed", "Filled this morning", "cli")

    wrong = reportit(fresh_env, "status", reference, "mended")
    assert wrong.returncode == 1 and "is not a status" in wrong.stderr
    missing = reportit(fresh_env, "status", "ZZZZ2222", "fixed")
    assert missing.returncode == 1 and "no report" in missing.stderr


def test_status_command_tells_the_followers_like_the_console_does(fresh_env):
    """The command runs the domain without an app: its followers' outbox rows are still written."""
    reportit(fresh_env, "migrate")
    reportit(fresh_env, "demo", "--reports", "5")
    report_id, reference = query(fresh_env, "SELECT id, reference FROM report WHERE status = 'received' LIMIT 1")[0]
    true = "true" if BACKEND == "postgres" else 1
    query(fresh_env, "INSERT INTO follow (report, email, email_confirmed, reporter, created_at) "
                     f"VALUES ({report_id}, 'resident@example.com', {true}, {true}, CURRENT_TIMESTAMP)")

    moved = reportit(fresh_env, "status", reference, "investigating")
    assert moved.returncode == 0, moved.stderr
    rows = query(fresh_env, f"SELECT channel FROM notification_outbox WHERE report = {report_id}")
    assert [tuple(r) for r in rows] == [("email",)]


def test_user_add_creates_staff_with_a_role(fresh_env):
    reportit(fresh_env, "migrate")
    added = reportit(fresh_env, "user", "add", "Warden@Westminster.example", "--role", "warden",
                     "--password", "a long enough password")
    assert added.returncode == 0, added.stderr
    rows = query(fresh_env, "SELECT u.email, s.role FROM piccolo_user u JOIN staff_role s ON s.user = u.id"
                 if BACKEND != "postgres" else
                 'SELECT u.email, s.role FROM piccolo_user u JOIN staff_role s ON s."user" = u.id')
    assert [tuple(r) for r in rows] == [("warden@westminster.example", "warden")]


def test_migrating_a_fresh_database_prints_one_clear_line(fresh_env):
    """A newcomer's first screen: no banner per app, no "3 already complete" beside "3 not yet run"."""
    env = {**fresh_env, "REPORTIT_LOG_LEVEL": "INFO"}
    first = reportit(env, "migrate")
    again = reportit(env, "migrate")

    assert first.returncode == 0 and again.returncode == 0, first.stderr
    for run in (first, again):
        output = run.stdout + run.stderr
        for noise in ("already complete", "not yet run", "Running Sqlite", "Traceback", "WARNING", "ERROR"):
            assert noise not in output, output
        assert len(output.strip().splitlines()) == 1, output
    assert "event=migrated applied=" in first.stderr and "applied=0" not in first.stderr
    assert "applied=0" in again.stderr
