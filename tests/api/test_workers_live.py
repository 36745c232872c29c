"""`reportit serve --workers 2`: a bounded load of reports over both workers, some sent twice as a
phone on a bad signal does, ends with every report stored exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.conftest import running_server, separate_env
from tests.photo_samples import jpeg_with_exif

REPORTS = 60
REPEATED = 15  # of them sent a second time with the same Idempotency-Key


def test_two_workers_store_every_report_once_however_often_it_is_sent(server_env, tmp_path):
    photo = jpeg_with_exif(width=320, height=240)
    with running_server(separate_env(server_env, tmp_path), workers=2) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        keys = [str(uuid.uuid4()) for _ in range(REPORTS)]
        sends = keys + keys[:REPEATED]

        def send(key: str) -> tuple[str, int, str]:
            content_type, parts = multipart(pothole(description=f"Report {key}"), [("photo.jpg", photo)])
            with httpx.Client(timeout=120) as fresh_connection:  # spread over both workers
                response = fresh_connection.post(f"{url}/api/reports", content=b"".join(parts), headers={
                    "Content-Type": content_type, "Authorization": f"Bearer {token}", "Idempotency-Key": key})
            return key, response.status_code, response.json().get("reference", response.text)

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(send, sends))
        mine = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()

    assert all(status in (200, 201) for _, status, _ in answers), answers
    assert sum(status == 201 for _, status, _ in answers) == REPORTS
    reference_of: dict[str, set[str]] = {}
    for key, _, reference in answers:
        reference_of.setdefault(key, set()).add(reference)
    assert all(len(references) == 1 for references in reference_of.values())  # a repeat got the same report
    stored = mine["reports"] if isinstance(mine, dict) else mine
    assert sorted(r["reference"] for r in stored) == sorted(next(iter(refs)) for refs in reference_of.values())


def test_connections_opened_together_are_spread_over_both_workers(server_env, tmp_path):
    """A proxy opens its keep-alive connections to the workers together, and keeps them. With one
    shared listening socket, a worker that happened to be busy at that moment (here: stopped)
    got none of them and the other got all, for as long as they lasted. Each worker on its own
    socket (SO_REUSEPORT) gets its share, served as soon as it is free."""
    with running_server(separate_env(server_env, tmp_path), workers=2) as (url, process):
        port = int(url.rsplit(":", 1)[1])
        time.sleep(1)  # both workers listening (the server answered as soon as one was)
        busy = workers_of(process.pid)[0]
        os.kill(busy, signal.SIGSTOP)
        try:
            connections = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(16)]
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            time.sleep(0.5)  # the free worker takes what it is given
        finally:
            os.kill(busy, signal.SIGCONT)
        try:
            assert all(connection.recv(100).startswith(b"HTTP/1.1 200") for connection in connections)
            held = connections_held_by_each_worker(process.pid, port)
        finally:
            for connection in connections:
                connection.close()
    assert sum(held.values()) == 16, held
    assert len(held) == 2 and min(held.values()) >= 3, held  # a hash of 16 client ports: 8 each on average


def workers_of(parent: int) -> list[int]:
    """The web worker processes under `reportit serve --workers N` (not multiprocessing's helper)."""
    children: list[int] = []
    for task in os.listdir(f"/proc/{parent}/task"):
        with open(f"/proc/{parent}/task/{task}/children") as f:
            children += [int(pid) for pid in f.read().split()]
    with_sockets = []
    for child in children:
        with open(f"/proc/{child}/cmdline", "rb") as f:
            if b"resource_tracker" not in f.read():
                with_sockets.append(child)
    return with_sockets


def connections_held_by_each_worker(parent: int, port: int) -> dict[int, int]:
    """Established connections to `port`, counted per worker process of `parent` (from /proc)."""
    established: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                    established.add(fields[9])  # the socket's inode
    held: dict[int, int] = {}
    for child in workers_of(parent):
        inodes = {os.readlink(f"/proc/{child}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{child}/fd")
                  if os.readlink(f"/proc/{child}/fd/{fd}").startswith("socket:[")}
        held[child] = len(inodes & established)
    return held


def test_a_second_service_on_the_same_address_is_refused_not_joined(server_env, tmp_path):
    """SO_REUSEPORT lets sockets share an address: a second `reportit serve` started by mistake
    must fail as before, not quietly take half the residents' connections."""
    env = separate_env(server_env, tmp_path)
    with running_server(env, workers=2) as (url, _process):
        port = url.rsplit(":", 1)[1]
        second = subprocess.run(
            [sys.executable, "-m", "reportit.cli", "serve", "--host", "127.0.0.1", "--port", port, "--workers", "2"],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
        assert httpx.get(f"{url}/healthz").status_code == 200  # the first carries on
    assert second.returncode != 0
    assert "event=cannot_listen" in second.stderr and "in use" in second.stderr, second.stderr[-2000:]


def test_workers_must_be_a_whole_number_of_at_least_one():
    answer = subprocess.run([sys.executable, "-m", "reportit.cli", "serve", "--workers", "0"],
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 2
    assert "expected a whole number of workers, 1 or more; got '0'" in answer.stderr


def test_the_number_of_workers_stays_as_started_whatever_signal_comes(server_env, tmp_path):
    """uvicorn takes a worker away on SIGTTOU (and adds one on SIGTTIN). With a socket per worker,
    the socket of a worker taken away stayed listening and its share of new connections hung."""
    with running_server(separate_env(server_env, tmp_path), workers=2) as (url, process):
        time.sleep(1)
        os.kill(process.pid, signal.SIGTTOU)
        time.sleep(1.5)  # the supervisor handles signals every half second
        assert len(workers_of(process.pid)) == 2
        with ThreadPoolExecutor(max_workers=16) as pool:
            def fresh(_):
                with httpx.Client(timeout=15) as client:
                    return client.get(f"{url}/healthz").status_code
            assert list(pool.map(fresh, range(24))) == [200] * 24
