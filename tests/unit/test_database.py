"""database.write_transaction and after_commit, on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest

from reportit import database
from reportit.reports.tables import Report


def in_transaction() -> bool:
    return Report._meta.db.current_transaction.get() is not None


async def test_after_commit_runs_once_the_outermost_transaction_has_committed(app):
    seen: list[str] = []
    engine = Report._meta.db
    async with database.write_transaction(engine):
        async with database.write_transaction(engine):  # joins the outer one, as change_status does
            database.after_commit(lambda: seen.append(f"inner, in a transaction: {in_transaction()}"))
        assert seen == []  # the inner block ending is not a commit
        database.after_commit(lambda: seen.append(f"outer, in a transaction: {in_transaction()}"))
        assert seen == []
    assert seen == ["inner, in a transaction: False", "outer, in a transaction: False"]


async def test_after_commit_never_runs_when_the_transaction_rolls_back(app):
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with database.write_transaction(Report._meta.db):
            database.after_commit(lambda: seen.append("woken"))
            raise RuntimeError("the action failed")
    assert seen == []
    async with database.write_transaction(Report._meta.db):  # and the next transaction starts clean
        pass
    assert seen == []


async def test_after_commit_outside_a_transaction_runs_at_once(app):
    seen: list[str] = []
    database.after_commit(lambda: seen.append("now"))
    assert seen == ["now"]


async def test_a_failing_callback_does_not_undo_the_commit_or_stop_the_others(app, caplog):
    seen: list[str] = []

    def broken() -> None:
        raise ValueError("boom")

    async with database.write_transaction(Report._meta.db):
        database.after_commit(broken)
        database.after_commit(lambda: seen.append("still run"))
    assert seen == ["still run"]
    assert "after_commit_failed" in caplog.text
