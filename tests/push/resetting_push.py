"""A push service that resets HTTP/2 streams (RST_STREAM) mid-fan-out, written on `h2` directly:
an ASGI server like hypercorn gives an app no way to reset its stream.

Every `reset_every`-th request is reset (INTERNAL_ERROR) without being recorded, as a push service
that gave up on it would; every other one is answered 201 and its path recorded. It checks
nothing else: tests/push/mock_push.py is the strict one.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import Counter

import h2.config
import h2.connection
import h2.errors
import h2.events
import trustme


class ResettingPushService:
    def __init__(self, ca: trustme.CA, reset_every: int) -> None:
        self.ca = ca
        self.reset_every = reset_every
        self.port = 0
        self.requests = 0
        self.resets = 0
        self.delivered: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def url(self, behaviour: str, name: str) -> str:
        return f"https://127.0.0.1:{self.port}/push/{behaviour}/{name}"

    def start(self) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        context.set_alpn_protocols(["h2"])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        started = threading.Event()

        async def run() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            async with await asyncio.start_server(self._connection, "127.0.0.1", self.port, ssl=context):
                started.set()
                await self._stop.wait()

        self._thread = threading.Thread(target=asyncio.run, args=(run(),), name="resetting-push", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("resetting push service did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        connection.initiate_connection()
        writer.write(connection.data_to_send())
        paths: dict[int, str] = {}
        try:
            while data := await reader.read(65536):
                for event in connection.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        paths[event.stream_id] = dict(event.headers)[b":path"].decode()
                    elif isinstance(event, h2.events.DataReceived):
                        connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    elif isinstance(event, h2.events.StreamEnded):
                        self._answer(connection, event.stream_id, paths.pop(event.stream_id))
                writer.write(connection.data_to_send())
                await writer.drain()
        except (ConnectionError, h2.exceptions.ProtocolError):
            pass
        finally:
            writer.close()

    def _answer(self, connection: h2.connection.H2Connection, stream_id: int, path: str) -> None:
        self.requests += 1
        if self.requests % self.reset_every == 0:
            self.resets += 1
            connection.reset_stream(stream_id, error_code=h2.errors.ErrorCodes.INTERNAL_ERROR)
            return
        self.delivered[path] += 1
        connection.send_headers(stream_id, [(":status", "201"), ("content-length", "0")], end_stream=True)
