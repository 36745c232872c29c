"""`reportit user add|list|disable|enable|passwd` as an operator types them: what it says, what it
refuses (one line, non-zero exit, no traceback), and that the console then agrees."""

from __future__ import annotations

from tests.api import test_cli
from tests.api.test_cli import query, reportit

fresh_env = test_cli.fresh_env  # the same fresh database per test

PASSWORD = "a long enough password"


def one_line_refusal(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_user_commands_add_list_disable_enable_and_set_a_password(fresh_env):
    assert reportit(fresh_env, "migrate").returncode == 0
    added = reportit(fresh_env, "user", "add", "Sam@Council.example", "--role", "warden", "--password", PASSWORD)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added sam@council.example as warden."

    listed = reportit(fresh_env, "user", "list")
    assert listed.returncode == 0
    assert listed.stdout.split("\n")[0].split("\t")[:3] == ["sam@council.example", "warden", "active"]

    disabled = reportit(fresh_env, "user", "disable", "sam@council.example")
    assert disabled.returncode == 0 and disabled.stdout.startswith("Disabled sam@council.example.")
    assert query(fresh_env, "SELECT active FROM piccolo_user")[0][0] in (0, False)
    assert "\tdisabled\t" in reportit(fresh_env, "user", "list").stdout

    enabled = reportit(fresh_env, "user", "enable", "SAM@council.example")
    assert enabled.returncode == 0 and enabled.stdout.strip() == "Enabled sam@council.example."
    assert query(fresh_env, "SELECT active FROM piccolo_user")[0][0] in (1, True)

    before = query(fresh_env, "SELECT password FROM piccolo_user")[0][0]
    changed = reportit(fresh_env, "user", "passwd", "sam@council.example", "--password", f"{PASSWORD}!")
    assert changed.returncode == 0 and "Set a new password for sam@council.example" in changed.stdout
    assert query(fresh_env, "SELECT password FROM piccolo_user")[0][0] != before

    actions = [r[0] for r in query(fresh_env, "SELECT action FROM console_audit ORDER BY id")]
    assert actions == ["staff_added", "staff_disabled", "staff_enabled", "password_set"]
    assert {r[0] for r in query(fresh_env, "SELECT actor FROM console_audit")} == {"cli"}


def test_user_commands_answer_bad_input_with_one_line(fresh_env):
    assert reportit(fresh_env, "migrate").returncode == 0
    short = reportit(fresh_env, "user", "add", "kim@council.example", "--password", "short")
    assert one_line_refusal(short) == "reportit: The password must be at least 12 characters"
    assert query(fresh_env, "SELECT COUNT(*) FROM piccolo_user")[0][0] == 0

    assert reportit(fresh_env, "user", "add", "kim@council.example", "--password", PASSWORD).returncode == 0
    again = reportit(fresh_env, "user", "add", "Kim@council.example", "--password", PASSWORD)
    assert "already has an account" in one_line_refusal(again)

    for command in (("disable", "nobody@council.example"), ("enable", "nobody@council.example"),
                    ("passwd", "nobody@council.example", "--password", PASSWORD)):
        unknown = reportit(fresh_env, "user", *command)
        assert one_line_refusal(unknown) == "reportit: no staff account has the email nobody@council.example"
    short_passwd = reportit(fresh_env, "user", "passwd", "kim@council.example", "--password", "x" * 11)
    assert "at least 12 characters" in one_line_refusal(short_passwd)
