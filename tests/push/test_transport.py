"""PushTransport (push/transport.py) through httpx.AsyncClient, against raw servers on loopback.

Each server is a plain asyncio stream handler, so a test decides the exact bytes a push service
answers with (keep-alive, Connection: close, chunks, no length, garbage, silence, too much) and sees
the exact bytes of each request; TLS servers use a certificate authority made for the test run.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import AsyncIterator

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reportit.push import delivery
from reportit.push.transport import PushTransport, direct_connections_allowed

TIMEOUT = httpx.Timeout(5.0)  # nothing here should take a fraction of that; it only stops a broken test hanging
CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 11\r\n\r\n{\"id\":\"m1\"}"
PUSH_HEADERS = {"TTL": "2419200", "Urgency": "normal", "Content-Encoding": "aes128gcm"}


# -- raw servers -------------------------------------------------------------------------------


@dataclass
class Received:
    line: bytes  # b"POST /path?query HTTP/1.1"
    headers: dict[bytes, bytes]  # names lower-cased
    body: bytes


@dataclass
class RawServer:
    port: int
    requests: list[Received] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted
    hangups: int = 0  # connections the client closed (the server read EOF between requests)
    closed_by_server: int = 0  # connections the server closed (Peer.close)

    def url(self, path: str = "/wpush/v2/abc", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


class Peer:
    """The server's end of one accepted connection."""

    def __init__(self, server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server, self.reader, self.writer = server, reader, writer

    async def request(self) -> Received | None:
        """The next request (also kept in server.requests), or None when the client hung up."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.server.hangups += 1
            return None
        line, *fields = head[:-4].split(b"\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (f.partition(b":") for f in fields)}
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n"))[:-2], 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = b""
        received = Received(line, headers, body)
        self.server.requests.append(received)
        return received

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()
        self.server.closed_by_server += 1


Handler = Callable[[Peer], Awaitable[None]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[RawServer]]]:
    """serve(handler, tls=None) starts a server on 127.0.0.1 calling handler(peer) per connection."""
    servers: list[asyncio.Server] = []
    tasks: set[asyncio.Task] = set()
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: Handler, tls: ssl.SSLContext | None = None) -> RawServer:
        raw = RawServer(port=0)

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw.connections += 1
            tasks.add(asyncio.current_task())  # type: ignore[arg-type]
            writers.append(writer)
            try:
                await handler(Peer(raw, reader, writer))
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(connected, "127.0.0.1", 0, ssl=tls)
        servers.append(server)
        raw.port = server.sockets[0].getsockname()[1]
        return raw

    yield start
    for server in servers:
        server.close()
    for writer in writers:
        writer.close()  # ends any handler still waiting for a request
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    for server in servers:
        await server.wait_closed()


def keep_alive(answer: bytes = CREATED) -> Handler:
    """Answers every request on the connection with `answer`, until the client hangs up."""
    async def handler(peer: Peer) -> None:
        while await peer.request() is not None:
            await peer.send(answer)
    return handler


def answer_once_then_close(answer: bytes) -> Handler:
    async def handler(peer: Peer) -> None:
        await peer.request()
        await peer.send(answer)
        await peer.close()
    return handler


def client(transport: PushTransport | None = None, timeout: httpx.Timeout = TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport or PushTransport(), timeout=timeout)


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    assert condition()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- TLS: a certificate authority and a certificate for 127.0.0.1 made for this run --------------------


@dataclass(frozen=True)
class Certificates:
    authority: bytes  # PEM
    server_chain: bytes  # PEM: the server's certificate, then its key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="session")
def certificates() -> Certificates:
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Report It test CA")).issuer_name(_name("Report It test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    key = server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    return Certificates(ca.public_bytes(serialization.Encoding.PEM), leaf.public_bytes(serialization.Encoding.PEM) + key)


@pytest.fixture
def server_tls(certificates, tmp_path) -> ssl.SSLContext:
    chain = tmp_path / "server.pem"
    chain.write_bytes(certificates.server_chain)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    return context


@pytest.fixture
def trusting(certificates) -> ssl.SSLContext:
    """A client context that trusts the test authority, as the sender's trusts the public ones."""
    return ssl.create_default_context(cadata=certificates.authority.decode())


# -- an answer, and the request behind it --------------------------------------------------------


async def test_a_201_arrives_with_status_headers_and_body_and_the_request_is_sent_as_given(serve):
    server = await serve(keep_alive())
    async with client() as http:
        response = await http.post(server.url("/wpush/v2/abc?ttl=1"), content=b"\x00encrypted\xff", headers=PUSH_HEADERS)

    assert response.status_code == 201 and response.reason_phrase == "Created"
    assert response.headers["location"] == "/m/1"
    assert response.json() == {"id": "m1"}
    assert response.http_version == "HTTP/1.1"
    [request] = server.requests
    assert request.line == b"POST /wpush/v2/abc?ttl=1 HTTP/1.1"
    assert request.headers[b"host"] == f"127.0.0.1:{server.port}".encode()
    assert request.headers[b"content-length"] == b"11"
    assert request.headers[b"ttl"] == b"2419200"
    assert request.headers[b"urgency"] == b"normal"
    assert request.headers[b"content-encoding"] == b"aes128gcm"
    assert request.body == b"\x00encrypted\xff"


async def test_an_answer_dribbled_a_byte_at_a_time_is_read_whole(serve):
    async def dribble(peer: Peer) -> None:
        while await peer.request() is not None:
            for i in range(len(CREATED)):
                await peer.send(CREATED[i:i + 1])
                await asyncio.sleep(0)

    server = await serve(dribble)
    async with client() as http:
        responses = [await http.post(server.url(), content=b"x") for _ in range(2)]

    assert [(r.status_code, r.reason_phrase, r.headers["location"], r.content) for r in responses] == \
        [(201, "Created", "/m/1", b'{"id":"m1"}')] * 2
    assert server.connections == 1


async def test_a_streamed_request_body_is_framed_as_its_headers_say(serve):
    async def parts() -> AsyncIterator[bytes]:
        yield b"first "
        yield b"second"

    server = await serve(keep_alive())
    async with client() as http:
        response = await http.post(server.url(), content=parts())
        again = await http.post(server.url(), content=b"next")

    assert (response.status_code, again.status_code) == (201, 201)
    assert [r.body for r in server.requests] == [b"first second", b"next"]
    assert server.connections == 1


# -- keeping connections alive -------------------------------------------------------------------


async def test_sequential_requests_to_one_push_service_share_one_connection(serve):
    server = await serve(keep_alive())
    transport = PushTransport()
    async with client(transport) as http:
        statuses = [(await http.post(server.url(f"/wpush/v2/{i}"), content=b"x")).status_code for i in range(5)]

    assert statuses == [201] * 5
    assert [r.line for r in server.requests] == [f"POST /wpush/v2/{i} HTTP/1.1".encode() for i in range(5)]
    assert server.connections == 1 and transport.connections_opened == 1


async def test_concurrent_requests_open_one_connection_each_and_keep_them_for_later(serve):
    server = await serve(keep_alive())
    transport = PushTransport()
    async with client(transport) as http:
        responses = await asyncio.gather(*(http.post(server.url(), content=b"x") for _ in range(3)))
        assert server.connections == 3 and transport.connections_opened == 3
        for _ in range(3):
            await http.post(server.url(), content=b"x")

    assert [r.status_code for r in responses] == [201] * 3
    assert len(server.requests) == 6
    assert server.connections == 3 and transport.connections_opened == 3


async def test_no_more_idle_connections_are_kept_than_max_idle_per_origin(serve):
    server = await serve(keep_alive())
    transport = PushTransport(max_idle_per_origin=1)
    async with client(transport) as http:
        await asyncio.gather(*(http.post(server.url(), content=b"x") for _ in range(3)))
        await eventually(lambda: server.hangups == 2)
        await http.post(server.url(), content=b"x")

    assert server.connections == 3 and len(server.requests) == 4


async def test_each_origin_gets_its_own_connection(serve):
    first, second = await serve(keep_alive()), await serve(keep_alive())
    transport = PushTransport()
    async with client(transport) as http:
        for server in (first, second, first, second):
            assert (await http.post(server.url(), content=b"x")).status_code == 201

    assert (first.connections, second.connections) == (1, 1)
    assert (len(first.requests), len(second.requests)) == (2, 2)
    assert transport.connections_opened == 2


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 201 Created\r\nContent-Length: 2\r\n\r\nok",
], ids=["connection-close", "http-1.0"])
async def test_a_connection_the_push_service_will_close_is_not_used_again(serve, answer):
    server = await serve(keep_alive(answer))  # it would in fact answer again: the transport must not ask
    transport = PushTransport()
    async with client(transport) as http:
        first = await http.post(server.url(), content=b"x")
        second = await http.post(server.url(), content=b"x")

    assert (first.status_code, first.content, second.status_code, second.content) == (201, b"ok", 201, b"ok")
    assert first.http_version == answer[:8].decode()
    assert server.connections == 2 and transport.connections_opened == 2
    assert len(server.requests) == 2


