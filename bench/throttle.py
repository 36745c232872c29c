"""A bad mobile link on loopback: a TCP proxy that carries `up_bps` bits a second towards the server
(and `down_bps` back), adds `rtt` seconds of round trip, and cuts every connection every
`cut_every` seconds. It counts the bytes the client put on the air, those a cut lost included (what
was still in the client's buffers was not sent)."""

from __future__ import annotations

import asyncio
import threading
import time


class ThrottledLink:
    def __init__(self, upstream_port: int, up_bps: int, down_bps: int, rtt: float, cut_every: float) -> None:
        self.upstream_port, self.rtt, self.cut_every = upstream_port, rtt, cut_every
        self.up_rate, self.down_rate = up_bps / 8, down_bps / 8
        self.bytes_up = 0
        self.bytes_delivered_up = 0  # of those, handed to the server before any cut
        self.cuts = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._up_free_at = self._down_free_at = time.monotonic()
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._loop.create_task(self._cutter())

    async def _cutter(self) -> None:
        while True:
            await asyncio.sleep(self.cut_every)
            self.cuts += 1
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()

    async def _connect(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        await asyncio.gather(self._pump(client_reader, server_writer, up=True),
                             self._pump(server_reader, client_writer, up=False), return_exceptions=True)
        for writer in (client_writer, server_writer):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, up: bool) -> None:
        """Each piece waits its turn on the shared link (bandwidth), then half a round trip (latency)."""
        loop = asyncio.get_running_loop()

        def arrive(data: bytes | None) -> None:
            """The piece reaches the other end, half a round trip after it was sent."""
            if writer.is_closing():
                return
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            if up:
                self.bytes_delivered_up += len(data)

        while True:
            data = await reader.read(1024)
            if not data or writer.is_closing():  # cut: what is left in our buffer was never sent
                break
            rate = self.up_rate if up else self.down_rate
            now = time.monotonic()
            free_at = max(now, self._up_free_at if up else self._down_free_at) + len(data) / rate
            if up:
                self._up_free_at = free_at
            else:
                self._down_free_at = free_at
            await asyncio.sleep(max(0.0, free_at - now))  # the link is busy until then
            if writer.is_closing():
                break
            if up:  # on the air now (bytes still in the phone's buffer were not sent)
                self.bytes_up += len(data)
            loop.call_at(loop.time() + self.rtt / 2, arrive, data)
        loop.call_at(loop.time() + self.rtt / 2, arrive, None)
        await asyncio.sleep(self.rtt / 2)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
