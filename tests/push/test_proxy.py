"""Push through a proxy named in the environment (HTTPS_PROXY, or ALL_PROXY; NO_PROXY honoured),
over HTTP/1.1 and, for a push service that needs it, HTTP/2: the proxy sees only a CONNECT to the
push service, and the TLS inside it is still verified end to end."""

from __future__ import annotations

import asyncio
import threading

import pytest

from reportit.app_state import services
from reportit.push.sender import Sender, SenderConfig
from tests.push.mock_push import MockPushService
from tests.push.test_outbox import parked_rows


class ConnectProxy:
    """An HTTP proxy on loopback that only tunnels (CONNECT host:port), as corporate proxies do for HTTPS."""

    def __init__(self) -> None:
        self.port = 0
        self.tunnels: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        started = threading.Event()

        async def run() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            server = await asyncio.start_server(self._tunnel, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            started.set()
            async with server:
                await self._stop.wait()

        self._thread = threading.Thread(target=asyncio.run, args=(run(),), name="connect-proxy", daemon=True)
        self._thread.start()
        assert started.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        method, target, _ = head.split("\r\n", 1)[0].split(" ", 2)
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            writer.close()
            return
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.fixture
def proxy():
    server = ConnectProxy()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http2_push(browser, mock_push):
    service = MockPushService(browser, vapid_public_key=mock_push.vapid_public_key, http2_only=True)
    service.start()
    yield service
    service.stop()


async def _send(push_app, push_settings, clock) -> int:
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(process_batch=0))
    try:
        return await sender.drain()
    finally:
        await sender.aclose()


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "ALL_PROXY"])
async def test_pushes_go_through_the_proxy_the_environment_names(
        push_client, resident, browser, mock_push, http2_push, push_settings, push_app, clock, proxy, monkeypatch,
        variable):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
    _, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=3)
    _, names2 = await parked_rows(push_client, resident, browser, http2_push, push_settings, clock, count=3)

    assert await _send(push_app, push_settings, clock) == 6

    assert all(len(mock_push.delivered(name)) == 1 for name in names)
    assert all(len(http2_push.delivered(name)) == 1 for name in names2)
    assert {r.http_version for name in names2 for r in http2_push.delivered(name)} == {"2"}
    assert set(proxy.tunnels) == {mock_push.host, http2_push.host}  # nothing went around it


async def test_no_proxy_names_push_services_reached_directly(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, proxy, monkeypatch):
    for name in ("https_proxy", "ALL_PROXY", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    _, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=2)

    assert await _send(push_app, push_settings, clock) == 2

    assert all(len(mock_push.delivered(name)) == 1 for name in names)
    assert proxy.tunnels == []
