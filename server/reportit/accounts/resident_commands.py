"""`reportit account export EMAIL` and `reportit account erase EMAIL --yes`: My data requests that
arrive by post or at the front desk."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("account",)


def add_parsers(commands: Any) -> None:
    account = commands.add_parser("account", help="a resident's account: export their data or erase it")
    actions = account.add_subparsers(dest="account_command", required=True)
    export = actions.add_parser("export", help="print everything held about the account, as JSON")
    export.add_argument("email")
    erase = actions.add_parser("erase", help="delete the account; its reports stay with no contact details")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="erase without asking")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    if args.account_command == "export":
        return with_db(settings, _export(args.email, settings))
    if not args.yes:
        print("reportit: not erasing; run again with --yes to confirm", file=sys.stderr)
        return 2
    return with_db(settings, _erase(args.email, settings))


async def _export(email: str, settings: Settings) -> None:
    from reportit.accounts.export import export_by_email

    data = await export_by_email(email, settings, actor="cli")
    print(json.dumps(data, indent=2, ensure_ascii=False))


async def _erase(email: str, settings: Settings) -> None:
    from reportit.accounts.erase import erase_by_email

    summary = await erase_by_email(email, settings, actor="cli")
    # Work the erasure started after its commit (deleting private photos' files) finishes before
    # the command's event loop closes.
    await asyncio.gather(*(t for t in asyncio.all_tasks() if t is not asyncio.current_task()))
    print("Erased. Deleted: " + "; ".join(summary["deleted"]) + ".\nKept: " + "; ".join(summary["kept"]) + ".")
