"""`reportit applications import FILE [--regime planning|licensing] [--strict]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("applications",)


def add_parsers(commands: Any) -> None:
    applications = commands.add_parser("applications", help="planning and licensing applications")
    verbs = applications.add_subparsers(dest="verb", required=True)
    load = verbs.add_parser("import", help="import applications from CSV, JSON or GeoJSON "
                                           "(planning.data.gov.uk's planning-application columns, or the licensing CSV)")
    load.add_argument("file", type=Path)
    load.add_argument("--regime", choices=("planning", "licensing"), default="planning")
    load.add_argument("--strict", action="store_true", help="write nothing unless every row is good")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    outcome: dict[str, int] = {}

    async def work() -> None:
        from reportit.applications.importer import import_file

        result = await import_file(args.file, args.regime, settings, strict=args.strict)
        for where, reason in result.errors:
            print(f"{args.file.name}, {where}: {reason}", file=sys.stderr)
        if result.refused > len(result.errors):
            print(f"… and {result.refused - len(result.errors)} more rows refused", file=sys.stderr)
        if result.file_problem:
            print(f"{args.file.name}: {result.file_problem}", file=sys.stderr)
        print(f"{args.file.name}: {result.words()}")
        outcome["failed"] = int(bool(result.refused or result.file_problem))

    code = with_db(settings, work())
    return code or outcome.get("failed", 0)
