"""`reportit` — run and look after a Report It service."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import sys

from reportit import database, logs, wiring
from reportit.accounts import resident_commands, staff_commands
from reportit.applications import commands as applications_commands
from reportit.basemap import commands as basemap_commands
from reportit.open311 import commands as open311_commands
from reportit.places import commands as places_commands
from reportit.problems import Problem
from reportit.push import commands as push_commands
from reportit.reports import commands as reports_commands
from reportit.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)

# Each app's commands live beside its tables: COMMANDS, add_parsers(subparsers), run(args, settings, with_db).
APPS = (reports_commands, staff_commands, open311_commands, push_commands, resident_commands, basemap_commands,
        places_commands, applications_commands)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reportit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_at_least_one, default=1,
                       help="web worker processes (each on its own socket; see README, Running on several machines)")

    commands.add_parser("migrate", help="create or update the database tables")
    for app in APPS:
        app.add_parsers(commands)

    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"reportit: configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.config.log_level)
    wiring.wire_domains()

    with_db = lambda s, work: asyncio.run(_with_db(s, work))  # noqa: E731
    for app in APPS:
        if args.command in app.COMMANDS:
            return app.run(args, settings, with_db)
    if args.command == "serve":
        return serve_app(settings, args.host, args.port, args.workers)
    if args.command == "migrate":
        return asyncio.run(_with_db(settings, database.migrate()))
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


GRACEFUL_SHUTDOWN_SECONDS = 30  # a slow phone's 5-photo upload finishes well within this
WORKER_HEALTHCHECK_SECONDS = 30  # a busy worker is slow, not dead


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of workers, 1 or more; got {text!r}")
    return number


def serve_app(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from reportit.push import vapid
    from reportit.secrets_store import secret
    from reportit.workers import WorkersWithOwnSockets, reuse_port_sockets

    if settings.config.base_url_derived:
        # Links in reports, emails, pushes and the CSV must reach this server: without a configured
        # public address, use where it listens. The app (and each worker) reads it from the env.
        os.environ["REPORTIT_BASE_URL"] = listening_url(host, port)
        log.info("event=base_url url=%s source=listening_address hint=set_REPORTIT_BASE_URL_to_the_public_address",
                 os.environ["REPORTIT_BASE_URL"])
    else:
        log.info("event=base_url url=%s source=REPORTIT_BASE_URL", settings.config.base_url)

    config = uvicorn.Config(
        "reportit.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app believes forwarded headers from REPORTIT_TRUSTED_PROXIES only (app.py); uvicorn's
        # own handling would also trust 127.0.0.1 (or FORWARDED_ALLOW_IPS) behind its back.
        proxy_headers=False,
        # On SIGTERM stop taking connections and let uploads in flight finish (and the sender
        # record what it sent) for this long before closing what is left.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # With --workers the supervisor restarts a worker that does not answer its ping in time,
        # dropping the connections it holds: on a busy 2-core machine uvicorn's 5 s was too short
        # for a worker that is only slow (seen as "connection reset" in the two-worker load test).
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        log_level=settings.config.log_level.lower(),
    )
    # The secrets every worker reads, made once here rather than by N workers at once.
    secret(settings.config.data_dir, "secret_key")
    vapid.load_or_create(settings.config.data_dir)
    if workers == 1:
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    # Each worker on a socket of its own (workers.py): with one shared socket, connections opened
    # together all went to whichever worker woke first.
    try:
        sockets = reuse_port_sockets(host, port, workers, backlog=config.backlog)
    except OSError as exc:
        log.error("event=cannot_listen host=%s port=%d error=%s", host, port, exc)
        return STARTUP_FAILURE
    log.info("event=listening url=%s workers=%d sockets=reuse_port", listening_url(host, port), workers)
    try:
        WorkersWithOwnSockets(config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()
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
