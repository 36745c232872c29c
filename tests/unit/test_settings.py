"""Settings: env vars over the TOML file; a broken configuration says where it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportit.settings import SettingsError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "reportit.example.toml"


def test_the_example_describes_a_central_london_council():
    settings = load_settings({"REPORTIT_CONFIG": str(EXAMPLE)})
    reportable = [c for c in settings.categories if c.signpost is None]
    signposts = {c.code: c.signpost for c in settings.categories if c.signpost}
    assert len(reportable) >= 17
    assert {c.group for c in reportable} == {"streets", "parking", "planning", "licensing", "noise", "other"}
    assert [c.code for c in settings.categories if c.catch_all] == ["other"]
    assert {"crime", "health", "tfl"} <= set(signposts)
    assert signposts["crime"].phone == "101" and signposts["health"].phone == "111"
    assert settings.category("noise_neighbour").private
    danger = settings.category("pothole").questions[0]
    assert danger.choice("yes").blocks.startswith("Call 999 now")
    assert {s.kind for s in settings.statuses} == {"open", "closed", "fixed"}
    assert settings.map.contains(51.4975, -0.1357) and not settings.map.contains(53.48, -2.24)


def test_env_vars_override_the_file(tmp_path):
    settings = load_settings({
        "REPORTIT_CONFIG": str(EXAMPLE),
        "REPORTIT_DATA_DIR": str(tmp_path),
        "REPORTIT_BASE_URL": "https://reportit.example.gov.uk/",
        "REPORTIT_MAX_PHOTOS": "3",
        "REPORTIT_PUSH_HOSTS": "127.0.0.1:9999, push.example.org",
        "REPORTIT_PUSH_CA_FILE": str(EXAMPLE),  # any file: only its existence is checked here
        "REPORTIT_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
        "DATABASE_URL": "postgresql://u:p@db:5432/reportit",
    })
    assert settings.base_url == "https://reportit.example.gov.uk"
    assert settings.max_photos == 3
    assert settings.push_hosts == ("127.0.0.1:9999", "push.example.org")
    assert settings.push_ca_file == str(EXAMPLE)
    assert settings.map.tile_url == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert settings.is_postgres and settings.data_dir == tmp_path


def test_the_file_service_table_is_used_when_no_env_var_is_set(tmp_path):
    config = tmp_path / "council.toml"
    config.write_text(EXAMPLE.read_text().replace("max_photos = 5", "max_photos = 4"))
    assert load_settings({"REPORTIT_CONFIG": str(config)}).max_photos == 4
    assert load_settings({"REPORTIT_CONFIG": str(config), "REPORTIT_MAX_PHOTOS": "2"}).max_photos == 2


def test_sqlite_in_the_data_dir_is_the_default(tmp_path):
    settings = load_settings({"REPORTIT_CONFIG": str(EXAMPLE), "REPORTIT_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'reportit.sqlite'}"


@pytest.mark.parametrize(
    "change, words",
    [
        (('group = "streets"', 'group = "nowhere"', 1), "unknown group"),
        (('datatype = "singlevaluelist"', 'datatype = "colour"', 1), "datatype must be one of"),
        (('kind = "open"', 'kind = "ajar"', 1), "kind must be one of"),
        (("centre = [51.4975, -0.1357]", "", 1), "[map] needs centre"),
        (('sla_days = 1\n', 'sla_days = 1\ncatch_all = true\n', 1), "only one category may have catch_all"),
        (('keywords = ["police"', 'catch_all = true\nkeywords = ["police"', 1), "a catch_all category cannot be a signpost"),
    ],
)
def test_a_broken_configuration_names_the_problem(tmp_path, change, words):
    config = tmp_path / "council.toml"
    config.write_text(EXAMPLE.read_text().replace(*change))
    with pytest.raises(SettingsError, match=words.replace("[", r"\[")):
        load_settings({"REPORTIT_CONFIG": str(config)})


def test_a_missing_config_file_is_named():
    with pytest.raises(SettingsError, match="not a file"):
        load_settings({"REPORTIT_CONFIG": "/nowhere/council.toml"})


@pytest.mark.parametrize("env, words", [
    ({"REPORTIT_MAX_PHOTOS": "five"}, "REPORTIT_MAX_PHOTOS"),
    ({"REPORTIT_NOTIFICATION_RETENTION_DAYS": "0"}, "at least 1"),
    ({"REPORTIT_PUSH_CA_FILE": "/nowhere/ca.pem"}, "REPORTIT_PUSH_CA_FILE .*not a file"),
])
def test_a_bad_number_in_the_environment_names_the_variable(env, words):
    with pytest.raises(SettingsError, match=words):
        load_settings({"REPORTIT_CONFIG": str(EXAMPLE), **env})


def test_notifications_are_kept_90_days_unless_told_otherwise():
    assert load_settings({"REPORTIT_CONFIG": str(EXAMPLE)}).notification_retention_days == 90
    assert load_settings({"REPORTIT_CONFIG": str(EXAMPLE),
                          "REPORTIT_NOTIFICATION_RETENTION_DAYS": "30"}).notification_retention_days == 30
