"""`reportit apikey add|list`: keys for systems that post to Open311."""

from __future__ import annotations

import argparse
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("apikey",)


def add_parsers(commands: Any) -> None:
    apikey = commands.add_parser("apikey", help="API keys for systems that post to Open311")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    apikey_add = apikey_commands.add_parser("add", help="create a key and print it (shown only once)")
    apikey_add.add_argument("name", help="who will use it, e.g. fixmystreet")
    apikey_commands.add_parser("list", help="list keys by name and prefix")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    from reportit.open311.keys import print_keys, print_new_key

    return with_db(settings, print_new_key(args.name) if args.apikey_command == "add" else print_keys())
