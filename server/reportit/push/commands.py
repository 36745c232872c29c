"""`reportit vapid` and `reportit send-notifications`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any, Callable, Coroutine

from reportit.settings import Settings

COMMANDS = ("vapid", "send-notifications")
ROTATE_WARNING = (
    "Rotating the VAPID keys orphans every push subscription: browsers subscribed with the old\n"
    "public key, push services will refuse our messages for them, and residents get no more\n"
    "notifications until the app subscribes again. Running servers and senders pick the new keys up\n"
    "by themselves.\n"
)


def add_parsers(commands: Any) -> None:
    vapid = commands.add_parser("vapid", help="show the Web Push (VAPID) public key, or rotate the keys")
    vapid.add_argument("--rotate", action="store_true", help="make new keys (orphans every subscription)")
    vapid.add_argument("--yes", action="store_true", help="rotate without asking")
    send = commands.add_parser("send-notifications", help="run a notification sender as its own process")
    send.add_argument("--once", action="store_true", help="send what is due now, then exit")
    send.add_argument("--interval", type=float, default=2.0, help="seconds between looks at the outbox")


def run(args: argparse.Namespace, settings: Settings, with_db: Callable[[Settings, Coroutine], int]) -> int:
    if args.command == "vapid":
        return _vapid(settings, rotate=args.rotate, yes=args.yes)
    try:  # the loop `reportit serve` runs its sender on (uvicorn's): its TLS costs a third less per push
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    else:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return with_db(settings, _send(settings, once=args.once, interval=args.interval))


def _vapid(settings: Settings, *, rotate: bool, yes: bool) -> int:
    from reportit.push.vapid import load_or_create
    from reportit.push.vapid import rotate as rotate_keys

    if not rotate:
        print(load_or_create(settings.config.data_dir).application_server_key)
        return 0
    print(ROTATE_WARNING, file=sys.stderr)
    if not yes:
        if not sys.stdin.isatty():
            print("reportit: not rotating; run again with --yes to confirm", file=sys.stderr)
            return 2
        if input("Type 'rotate' to make new keys: ").strip().lower() != "rotate":
            print("reportit: keys unchanged", file=sys.stderr)
            return 1
    print(rotate_keys(settings.config.data_dir).application_server_key)
    return 0


async def _send(settings: Settings, *, once: bool, interval: float) -> None:
    from reportit.push.sender import Sender, SenderConfig
    from reportit.secrets_store import secret

    sender = Sender(settings, secret_key=secret(settings.config.data_dir, "secret_key"),
                    config=SenderConfig(poll_interval=interval))
    try:
        if once:
            await sender.drain()
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(sender.stop()))
        await sender.run()
    finally:
        await sender.aclose()
