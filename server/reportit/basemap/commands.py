"""`reportit basemap build`: an illustrative PMTiles basemap from GeoJSON streets and areas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("basemap",)


def add_parsers(commands: Any) -> None:
    basemap = commands.add_parser("basemap", help="the map drawn in the app and the console")
    basemap_commands = basemap.add_subparsers(dest="basemap_command", required=True)
    build = basemap_commands.add_parser(
        "build", help="build an illustrative PMTiles basemap (streets and areas only) from GeoJSON files")
    build.add_argument("--streets", type=Path, required=True, help="GeoJSON lines with a name (longitude/latitude)")
    build.add_argument("--areas", type=Path, help="GeoJSON polygons with a name, e.g. wards")
    build.add_argument("--out", type=Path, required=True, help="the .pmtiles file to write")
    build.add_argument("--min-zoom", type=int, default=11)
    build.add_argument("--max-zoom", type=int, default=16)


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    from reportit.basemap.builder import BadGeoJSON, build

    try:
        count = build(args.streets, args.areas, args.out, args.min_zoom, args.max_zoom)
    except BadGeoJSON as exc:
        print(f"reportit: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"{args.out}: {count} tiles, zoom {args.min_zoom} to {args.max_zoom} (illustrative: streets and areas only)")
    return 0
