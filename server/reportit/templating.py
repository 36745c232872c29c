"""Jinja2 templates shared by server-rendered pages (permalinks, console, applications)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from reportit.app_state import services
from reportit.basemap.serving import map_settings
from reportit.settings import Settings
from reportit.static_files import static_url

PACKAGE = Path(__file__).parent


def make_templates(settings: Settings) -> Jinja2Templates:
    loader = ChoiceLoader(
        [FileSystemLoader(str(PACKAGE / "templates"))]
        + [FileSystemLoader(str(path)) for path in sorted(PACKAGE.glob("*/templates"))]
    )
    from jinja2 import Environment, select_autoescape

    env = Environment(loader=loader, autoescape=select_autoescape(["html"]))
    env.globals["council"] = settings.catalogue.council
    env.globals["settings"] = settings
    env.globals["static_url"] = static_url
    # The file now (None without REPORTIT_BASEMAP): the council may replace it while the service runs.
    return Jinja2Templates(env=env, context_processors=[_basemap])


def _basemap(request: Request) -> dict:
    return {"basemap": map_settings(services(request).config)}
