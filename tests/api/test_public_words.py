"""The words people read on the server's pages and in the catalogue the app gets: /find, the
not-found help, partner signposts, the catch-all category, and references in either form."""

from __future__ import annotations

import re
import string

from reportit.reports.references import ALPHABET
from reportit.catalogue import Signpost
from tests.api.test_reports_api import pothole, send


async def test_find_is_headed_for_finding_and_links_to_reporting(client):
    response = await client.get("/find")

    assert response.status_code == 200
    assert re.search(r"<h1>\s*Find a report or an application\s*</h1>", response.text)
    assert "Report a problem in" not in response.text
    assert re.search(r'<a[^>]*href="/report"[^>]*>Report a problem</a>', response.text)


async def test_the_not_found_help_names_exactly_the_characters_a_reference_never_has(client):
    response = await client.get("/r/ZZZZ2222")

    assert response.status_code == 404
    help_line = re.search(r"It never contains ([^.]+)\.", response.text)
    assert help_line, response.text
    named = set(re.findall(r"\b([A-Z0-9])\b", help_line.group(1)))
    never = {c for c in string.ascii_uppercase + string.digits if c not in ALPHABET}
    assert named == never == {"0", "1", "I", "L", "O", "U"}


async def test_a_reference_is_found_in_lower_case_with_or_without_its_hyphen(client, device):
    reference = (await send(client, device, pothole())).json()["reference"]
    spoken = f"{reference[:4]}-{reference[4:]}"

    for typed in (reference, reference.lower(), spoken, spoken.lower(), f" {spoken.lower()} "):
        found = await client.get("/r", params={"reference": typed})
        assert (found.status_code, found.headers["location"]) == (303, f"/r/{reference}"), typed
    for typed in (spoken, spoken.lower(), reference.lower()):
        moved = await client.get(f"/r/{typed}")
        assert (moved.status_code, moved.headers["location"]) == (301, f"/r/{reference}"), typed
        assert (await client.get(f"/api/reports/{typed}")).json()["reference"] == reference
    page = await client.get(f"/r/{reference}")
    assert spoken in page.text


async def test_each_partner_signpost_opens_with_its_own_sentence(client):
    categories = (await client.get("/api/categories")).json()["categories"]
    signposts = {c["code"]: c["signpost"] for c in categories if "signpost" in c}

    assert set(signposts) == {"crime", "health", "tfl"}
    summaries = [s["summary"] for s in signposts.values()]
    assert len(set(summaries)) == 3
    for summary in summaries:
        assert summary[0].isupper() and summary.endswith(".")
        assert "is not something the council deals with" not in summary
    assert "unwell" in signposts["health"]["summary"]


def test_a_signpost_without_a_sentence_gets_a_grammatical_one():
    signpost = Signpost(partner="Thames Water", message="Thames Water looks after water mains.")
    assert signpost.opening() == "This is not something the council deals with. Thames Water can help."


async def test_the_catalogue_has_one_catch_all_that_takes_reports(client):
    categories = (await client.get("/api/categories")).json()["categories"]
    catch_all = [c for c in categories if c["catch_all"]]

    assert [c["name"] for c in catch_all] == ["Something else"]
    assert "signpost" not in catch_all[0]
