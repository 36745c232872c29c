"""The bench's local push service, in its own process: lean, so that the bench measures the sender.

It speaks TLS (a certificate from a test CA made with trustme) with HTTP/2 and HTTP/1.1, as ALPN
decides, like FCM, Mozilla's and Apple's push services, on uvloop with `httptools` (HTTP/1.1, the
parser uvicorn uses) and `h2` (HTTP/2) directly under one small asyncio protocol. hypercorn, which
the tests' strict mock (tests/push/mock_push.py) runs on, cost 240 µs of CPU per request over
HTTP/1.1 and 590 µs over HTTP/2 on this machine: on a 2-core machine shared with the sender, that
was the service being measured, not the sender. The rules checked are the same (LocalPushService).
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
import httptools

DECRYPT_EVERY = 50


class LocalPushService:
    """The push service's rules: POST /push/ok/<name> -> 201 when the request is well formed.

    GET /stats gives the counts; GET /arrival/<name> the wall-clock time a name's request came in.
    """

    def __init__(self, origin: str, vapid_key: str, private_pem: bytes, auth: bytes) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.origin = origin
        self.vapid_key = vapid_key
        self.public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64decode(vapid_key))
        self.private_key = serialization.load_pem_private_key(private_pem, password=None)
        self.auth = auth
        self.tokens: dict[str, float] = {}  # verified JWT -> its exp
        self.arrivals: dict[str, float] = {}
        self.stats = {"received": 0, "accepted": 0, "refused": 0, "jwt_verified": 0, "decrypted": 0}
        self.problems: list[str] = []

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """The answer to one request (`headers` with lower-case names)."""
        if method == "POST" and path.startswith("/push/ok/"):
            self.arrivals[path.removeprefix("/push/ok/")] = time.time()
            status, text = self.check(headers, body)
        elif path == "/stats":
            status, text = 200, json.dumps({**self.stats, "problems": self.problems[:5]})
        elif path.startswith("/arrival/"):
            when = self.arrivals.get(path.removeprefix("/arrival/"))
            status, text = (200, json.dumps(when)) if when else (404, "")
        else:
            status, text = 404, ""
        return status, text.encode()

    def check(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        self.stats["received"] += 1
        status, problem = self._check(headers, body)
        if status == 201:
            self.stats["accepted"] += 1
        else:
            self.stats["refused"] += 1
            if len(self.problems) < 20:
                self.problems.append(f"{status}: {problem}")
        return status, problem

    def _check(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        import http_ece
        import jwt

        scheme, _, params = headers.get("authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if scheme.lower() != "vapid" or fields.get("k") != self.vapid_key:
            return 403, "VAPID key missing or not the subscription's"
        token = fields.get("t", "")
        expires = self.tokens.get(token)
        if expires is None:
            try:
                claims = jwt.decode(token, self.public_key, algorithms=["ES256"],
                                    audience=[self.origin, self.origin.rsplit(":", 1)[0]],
                                    options={"require": ["exp", "aud", "sub"]})
            except jwt.PyJWTError as exc:
                return 401, f"VAPID JWT invalid: {exc}"
            if claims["exp"] > time.time() + 24 * 3600 or not str(claims["sub"]).startswith(("mailto:", "https:")):
                return 401, "VAPID JWT exp or sub out of bounds"
            self.stats["jwt_verified"] += 1
            expires = self.tokens[token] = claims["exp"]
        if expires < time.time():
            return 401, "VAPID JWT expired"
        if not headers.get("ttl", "").isdigit():
            return 400, "TTL missing"
        if headers.get("content-encoding") != "aes128gcm":
            return 415, "Content-Encoding must be aes128gcm"
        if len(body) > 4096:
            return 413, "too large"
        if self.stats["received"] % DECRYPT_EVERY == 1:
            try:
                message = json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                                      version="aes128gcm"))
                assert message["web_push"] == 8030 and message["notification"]["title"]
            except Exception as exc:
                return 400, f"cannot decrypt: {exc!r}"
            self.stats["decrypted"] += 1
        return 201, ""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushProtocol(asyncio.Protocol):
    """One TLS connection: HTTP/2 if ALPN chose it, else HTTP/1.1 (keep-alive, pipelining)."""

    def __init__(self, service: LocalPushService) -> None:
        self.service = service
        self.transport: asyncio.Transport | None = None
        self.h2: h2.connection.H2Connection | None = None
        self.parser: httptools.HttpRequestParser | None = None
        self.streams: dict[int, tuple[dict[str, str], list[bytes]]] = {}
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []

    def connection_made(self, transport) -> None:  # after the TLS handshake
        self.transport = transport
        tls = transport.get_extra_info("ssl_object")
        if tls is not None and tls.selected_alpn_protocol() == "h2":
            self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
            self.h2.local_settings = h2.settings.Settings(client=False, initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 24})
            self.h2.initiate_connection()
            self.h2.increment_flow_control_window(1 << 30)  # no waits for WINDOW_UPDATE (push bodies are <= 4 KB)
            transport.write(self.h2.data_to_send())
        else:
            self.parser = httptools.HttpRequestParser(self)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if self.h2 is None:
            try:
                self.parser.feed_data(data)  # type: ignore[union-attr]
            except httptools.HttpParserError:
                self.transport.close()
            return
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.transport.write(self.h2.data_to_send())
            self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.streams[event.stream_id] = (
                    {k.decode("latin-1"): v.decode("latin-1") for k, v in event.headers}, [])
            elif isinstance(event, h2.events.DataReceived):
                self.streams[event.stream_id][1].append(event.data)
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                headers, body = self.streams.pop(event.stream_id)
                status, data = self.service.respond(headers.get(":method", ""), headers.get(":path", ""), headers,
                                                    b"".join(body))
                self.h2.send_headers(event.stream_id, [(":status", str(status)), ("content-length", str(len(data)))],
                                     end_stream=not data)
                if data:
                    self.h2.send_data(event.stream_id, data, end_stream=True)
        self.transport.write(self.h2.data_to_send())

    # httptools callbacks (HTTP/1.1)
    def on_message_begin(self) -> None:
        self._url, self._headers, self._body = b"", {}, []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        assert self.transport is not None and self.parser is not None
        status, data = self.service.respond(self.parser.get_method().decode(), self._url.decode("latin-1"),
                                            self._headers, b"".join(self._body))
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-length: %d\r\n\r\n%s"
                             % (status, b"OK" if status < 400 else b"Refused", len(data), data))
        if not self.parser.should_keep_alive():
            self.transport.close()


def serve(vapid_key: str, private_pem: bytes, auth: bytes, certfile: str, ports) -> None:
    """The process's entry point: serves until terminated; puts its port on `ports` once listening."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        uvloop = None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    service = LocalPushService(f"https://127.0.0.1:{port}", vapid_key, private_pem, auth)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile)
    context.set_alpn_protocols(["h2", "http/1.1"])

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(lambda: PushProtocol(service), "127.0.0.1", port,
                                                                ssl=context, backlog=1024)
        ports.put(port)
        async with server:
            await server.serve_forever()

    if uvloop is not None:
        uvloop.run(run())
    else:
        asyncio.run(run())
