"""Whom a per-client rate limit counts."""

from __future__ import annotations

from starlette.requests import Request

from reportit.limits import client_key


def _from(host: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], "client": (host, 443)})


def test_addresses_in_one_ipv6_64_share_a_limit():
    """A phone is given a whole /64: rotating addresses inside it must not buy a fresh allowance."""
    assert client_key(_from("2001:db8:1:2::1")) == client_key(_from("2001:db8:1:2:ffff::9")) == "2001:db8:1:2::/64"
    assert client_key(_from("2001:db8:1:3::1")) != client_key(_from("2001:db8:1:2::1"))


def test_ipv4_addresses_count_one_by_one_also_when_mapped_into_ipv6():
    assert client_key(_from("192.0.2.7")) == "192.0.2.7"
    assert client_key(_from("::ffff:192.0.2.7")) == "192.0.2.7"
    assert client_key(_from("192.0.2.8")) != client_key(_from("192.0.2.7"))
