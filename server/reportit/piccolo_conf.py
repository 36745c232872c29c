"""Piccolo's configuration: the engine from the settings, and every app whose tables we migrate.

Piccolo finds this module through PICCOLO_CONF=reportit.piccolo_conf; `reportit.database.use()`
replaces DB when the app is built with other settings (tests, a second database).
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from reportit.database import engine_for
from reportit.settings import load_settings

APPS = [
    "piccolo.apps.user.piccolo_app",
    "piccolo_api.session_auth.piccolo_app",
    "reportit.accounts.piccolo_app",
    "reportit.reports.piccolo_app",
    "reportit.open311.piccolo_app",
    "reportit.push.piccolo_app",
    "reportit.console.piccolo_app",
    "reportit.alerts.piccolo_app",
    "reportit.places.piccolo_app",
    "reportit.applications.piccolo_app",
]

DB = engine_for(load_settings())
APP_REGISTRY = AppRegistry(apps=APPS)
