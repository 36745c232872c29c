"""An S3-compatible server on loopback (moto's server mode) and buckets on it, for running the
photo storage against object storage as well as a directory. Registered by the root conftest."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing", "region": "eu-west-2"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ObjectServer:
    """One moto server; `stop()` and `start()` let a test take the store away mid-request."""

    port: int
    server: ThreadedMotoServer

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What a `reportit serve` process needs to reach it: the usual AWS_* variables."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": CREDENTIALS["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": CREDENTIALS["secret_access_key"], "AWS_REGION": CREDENTIALS["region"],
                "AWS_ALLOW_HTTP": "true"}

    def new_bucket(self) -> str:
        name = f"photos-{secrets.token_hex(6)}"
        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=CREDENTIALS["access_key_id"],
                              aws_secret_access_key=CREDENTIALS["secret_access_key"], region_name=CREDENTIALS["region"])
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region"]})
        return name

    def store(self, url: str):
        from reportit.reports.object_store import S3PhotoStore

        return S3PhotoStore.from_url(url, endpoint=self.endpoint, **CREDENTIALS)

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        """Start again on the same port; moto keeps its buckets in this process's memory."""
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()


@pytest.fixture(scope="session")
def object_server() -> Iterator[ObjectServer]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    running = ObjectServer(port, server)
    yield running
    running.server.stop()
