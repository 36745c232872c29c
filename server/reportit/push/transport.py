"""An httpx transport for push services: HTTP/1.1 keep-alive on asyncio protocols, parsed by llhttp.

The sender posts thousands of small, independent requests to a handful of push services. httpx's
default transport (httpcore on anyio streams, parsed by h11 in Python) spent about four times the
CPU of the rest of a request there, and the sender's event loop was the limit of a fan-out. This
one does only what a push request needs:

- one connection per request in flight, kept alive per origin (scheme, host, port) for
  `keepalive_expiry` seconds after its last answer, so an idle connection the push service may
  already have closed is not reused; nor is one whose socket has something to read (the close
  the loop has not got round to yet);
- TLS through the SSL context it is given (certificates verified, SNI set);
- httpx's connect, write and read timeouts (`read` bounds the whole answer, which is small) and
  httpx's exceptions, so callers see exactly what the default transport would raise;
- answers up to `max_response_bytes`, head and body; anything larger is refused, not buffered;
  an interim (1xx) answer, or bytes after the answer, end the connection (the answer stands).

It sends no request through a proxy: `Sender` uses httpx's own transport when the environment
names one (see `direct_connections_allowed`). The request is never retried here: a POST may have
been processed, and the outbox decides about retries.
"""

from __future__ import annotations

import asyncio
import re
import select
import ssl
import time
import urllib.request
from collections import defaultdict

import httptools
import httpx

MAX_RESPONSE_BYTES = 64 * 1024  # push services answer with a few bytes of diagnostics at most
KEEPALIVE_EXPIRY = 5.0  # seconds, as httpx's default: push services close idle connections


def direct_connections_allowed() -> bool:
    """False when the environment names a proxy (HTTPS_PROXY, ALL_PROXY, ...): httpx honours those,
    this transport does not, so the sender must then use httpx's own."""
    proxies = urllib.request.getproxies()
    return not any(proxies.get(scheme) for scheme in ("https", "http", "all"))


class PushTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, ssl_context: ssl.SSLContext | None = None, max_idle_per_origin: int = 8,
                 keepalive_expiry: float = KEEPALIVE_EXPIRY, max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self._ssl = ssl_context
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._max_response = max_response_bytes
        self._idle: dict[tuple[str, str, int], list[_Connection]] = defaultdict(list)
        self._closed = False
        self.connections_opened = 0  # for tests and benchmarks: how many TCP connections were made

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("PushTransport is closed")
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{url.scheme}://'.",
                                            request=request)
        timeouts = request.extensions.get("timeout", {})
        head = _request_head(request)
        body = await request.aread()
        if "transfer-encoding" in request.headers:  # a streamed body: httpx announced chunks, so send one
            body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        connection = self._idle_connection(origin) or await self._connect(origin, request, timeouts.get("connect"))
        try:
            status, reason, headers = await connection.exchange(head + body, request, timeouts)
        except BaseException:
            connection.close()
            raise
        self._release(origin, connection)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(connection.take_body()),
                              extensions={"http_version": b"HTTP/" + connection.http_version.encode(),
                                          "reason_phrase": reason}, request=request)

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, defaultdict(list)
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _idle_connection(self, origin: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the likeliest to be open still
            if now - connection.idle_since < self._expiry and connection.still_open():
                return connection
            connection.close()
        return None

    def _release(self, origin: tuple[str, str, int], connection: _Connection) -> None:
        idle = self._idle[origin]
        if self._closed or not connection.reusable or len(idle) >= self._max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def _connect(self, origin: tuple[str, str, int], request: httpx.Request,
                       timeout: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        context = None
        if scheme == "https":
            context = self._ssl if self._ssl is not None else httpx.create_ssl_context()
        try:
            _, connection = await asyncio.wait_for(loop.create_connection(
                lambda: _Connection(self._max_response), host, port, ssl=context,
                server_hostname=host if context else None), timeout)
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout("timed out connecting to the push service", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        self.connections_opened += 1
        return connection


def _request_head(request: httpx.Request) -> bytes:
    lines = [request.method.encode("ascii") + b" " + request.url.raw_path + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    if any(_FORBIDDEN.search(line) for line in lines):
        # A line break in a header or the path would let one request smuggle another.
        raise httpx.LocalProtocolError("a header or the path contains a control character", request=request)
    return b"\r\n".join(lines) + b"\r\n\r\n"


_FORBIDDEN = re.compile(rb"[\r\n\0]")


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; one request at a time."""

    def __init__(self, max_response_bytes: int) -> None:
        self._max_response = max_response_bytes
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._request: httpx.Request | None = None
        self._writable: asyncio.Future[None] | None = None
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._size = 0
        self._headers_complete = False
        self._complete = False
        self._keep_alive = False
        self._status = 0
        self.http_version = "1.1"
        self.reusable = False
        self.idle_since = 0.0

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self.reusable = True

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._complete:
            # Bytes nobody asked for: the connection can't be trusted with another request.
            self.reusable = False
            self.close()
            return
        self._size += len(data)
        if self._size > self._max_response:
            self._fail(httpx.RemoteProtocolError(
                f"the push service's answer is larger than max_response_bytes ({self._max_response})",
                request=self._request))
            return
        try:
            self._parser.feed_data(data)
        except _AnswerOver:  # bytes after the answer: it stands, the connection is not reused
            self.reusable = False
            self.close()
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self._fail(httpx.RemoteProtocolError(f"the push service's answer is not HTTP/1.1: {exc!r}",
                                                 request=self._request))

    def eof_received(self) -> bool | None:
        self.reusable = False
        return None  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._transport = None
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        if self._waiter is None or self._complete:
            return
        if self._headers_complete and not self._framed():
            self.on_message_complete()  # an answer with neither length nor chunks ends with the connection
            return
        message = "Server disconnected in the middle of the response" if self._headers_complete else \
            "Server disconnected without sending a response"
        self._fail(httpx.RemoteProtocolError(message, request=self._request))

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # -- httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._complete:  # a second answer to one request: it must not rewrite the first
            raise _AnswerOver

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._headers_complete = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._complete = True
        self._status = self._parser.get_status_code()
        # Asked here: llhttp answers for the message being parsed, not after it.
        self.http_version = self._parser.get_http_version()
        self._keep_alive = self._parser.should_keep_alive() and self.http_version == "1.1"
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- one exchange --------------------------------------------------------------------------

    async def exchange(self, data: bytes, request: httpx.Request,
                       timeouts: dict) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        if self._transport is None or self._transport.is_closing():
            raise httpx.RemoteProtocolError("the connection to the push service was closed", request=request)
        loop = asyncio.get_running_loop()
        self._request = request
        self._waiter = loop.create_future()
        self._reason, self._headers, self._body, self._size = b"", [], [], 0
        self._headers_complete = self._complete = self._keep_alive = False
        self.reusable = False  # until the whole answer is in
        self._transport.write(data)
        try:
            if self._writable is not None:
                await self._wait(self._writable, timeouts.get("write"), httpx.WriteTimeout, request)
            await self._wait(self._waiter, timeouts.get("read"), httpx.ReadTimeout, request)
        except BaseException:
            if not self._waiter.done():  # nobody will await it: no "exception never retrieved" later
                self._waiter.cancel()
            raise
        self._waiter = None
        if self._status < 200:  # 1xx: interim answers (or an upgrade) are nothing a push request asks for
            self.close()
            raise httpx.RemoteProtocolError(f"the push service answered {self._status}, not a final answer",
                                            request=request)
        self.reusable = self._transport is not None and not self._transport.is_closing() and self._keep_alive
        return self._status, self._reason, self._headers

    def still_open(self) -> bool:
        """Whether this idle connection can take a request. Its socket is asked too: the loop may
        not have read the push service's close yet (a busy loop is why this transport exists), and
        an idle socket with anything to read is closed, or has bytes nobody asked for."""
        if not self.reusable or self._transport is None or self._transport.is_closing():
            return False
        sock = self._transport.get_extra_info("socket")
        return sock is None or not _readable(sock.fileno())

    def take_body(self) -> bytes:
        body, self._body = b"".join(self._body), []
        return body

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    @staticmethod
    async def _wait(future: asyncio.Future, timeout: float | None, error: type[httpx.TimeoutException],
                    request: httpx.Request) -> None:
        if timeout is None:
            await future
            return
        timer = asyncio.get_running_loop().call_later(timeout, _expire, future, error, request)
        try:
            await future
        finally:
            timer.cancel()

    def _framed(self) -> bool:
        return any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in self._headers)

    def _fail(self, error: Exception) -> None:
        self.reusable = False
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        if self._transport is not None:
            self._transport.close()


def _readable(fd: int) -> bool:
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _AnswerOver(Exception):
    """Raised from the parser when a second message starts after the answer was complete."""


def _expire(future: asyncio.Future, error: type[httpx.TimeoutException], request: httpx.Request) -> None:
    if not future.done():
        future.set_exception(error("the push service did not answer in time", request=request))