async def test_after_connection_close_the_next_request_opens_a_new_connection(serve):
    server = await serve(answer_once_then_close(b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
    async with client() as http:
        statuses = [(await http.post(server.url(), content=b"x")).status_code for _ in range(3)]

    assert statuses == [201] * 3
    assert server.connections == 3 and len(server.requests) == 3


async def test_a_connection_idle_past_keepalive_expiry_is_closed_not_reused(serve):
    server = await serve(keep_alive())
    transport = PushTransport(keepalive_expiry=0.05)
    async with client(transport) as http:
        await http.post(server.url(), content=b"x")
        await asyncio.sleep(0.2)
        response = await http.post(server.url(), content=b"x")

        assert response.status_code == 201
        assert server.connections == 2 and transport.connections_opened == 2
        await eventually(lambda: server.hangups == 1)  # the expired one was closed, not leaked


async def test_an_idle_connection_the_push_service_closed_is_not_reused(serve):
    server = await serve(answer_once_then_close(CREATED))  # keep-alive headers, then a close while idle
    transport = PushTransport()
    async with client(transport) as http:
        for _ in range(3):
            closed = server.closed_by_server
            assert (await http.post(server.url(), content=b"x")).status_code == 201
            await eventually(lambda closed=closed: server.closed_by_server == closed + 1)  # then ask again at once

    assert server.connections == 3 and transport.connections_opened == 3


async def test_a_connection_closed_while_idle_is_noticed_even_before_the_loop_reads_the_close(serve):
    """The push service's FIN is in the socket but the (busy) loop has not read it yet: the
    connection must not be handed a request that can only fail."""
    may_close = asyncio.Event()

    async def answer_then_close_when_told(peer: Peer) -> None:
        await peer.request()
        await peer.send(CREATED)
        await may_close.wait()
        await peer.close()

    server = await serve(answer_then_close_when_told)
    transport = PushTransport()
    async with client(transport) as http:
        assert (await http.post(server.url(), content=b"x")).status_code == 201
        [[idle]] = transport._idle.values()  # noqa: SLF001
        idle._transport.pause_reading()  # noqa: SLF001 - the loop won't read from it, as if too busy to
        may_close.set()
        await eventually(lambda: server.closed_by_server == 1)
        response = await http.post(server.url(), content=b"x")

    assert response.status_code == 201
    assert server.connections == 2 and len(server.requests) == 2


# -- how answers end -----------------------------------------------------------------------------


async def test_a_chunked_answer_is_read_in_full_and_the_connection_kept(serve):
    answer = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    server = await serve(keep_alive(answer))
    async with client() as http:
        bodies = [(await http.post(server.url(), content=b"x")).content for _ in range(2)]

    assert bodies == [b"hello world"] * 2
    assert server.connections == 1


async def test_an_answer_without_length_ends_when_the_push_service_closes(serve):
    async def unframed(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n")
        await peer.send(b"invalid ")
        await asyncio.sleep(0.05)
        await peer.send(b"JWT")
        await peer.close()

    server = await serve(unframed)
    async with client() as http:
        first = await http.post(server.url(), content=b"x")
        second = await http.post(server.url(), content=b"x")

    assert (first.status_code, first.text) == (400, "invalid JWT")
    assert (second.status_code, second.text) == (400, "invalid JWT")
    assert server.connections == 2


def answer_of(size: int) -> bytes:
    """A 200 of exactly `size` bytes, head and body."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %04d\r\n\r\n"  # "%04d" is as long as the 4 digits it becomes
    return head % (size - len(head)) + b"a" * (size - len(head))


async def test_an_answer_of_max_response_bytes_is_read(serve):
    answer = answer_of(1024)
    assert len(answer) == 1024
    server = await serve(keep_alive(answer))
    async with client(PushTransport(max_response_bytes=1024)) as http:
        responses = [await http.post(server.url(), content=b"x") for _ in range(2)]

    assert [r.content for r in responses] == [answer[answer.index(b"\r\n\r\n") + 4:]] * 2
    assert server.connections == 1


@pytest.mark.parametrize("answer", [
    answer_of(1025),
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + (b"100\r\n" + b"a" * 256 + b"\r\n") * 8 + b"0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n" + b"a" * 100_000,
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + b"X-Filler: " + b"a" * 100_000 + b"\r\n\r\n",
], ids=["one-byte-too-many", "chunked", "unframed", "headers"])
async def test_an_answer_larger_than_max_response_bytes_is_refused_and_its_connection_dropped(serve, answer):
    server = await serve(keep_alive(answer))
    transport = PushTransport(max_response_bytes=1024)
    async with client(transport) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="larger than max_response_bytes"):
            await http.post(server.url(), content=b"x")
        await eventually(lambda: server.hangups == 1)  # dropped, not drained and kept

    assert server.connections == 1 and transport.connections_opened == 1


# -- failures map to httpx's exceptions --------------------------------------------------------------


async def test_garbage_instead_of_http_is_a_remote_protocol_error(serve):
    async def ssh(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await peer.reader.read()

    server = await serve(ssh)
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(server.url(), content=b"x")

    assert len(server.requests) == 1


async def test_bytes_after_the_answer_cannot_rewrite_it_and_the_connection_is_not_reused(serve):
    """A second answer to one request (a broken push service or middlebox): the first stands, the
    connection is dropped, and the next request goes out on a new one (not read from the leftovers)."""
    server = await serve(keep_alive(CREATED + b"HTTP/1.1 500 Oops\r\nX-Extra: 1\r\nContent-Length: 0\r\n\r\n"))
    transport = PushTransport()
    async with client(transport) as http:
        first = await http.post(server.url(), content=b"x")
        second = await http.post(server.url(), content=b"y")

    assert (first.status_code, first.reason_phrase, first.content) == (201, "Created", b'{"id":"m1"}')
    assert "x-extra" not in first.headers
    assert second.status_code == 201
    assert transport.connections_opened == server.connections == 2


async def test_an_upgrade_answer_is_a_remote_protocol_error(serve):
    server = await serve(keep_alive(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"))
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(server.url(), content=b"x")


async def test_a_push_service_closing_without_answering_is_a_remote_protocol_error(serve):
    async def hang_up(peer: Peer) -> None:
        await peer.request()
        await peer.close()

    server = await serve(hang_up)
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await http.post(server.url(), content=b"x")

    assert len(server.requests) == 1


async def test_a_push_service_closing_in_the_middle_of_the_body_is_a_remote_protocol_error(serve):
    server = await serve(answer_once_then_close(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\npartial"))
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError, match="in the middle of the response"):
            await http.post(server.url(), content=b"x")


async def test_a_silent_push_service_is_a_read_timeout_and_its_connection_dropped(serve):
    async def silent(peer: Peer) -> None:
        while await peer.request() is not None:
            pass  # no answer; the next read ends when the client hangs up

    server = await serve(silent)
    async with client(timeout=httpx.Timeout(5, read=0.2)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await asyncio.wait_for(http.post(server.url(), content=b"x"), 5)  # no read timeout: fail, don't hang
        await eventually(lambda: server.hangups == 1)

    assert len(server.requests) == 1


async def test_a_refused_connection_is_a_connect_error():
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.post(f"http://127.0.0.1:{closed_port()}/wpush/v2/abc", content=b"x")


async def test_a_tls_handshake_that_never_finishes_is_a_connect_timeout(serve):
    async def silent(peer: Peer) -> None:
        await peer.reader.read()

    server = await serve(silent)
    async with client(timeout=httpx.Timeout(5, connect=0.2)) as http:
        with pytest.raises(httpx.ConnectTimeout):
            await asyncio.wait_for(http.post(server.url(scheme="https"), content=b"x"), 5)


@pytest.mark.parametrize("headers", [
    {"TTL": "60\r\nX-Smuggled: 1"},
    {"Topic": "a\nb"},
    {"X-Smuggled\r\nTTL": "60"},
    {"Urgency": "high\0"},
])
async def test_a_line_break_in_a_header_sends_nothing(serve, headers):
    server = await serve(keep_alive())
    async with client() as http:
        with pytest.raises(httpx.LocalProtocolError):
            await http.post(server.url(), content=b"x", headers=headers)
        assert (await http.post(server.url(), content=b"after")).status_code == 201

    assert [r.body for r in server.requests] == [b"after"]
    assert server.connections == 1


async def test_a_line_break_in_the_path_sends_nothing(serve):
    server = await serve(keep_alive())
    async with client() as http:
        with pytest.raises((httpx.LocalProtocolError, httpx.InvalidURL)):
            await http.post(server.url("/wpush/v2/abc\r\nX-Smuggled: 1"), content=b"x")

    assert server.connections == 0 and server.requests == []


async def test_an_ftp_url_is_an_unsupported_protocol():
    async with client() as http:
        with pytest.raises(httpx.UnsupportedProtocol):
            await http.post("ftp://127.0.0.1/wpush/v2/abc", content=b"x")


# -- TLS -----------------------------------------------------------------------------------------


async def test_tls_to_a_trusted_push_service_through_the_sender_s_client(serve, server_tls, trusting):
    server = await serve(keep_alive(), tls=server_tls)
    http = delivery.push_client(trusting, TIMEOUT, origins=4)
    transport = http._transport  # noqa: SLF001
    assert isinstance(transport, PushTransport)
    async with http:
        responses = [await http.post(server.url(scheme="https"), content=b"secret", headers=PUSH_HEADERS)
                     for _ in range(3)]

    assert [(r.status_code, r.content) for r in responses] == [(201, b'{"id":"m1"}')] * 3
    assert [r.body for r in server.requests] == [b"secret"] * 3
    assert server.requests[0].headers[b"host"] == f"127.0.0.1:{server.port}".encode()
    assert server.connections == 1 and transport.connections_opened == 1


async def test_an_untrusted_certificate_is_a_connect_error_and_nothing_is_sent(serve, server_tls):
    server = await serve(keep_alive(), tls=server_tls)
    async with client(PushTransport(ssl_context=ssl.create_default_context())) as http:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await http.post(server.url(scheme="https"), content=b"secret")

    assert server.requests == []


async def test_a_certificate_for_another_name_is_a_connect_error(serve, server_tls, trusting):
    server = await serve(keep_alive(), tls=server_tls)
    async with client(PushTransport(ssl_context=trusting)) as http:
        with pytest.raises(httpx.ConnectError):
            await http.post(f"https://localhost:{server.port}/wpush/v2/abc", content=b"secret")

    assert server.requests == []


async def test_an_idle_tls_connection_the_push_service_closed_is_not_reused(serve, server_tls, trusting):
    server = await serve(answer_once_then_close(CREATED), tls=server_tls)
    transport = PushTransport(ssl_context=trusting)
    async with client(transport) as http:
        for _ in range(3):
            closed = server.closed_by_server
            assert (await http.post(server.url(scheme="https"), content=b"x")).status_code == 201
            await eventually(lambda closed=closed: server.closed_by_server == closed + 1)

    assert server.connections == 3 and transport.connections_opened == 3


# -- proxies, and closing ----------------------------------------------------------------------------


@pytest.fixture
def no_proxies(monkeypatch) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


async def test_without_a_proxy_the_sender_uses_this_transport(no_proxies):
    assert direct_connections_allowed() is True
    http = delivery.push_client(ssl.create_default_context(), TIMEOUT, origins=4)
    async with http:
        assert isinstance(http._transport, PushTransport)  # noqa: SLF001


@pytest.mark.parametrize("variable, url", [
    ("HTTPS_PROXY", "https://fcm.googleapis.com/fcm/send/abc"),
    ("https_proxy", "https://fcm.googleapis.com/fcm/send/abc"),
    ("ALL_PROXY", "https://fcm.googleapis.com/fcm/send/abc"),
    ("HTTP_PROXY", "http://127.0.0.1:8080/push"),  # httpx proxies only http:// with it; the sender stays careful
])
async def test_with_a_proxy_the_sender_uses_httpx_s_transport_which_honours_it(no_proxies, monkeypatch, variable, url):
    monkeypatch.setenv(variable, "http://127.0.0.1:3128")

    assert direct_connections_allowed() is False
    http = delivery.push_client(ssl.create_default_context(), TIMEOUT, origins=4)
    async with http:
        assert not isinstance(http._transport, PushTransport)  # noqa: SLF001
        route = http._transport_for_url(httpx.URL(url))  # noqa: SLF001
        assert isinstance(route._pool, httpcore.AsyncHTTPProxy)  # noqa: SLF001


async def test_closing_the_transport_closes_its_idle_connections(serve):
    server = await serve(keep_alive())
    transport = PushTransport()
    async with client(transport) as http:
        await asyncio.gather(*(http.post(server.url(), content=b"x") for _ in range(2)))
        assert server.hangups == 0
        await transport.aclose()

        await eventually(lambda: server.hangups == 2)
        with pytest.raises(RuntimeError):
            await http.post(server.url(), content=b"x")
