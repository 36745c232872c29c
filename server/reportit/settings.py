"""Loading both halves of what the service is told: the deployment `Config` and the council's
`Catalogue`, from `REPORTIT_*` env vars (and `DATABASE_URL`) and one TOML file.

`create_app` and the CLI load a `Settings`, which only carries the two; domain code takes the
`Config`, the `Catalogue`, or the few values it uses.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from reportit.catalogue import Catalogue, CatalogueError, load_catalogue
from reportit.config import Config, ConfigError, load_config

PACKAGED_EXAMPLE = Path(__file__).with_name("reportit.example.toml")


class SettingsError(ValueError):
    """The configuration cannot describe a working service; the message says where."""


@dataclass(frozen=True)
class Settings:
    config: Config
    catalogue: Catalogue


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    config_path = _config_path(env)
    with config_path.open("rb") as f:
        try:
            toml = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_path}: {exc}") from exc
    try:
        return Settings(
            config=load_config(toml.get("service", {}), env, config_path=config_path),
            catalogue=load_catalogue(toml, tile_url=env.get("REPORTIT_TILE_URL")),
        )
    except (ConfigError, CatalogueError) as exc:
        raise SettingsError(f"{config_path}: {exc}" if isinstance(exc, CatalogueError) else str(exc)) from exc


def _config_path(env: Mapping[str, str]) -> Path:
    if "REPORTIT_CONFIG" in env:
        path = Path(env["REPORTIT_CONFIG"])
        if not path.is_file():
            raise SettingsError(f"REPORTIT_CONFIG names {path}, which is not a file")
        return path
    local = Path("reportit.toml")
    return local if local.is_file() else PACKAGED_EXAMPLE
