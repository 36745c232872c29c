"""`reportit user add|list|disable|enable|passwd`: staff accounts from the server's shell.

The same rules as the console (the 12-character minimum, one account per email). Each command
says what it did in one line; bad input gets one line on stderr and a non-zero exit, never a
traceback. Every change is in the console's audit log, by "cli".
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, Callable, Coroutine

from piccolo.apps.user.tables import BaseUser

from reportit import database
from reportit.accounts.passwords import password_problem, set_active, set_password
from reportit.accounts.staff import add_staff
from reportit.accounts.tables import ROLES, StaffRole
from reportit.problems import Problem
from reportit.settings import Settings

ACTOR = "cli"
COMMANDS = ("user",)


def add_parsers(commands: Any) -> None:
    user = commands.add_parser("user", help="staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a staff member")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, default="officer")
    add.add_argument("--password", help="for scripts; otherwise you are asked")
    user_commands.add_parser("list", help="list staff: email, role, active, last sign-in")
    for name, text in (("disable", "stop someone signing in, and sign them out everywhere now"),
                       ("enable", "let a disabled account sign in again")):
        user_commands.add_parser(name, help=text).add_argument("email")
    passwd = user_commands.add_parser("passwd", help="set someone's password (signs them out everywhere)")
    passwd.add_argument("email")
    passwd.add_argument("--password", help="for scripts; otherwise you are asked")


def fail(message: str) -> Problem:
    return Problem(400, "reportit user", message)


def password_for(args: argparse.Namespace) -> str:
    """Checked before the database is opened, so a short password costs nothing."""
    password = args.password if args.password is not None else _ask_password()
    problem = password_problem(password)
    if problem:
        print(f"reportit: {problem}", file=sys.stderr)
        raise SystemExit(2)
    return password


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        print("reportit: the passwords did not match", file=sys.stderr)
        raise SystemExit(2)
    return first


async def _audit(action: str, email: str, before: dict | None = None, after: dict | None = None) -> None:
    from reportit.console.audit import record  # the console owns the audit log

    await record(None, ACTOR, action, target=email, before=before, after=after)


async def _user(email: str) -> dict:
    row = await (StaffRole.select(StaffRole.user.id.as_alias("id"), StaffRole.user.active.as_alias("active"))
                 .where(StaffRole.user.email == email.strip().lower()).first())
    if row is None:
        raise fail(f"no staff account has the email {email.strip().lower()}")
    return row


async def add(email: str, password: str, role: str) -> None:
    email = email.strip().lower()
    if await BaseUser.exists().where(BaseUser.email == email):
        raise fail(f"someone already has an account with the email {email}")
    async with database.write_transaction(BaseUser._meta.db):
        await add_staff(email, password, role)
        await _audit("staff_added", email, after={"role": role})
    print(f"Added {email} as {role}.")


async def list_staff() -> None:
    rows = await (StaffRole.select(StaffRole.user.email.as_alias("email"), StaffRole.role,
                                   StaffRole.user.active.as_alias("active"),
                                   StaffRole.user.last_login.as_alias("last_login"))
                  .order_by(StaffRole.user.email))
    for row in rows:
        last = f"{row['last_login']:%Y-%m-%d %H:%M}" if row["last_login"] else "never"
        print(f"{row['email']}\t{row['role']}\t{'active' if row['active'] else 'disabled'}\t{last}")
    if not rows:
        print("No staff accounts yet. Add one with: reportit user add EMAIL --role admin", file=sys.stderr)


async def switch(email: str, active: bool) -> None:
    user = await _user(email)
    email = email.strip().lower()
    if user["active"] != active:
        async with database.write_transaction(BaseUser._meta.db):
            await set_active(user["id"], active)
            await _audit("staff_enabled" if active else "staff_disabled", email,
                         before={"active": user["active"]}, after={"active": active})
    print(f"{'Enabled' if active else 'Disabled'} {email}."
          + ("" if active else " They are signed out everywhere and cannot sign in."))


async def passwd(email: str, password: str) -> None:
    from reportit.accounts.passwords import end_sessions

    user = await _user(email)
    email = email.strip().lower()
    async with database.write_transaction(BaseUser._meta.db):
        await set_password(user["id"], password)
        await end_sessions(user["id"])
        await _audit("password_set", email)
    print(f"Set a new password for {email}. They are signed out everywhere.")


def work_for(args: argparse.Namespace):
    """The coroutine a `reportit user …` command runs inside a database connection."""
    if args.user_command == "add":
        return add(args.email, password_for(args), args.role)
    if args.user_command == "list":
        return list_staff()
    if args.user_command in ("disable", "enable"):
        return switch(args.email, args.user_command == "enable")
    return passwd(args.email, password_for(args))


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    return with_db(settings, work_for(args))
