"""`reportit status` and `reportit demo`."""

from __future__ import annotations

import argparse
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("status", "demo")


def add_parsers(commands: Any) -> None:
    demo = commands.add_parser("demo", help="fill an empty database with a lived-in demo service")
    demo.add_argument("--reports", type=int, default=300)
    demo.add_argument("--seed", type=int, default=2026)

    status = commands.add_parser("status", help="change a report's status (the reporter is told)")
    status.add_argument("reference")
    status.add_argument("status")
    status.add_argument("--message", default="", help="public message shown to the reporter")
    status.add_argument("--note", default="", help="internal note, staff only")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    if args.command == "demo":
        from reportit.applications.demo import load_applications_demo
        from reportit.reports.demo import load_demo

        async def demo() -> None:
            await load_demo(settings, reports=args.reports, seed=args.seed)
            await load_applications_demo(settings)  # ~80 illustrative planning and licensing applications

        return with_db(settings, demo())
    from reportit.reports.status import Actor, change_status

    return with_db(settings, change_status(args.reference.upper(), args.status, settings=settings, actor=Actor("cli"),
                                           public_message=args.message, internal_note=args.note))
