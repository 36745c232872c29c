"""The console's routes, mounted at /console behind CSRF protection (the JSON API and Open311
routes are outside this Mount and unaffected)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reportit.console import admin, auth, caselist, cases, dashboard, export, passwords, resident_accounts, staff_access
from reportit.applications import console as applications_console
from reportit.applications import representations_console
from reportit.console.csrf import csrf_middleware
from reportit.settings import Settings

STATIC = Path(__file__).parent / "static"


async def to_list(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=308)


def post(path: str, endpoint) -> Route:
    return Route(path, endpoint, methods=["POST"])


def console_routes() -> list:
    case = "/reports/{reference}"
    return [
        Route("/", caselist.case_list, methods=["GET"]),
        Route("/map.json", caselist.case_map_points, methods=["GET"]),
        Route("/export.csv", export.export_csv, methods=["GET"]),
        Route("/dashboard", dashboard.dashboard, methods=["GET"]),
        Route("/sign-in", auth.sign_in_page, methods=["GET"]),
        post("/sign-in", auth.sign_in),
        post("/sign-out", auth.sign_out),
        Route(case, cases.case_page, methods=["GET"]),
        post(f"{case}/status", cases.change_status),
        post(f"{case}/note", cases.add_note),
        post(f"{case}/assign", cases.assign),
        post(f"{case}/category", cases.recategorise),
        post(f"{case}/duplicate", cases.mark_duplicate),
        post(f"{case}/hide", cases.hide),
        post(f"{case}/redact", cases.redact_text),
        post(case + "/photos/{photo_id:int}/hide", cases.photo_visibility),
        post(case + "/photos/{photo_id:int}/redact", cases.photo_redact),
        post(case + "/previews/{upload_id:int}/hide", cases.preview_hide),
        Route("/audit", admin.audit_page, methods=["GET"]),
        Route("/admin", admin.admin_page, methods=["GET"]),
        post("/admin/staff", admin.add_person),
        post("/admin/staff/{user_id:int}/role", admin.change_role),
        post("/admin/staff/{user_id:int}/access", staff_access.switch_access),
        post("/admin/staff/{user_id:int}/password-reset", staff_access.send_reset),
        Route("/password-reset/{token}", passwords.reset_page, methods=["GET"]),
        post("/password-reset/{token}", passwords.reset_password),
        Route("/account/password", passwords.own_password_page, methods=["GET"]),
        post("/account/password", passwords.change_own_password),
        Route("/admin/residents", resident_accounts.residents_page, methods=["GET"]),
        post("/admin/residents/export", resident_accounts.export_account),
        post("/admin/residents/erase", resident_accounts.erase_account),
        Route("/applications", applications_console.applications_list, methods=["GET"]),
        post("/applications/{reference:path}/decision", applications_console.record_decision),
        post("/applications/{reference:path}/representations/{representation:int}/publish",
             representations_console.publish),
        post("/applications/{reference:path}/representations/{representation:int}/withhold",
             representations_console.withhold),
        Route("/applications/{reference:path}/representations.csv", representations_console.export_csv,
              methods=["GET"]),
        Route("/applications/{reference:path}/representations/print", representations_console.printable,
              methods=["GET"]),
        Route("/applications/{reference:path}", applications_console.application_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="console_static"),
    ]


def mount(settings: Settings) -> list:
    return [
        Route("/console", to_list, methods=["GET"]),
        Mount("/console", routes=console_routes(), middleware=[csrf_middleware(settings)]),
    ]
