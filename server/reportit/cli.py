"""`reportit` — run and look after a Report It service."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import sys

from reportit import database, logs, wiring
from reportit.accounts import resident_commands as account_commands
from reportit.accounts import staff_commands as user_commands
from reportit.problems import Problem
from reportit.push import commands as push_commands
from reportit.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reportit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    commands.add_parser("migrate", help="create or update the database tables")

    demo = commands.add_parser("demo", help="fill an empty database with a lived-in demo service")
    demo.add_argument("--reports", type=int, default=300)
    demo.add_argument("--seed", type=int, default=2026)

    status = commands.add_parser("status", help="change a report's status (the reporter is told)")
    status.add_argument("reference")
    status.add_argument("status")
    status.add_argument("--message", default="", help="public message shown to the reporter")
    status.add_argument("--note", default="", help="internal note, staff only")

    user_commands.add_parsers(commands)

    apikey = commands.add_parser("apikey", help="API keys for systems that post to Open311")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    apikey_add = apikey_commands.add_parser("add", help="create a key and print it (shown only once)")
    apikey_add.add_argument("name", help="who will use it, e.g. fixmystreet")
    apikey_commands.add_parser("list", help="list keys by name and prefix")

    push_commands.add_parsers(commands)
    account_commands.add_parsers(commands)

    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"reportit: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.config.log_level)
    wiring.wire_domains()

    if args.command in push_commands.COMMANDS:
        return push_commands.run(args, settings, lambda s, work: asyncio.run(_with_db(s, work)))
    if args.command in account_commands.COMMANDS:
        return account_commands.run(args, settings, lambda s, work: asyncio.run(_with_db(s, work)))
    if args.command == "serve":
        return serve_app(settings, args.host, args.port, args.workers)
    if args.command == "migrate":
        return asyncio.run(_with_db(settings, database.migrate()))
    if args.command == "demo":
        from reportit.reports.demo import load_demo

        return asyncio.run(_with_db(settings, load_demo(settings, reports=args.reports, seed=args.seed)))
    if args.command == "status":
        from reportit.reports.status import Actor, change_status

        work = change_status(args.reference.upper(), args.status, settings=settings, actor=Actor("cli"),
                             public_message=args.message, internal_note=args.note)
        return asyncio.run(_with_db(settings, work))
    if args.command == "user":
        return asyncio.run(_with_db(settings, user_commands.work_for(args)))
    if args.command == "apikey":
        from reportit.open311.keys import print_keys, print_new_key

        work = print_new_key(args.name) if args.apikey_command == "add" else print_keys()
        return asyncio.run(_with_db(settings, work))
    parser.error("unknown command")
    return 2


async def _with_db(settings: Settings, work) -> int:
    engine = database.engine_for(settings)
    database.use(engine)
    await database.start_pool(engine)
    try:
        await work
    except Problem as problem:
        print(f"reportit: {problem.detail or problem.title}", file=sys.stderr)
        return 1
    finally:
        await database.close_pool(engine)
    return 0


def serve_app(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    if settings.config.base_url_derived:
        # Links in reports, emails, pushes and the CSV must reach this server: without a configured
        # public address, use where it listens. The app (and each worker) reads it from the env.
        os.environ["REPORTIT_BASE_URL"] = listening_url(host, port)
        log.info("event=base_url url=%s source=listening_address hint=set_REPORTIT_BASE_URL_to_the_public_address",
                 os.environ["REPORTIT_BASE_URL"])
    else:
        log.info("event=base_url url=%s source=REPORTIT_BASE_URL", settings.config.base_url)

    uvicorn.run(
        "reportit.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app believes forwarded headers from REPORTIT_TRUSTED_PROXIES only (app.py); uvicorn's
        # own handling would also trust 127.0.0.1 (or FORWARDED_ALLOW_IPS) behind its back.
        proxy_headers=False,
        log_level=settings.config.log_level.lower(),
    )
    return 0


def listening_url(host: str, port: int) -> str:
    """http://host:port, with a wildcard address replaced by loopback (a browser cannot open 0.0.0.0)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


if __name__ == "__main__":
    raise SystemExit(main())
