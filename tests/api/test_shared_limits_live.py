"""Two `reportit serve` processes on one database share one budget: more workers do not allow
more registrations or more password guesses."""

from __future__ import annotations

import contextlib

import httpx

from tests.conftest import running_server, separate_env


def test_two_servers_share_one_registration_budget_and_one_count_of_failed_sign_ins(server_env, tmp_path):
    env = separate_env(server_env, tmp_path)
    env["REPORTIT_DEVICE_REGISTRATIONS_PER_HOUR"] = "9"  # 3 at once from one address
    with contextlib.ExitStack() as stack:
        first, _ = stack.enter_context(running_server(env))
        second, _ = stack.enter_context(running_server(env))
        servers = [first, second]

        registered = [httpx.post(f"{servers[n % 2]}/api/devices").status_code for n in range(5)]
        assert registered == [201, 201, 201, 429, 429]

        guesses = [httpx.post(f"{servers[n % 2]}/api/session",
                              json={"email": "officer@westminster.example", "password": f"guess {n}"}).status_code
                   for n in range(6)]
        assert guesses == [401] * 5 + [429]
