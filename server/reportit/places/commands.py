"""`reportit streets import FILE` and `reportit areas import FILE --kind ward`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Coroutine

from reportit.problems import Problem
from reportit.settings import Settings

COMMANDS = ("streets", "areas")
SHOWN_PROBLEMS = 50


def add_parsers(commands: Any) -> None:
    streets = commands.add_parser("streets", help="the street gazetteer (USRNs and names)")
    verbs = streets.add_subparsers(dest="verb", required=True)
    street_import = verbs.add_parser("import", help="add or update streets from a CSV or GeoJSON file (see the README)")
    street_import.add_argument("file", type=Path)

    areas = commands.add_parser("areas", help="wards and other areas")
    verbs = areas.add_subparsers(dest="verb", required=True)
    area_import = verbs.add_parser("import", help="replace every area of a kind with a GeoJSON file's")
    area_import.add_argument("file", type=Path)
    area_import.add_argument("--kind", default="ward", help="ward (default), district, estate…")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    if args.command == "streets":
        return with_db(settings, import_streets(args.file))
    return with_db(settings, import_areas(args.file, args.kind))


async def import_streets(path: Path) -> None:
    from reportit.places.backfill import name_applications, name_reports
    from reportit.places.gazetteer import save_streets
    from reportit.places.street_file import UnreadableFile, read_street_file

    try:
        result = read_street_file(path)
    except UnreadableFile as exc:
        raise Problem(422, "Cannot read the file", str(exc)) from None
    counts = await save_streets(result.records)
    named = await name_reports() if result.records else 0
    applications = await name_applications() if result.records else 0
    print(f"Streets: {counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged"
          + (f"; {result.skipped} entries that are not named roads left out" if result.skipped else "")
          + (f"; {named} reports named" if named else "")
          + (f"; {applications} applications named" if applications else "") + ".")
    _problems(result.problems, result.unit)
    if result.problems:
        raise Problem(422, "Some lines were left out",
                      f"{len(result.problems)} {result.unit}s were left out (listed above); the rest were imported.")


async def import_areas(path: Path, kind: str) -> None:
    from reportit.places.areas import check_kind, read_area_file, replace_areas
    from reportit.places.backfill import name_applications, name_reports
    from reportit.places.street_file import UnreadableFile

    try:
        kind = check_kind(kind)
        records, problems = read_area_file(path)
    except UnreadableFile as exc:
        raise Problem(422, "Cannot read the file", str(exc)) from None
    if problems:
        _problems(problems, "feature")
        raise Problem(422, "Nothing imported", f"{len(problems)} features have problems (listed above); "
                      f"no {kind} was changed. Fix them and import the file again.")
    count = await replace_areas(kind, records)
    named = await name_reports() if kind == "ward" else 0
    applications = await name_applications() if kind == "ward" else 0
    print(f"Areas: {count} of kind {kind} imported (replacing any before)" + (f"; {named} reports named" if named else "")
          + (f"; {applications} applications named" if applications else "") + ".")


def _problems(problems: list[tuple[int, str]], unit: str) -> None:
    for number, message in problems[:SHOWN_PROBLEMS]:
        print(f"{unit} {number}: {message}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"… and {len(problems) - SHOWN_PROBLEMS} more.", file=sys.stderr)
