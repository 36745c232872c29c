"""`reportit vapid --rotate` takes effect in a running server: the app hands out the new public key
and the sender signs with the new private key, without a restart."""

from __future__ import annotations

import os
import subprocess
import sys

from reportit.push.vapid import key_path
from reportit.reports.status import Actor, change_status
from tests.conftest import ROOT
from tests.push.conftest import new_report, settled, subscribe, unique_name


async def test_a_rotation_reaches_the_running_app_and_its_sender(push_client, resident, browser, mock_push,
                                                                  push_settings):
    path = key_path(push_settings.config.data_dir)
    old_pem = path.read_bytes()
    old_key = (await push_client.get("/api/push/public-key")).json()["public_key"]
    try:
        rotated = subprocess.run(  # another process, as an operator would run it
            [sys.executable, "-m", "reportit.cli", "vapid", "--rotate", "--yes"], cwd=ROOT, capture_output=True,
            text=True, timeout=60, env={**os.environ, "REPORTIT_DATA_DIR": str(push_settings.config.data_dir)})
        assert rotated.returncode == 0, rotated.stderr
        new_key = rotated.stdout.strip()
        assert new_key and new_key != old_key
        assert "pick the new keys up" in rotated.stderr

        # The app subscribes with the key the server hands out now...
        assert (await push_client.get("/api/push/public-key")).json()["public_key"] == new_key
        mock_push.vapid_public_key = new_key  # ...and the push service holds subscriptions to it.
        name = unique_name()
        reference = await new_report(push_client, resident)
        await subscribe(push_client, resident, browser, mock_push.url("ok", name))
        await change_status(reference, "fixed", settings=push_settings, actor=Actor("staff:officer@westminster.example"),
                            public_message="Done")
        await settled(reference)

        [delivered] = mock_push.delivered(name)  # the mock refuses a request signed with any other key
        assert f"k={new_key}" in delivered.headers["authorization"]
    finally:  # put the session's key back for the other tests (the app and senders notice this too)
        temporary = path.with_name(".restore")
        temporary.write_bytes(old_pem)
        os.replace(temporary, path)
        mock_push.vapid_public_key = old_key
    assert (await push_client.get("/api/push/public-key")).json()["public_key"] == old_key
