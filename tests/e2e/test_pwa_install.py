"""The app can be installed: Chromium finds no installability errors in its manifest."""

from __future__ import annotations

from tests.e2e.conftest import ARGS, CHROMIUM, wait_for_service_worker


def test_chromium_reports_no_installability_errors(playwright_instance, origin, tmp_path):
    # Installability is only checked in a normal (non-incognito) profile.
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, base_url=origin, locale="en-GB",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert '"display": "standalone"' in manifest["data"]
        assert "Westminster City Council" in manifest["data"]
    finally:
        context.close()
