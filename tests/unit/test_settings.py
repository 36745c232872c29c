"""Settings: env vars over the TOML file; a broken configuration says where it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportit.settings import SettingsError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "reportit.example.toml"


def test_the_example_describes_a_central_london_council():
    settings = load_settings({"REPORTIT_CONFIG": str(EXAMPLE)})
    reportable = [c for c in settings.catalogue.categories if c.signpost is None]
    signposts = {c.code: c.signpost for c in settings.catalogue.categories if c.signpost}
    assert len(reportable) >= 17
    assert {c.group for c in reportable} == {"streets", "parking", "planning", "licensing", "noise", "other"}
    assert [c.code for c in settings.catalogue.categories if c.catch_all] == ["other"]
    assert {"crime", "health", "tfl"} <= set(signposts)
    assert signposts["crime"].phone == "101" and signposts["health"].phone == "111"
    assert settings.catalogue.category("noise_neighbour").private
    danger = settings.catalogue.category("pothole").questions[0]
    assert danger.choice("yes").blocks.startswith("Call 999 now")
    assert {s.kind for s in settings.catalogue.statuses} == {"open", "closed", "fixed"}
    assert settings.catalogue.map.contains(51.4975, -0.1357) and not settings.catalogue.map.contains(53.48, -2.24)


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
    assert settings.config.base_url == "https://reportit.example.gov.uk"
    assert settings.config.max_photos == 3
    assert settings.config.push_hosts == ("127.0.0.1:9999", "push.example.org")
    assert settings.config.push_ca_file == str(EXAMPLE)
    assert settings.catalogue.map.tile_url == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert settings.config.is_postgres and settings.config.data_dir == tmp_path


def test_the_file_service_table_is_used_when_no_env_var_is_set(tmp_path):
    config = tmp_path / "council.toml"
    config.write_text(EXAMPLE.read_text().replace("max_photos = 5", "max_photos = 4"))
    assert load_settings({"REPORTIT_CONFIG": str(config)}).config.max_photos == 4
    assert load_settings({"REPORTIT_CONFIG": str(config), "REPORTIT_MAX_PHOTOS": "2"}).config.max_photos == 2


def test_sqlite_in_the_data_dir_is_the_default(tmp_path):
    settings = load_settings({"REPORTIT_CONFIG": str(EXAMPLE), "REPORTIT_DATA_DIR": str(tmp_path)})
    assert settings.config.database_url == f"sqlite:///{tmp_path / 'reportit.sqlite'}"


@pytest.mark.parametrize(
    "change, words",
    [
        (('group = "streets"', 'group = "nowhere"', 1), "unknown group"),
        (('datatype = "singlevaluelist"', 'datatype = "colour"', 1), "'colour' is not a datatype; use one of: string, number"),
        (('kind = "open"', 'kind = "ajar"', 1), "'ajar' is not a kind; use one of: open, closed, fixed"),
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
    ({"REPORTIT_PUSH_CA_FILE": "/nowhere/ca.pem"}, "REPORTIT_PUSH_CA_FILE: .*not a file"),
])
def test_a_bad_number_in_the_environment_names_the_variable(env, words):
    with pytest.raises(SettingsError, match=words):
        load_settings({"REPORTIT_CONFIG": str(EXAMPLE), **env})


def test_notifications_are_kept_90_days_unless_told_otherwise():
    assert load_settings({"REPORTIT_CONFIG": str(EXAMPLE)}).config.notification_retention_days == 90
    assert load_settings({"REPORTIT_CONFIG": str(EXAMPLE),
                          "REPORTIT_NOTIFICATION_RETENTION_DAYS": "30"}).config.notification_retention_days == 30


@pytest.mark.parametrize(
    "change, words",
    [
        (('datatype = "singlevaluelist"', 'datatype = "colour"', 1),
         "categories[0].questions[0].datatype: 'colour' is not a datatype; use one of: string, number,"),
        (('group = "streets"', 'group = "nowhere"', 1), "categories[0].group: unknown group 'nowhere'"),
        (('kind = "open"', 'kind = "ajar"', 1), "statuses[0].kind: 'ajar' is not a kind"),
        (('sla_days = 1\n', 'sla_days = "one"\n', 1), "categories[5].sla_days: 'one' is not a whole number"),
        (('sla_days = 1\n', 'sla_days = 1\ncolour = "red"\n', 1), "categories[5].colour: not a known key; use one of: code,"),
        (('[[statuses]]\ncode = "received"\n', '[[statuses]]\n', 1), "statuses[0].code: missing"),
        (('code = "investigating"', 'code = "received"', 1), "statuses[1].code: 'received' is listed twice"),
        (('initial_status = "received"', 'initial_status = "open"', 1), "initial_status: 'open' is not a listed status"),
        (("zoom = 15", "zoom = 15\ncenter = [51.5, -0.1]", 1), "map.center: not a known key"),
        (("bounds = [51.4840, -0.2160, 51.5400, -0.1100]", "bounds = [51.4840, -0.2160]", 1),
         "map.bounds: must be 4 numbers, written [south, west, north, east]"),
        (("[[groups]]", "[[group]]", 1), "group: not a known key; use one of: initial_status, council,"),
        (("max_photos = 5", "max_photos = 2.5", 1), "[service] max_photos: must be a whole number (or set REPORTIT_MAX_PHOTOS)"),
        (("max_photos = 5", 'push_hosts = "a, b"\nsecure_cookies = "maybe"\nmax_photos = 5', 1), None),
    ],
)
def test_a_broken_catalogue_or_service_table_names_the_toml_key(tmp_path, change, words):
    config = tmp_path / "council.toml"
    config.write_text(EXAMPLE.read_text().replace(*change))
    if words is None:  # text is accepted where an env var's text would be
        settings = load_settings({"REPORTIT_CONFIG": str(config)})
        assert settings.config.push_hosts == ("a", "b") and settings.config.secure_cookies is False
        return
    with pytest.raises(SettingsError) as raised:
        load_settings({"REPORTIT_CONFIG": str(config)})
    assert words in str(raised.value)


@pytest.mark.parametrize("env, words", [
    ({"REPORTIT_MAX_PHOTOS": "five"}, "REPORTIT_MAX_PHOTOS: must be a whole number"),
    ({"REPORTIT_MAX_PHOTO_BYTES": "15MB"}, "REPORTIT_MAX_PHOTO_BYTES: must be a whole number"),
    ({"REPORTIT_NOTIFICATION_RETENTION_DAYS": "0"}, "REPORTIT_NOTIFICATION_RETENTION_DAYS: must be at least 1"),
])
def test_a_bad_environment_variable_is_named_with_what_is_wrong(env, words):
    with pytest.raises(SettingsError) as raised:
        load_settings({"REPORTIT_CONFIG": str(EXAMPLE), **env})
    assert str(raised.value) == words


def test_the_catalogue_and_the_config_load_apart():
    """A new domain can take the council's catalogue without any deployment, and the reverse."""
    import tomllib

    from reportit.catalogue import load_catalogue
    from reportit.config import load_config

    catalogue = load_catalogue(tomllib.loads(EXAMPLE.read_text()))
    config = load_config({"max_photos": 3}, {"REPORTIT_DATA_DIR": "/srv/reportit"}, config_path=EXAMPLE)
    assert catalogue.category("pothole").group == "streets" and catalogue.status("received").kind == "open"
    assert config.max_photos == 3 and config.database_url == "sqlite:////srv/reportit/reportit.sqlite"
