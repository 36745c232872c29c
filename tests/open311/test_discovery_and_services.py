"""Discovery, the service list and service definitions, in JSON and XML, against the spec's fields."""

from __future__ import annotations

import pytest

from tests.open311.georeport import BASE, W3C, assert_errors, children, fields, parse_xml

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]


async def test_discovery_lists_the_v2_endpoint_with_both_formats(client, settings):
    body = (await client.get(f"{BASE}/discovery.json")).json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    assert W3C.match(body["changeset"])
    assert settings.catalogue.council.name in body["contact"]
    [endpoint] = body["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": f"{settings.config.base_url}/open311/v2",
        "changeset": body["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }

    root = parse_xml(await client.get(f"{BASE}/discovery.xml"), "discovery")
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    [xml_endpoint] = children(root.find("endpoints"), "endpoint")
    assert [c.tag for c in xml_endpoint] == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in children(xml_endpoint.find("formats"), "format")] == ["text/xml", "application/json"]


async def test_services_are_the_categories_without_signposts(client, settings):
    response = await client.get(f"{BASE}/services.json")
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()
    codes = [s["service_code"] for s in services]
    assert codes == [c.code for c in settings.catalogue.categories if c.signpost is None]
    assert "crime" not in codes and "tfl" not in codes
    assert all(list(s) == SERVICE_FIELDS for s in services)

    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert pothole == {
        "service_code": "pothole",
        "service_name": "Pothole",
        "description": "A hole or sunken patch in a road or cycle lane.",
        "metadata": True,
        "type": "realtime",
        "keywords": "road,hole,crater,tarmac,cycle lane",
        "group": "Streets and pavements",
    }
    bin_service = next(s for s in services if s["service_code"] == "overflowing_bin")
    assert bin_service["metadata"] is False


async def test_a_private_category_is_a_service_marked_private(client):
    services = (await client.get(f"{BASE}/services.json")).json()
    neighbour = next(s for s in services if s["service_code"] == "noise_neighbour")
    assert "private" in neighbour["keywords"].split(",")


async def test_services_xml_has_one_service_element_per_service(client, settings):
    root = parse_xml(await client.get(f"{BASE}/services.xml"), "services")
    services = children(root, "service")
    assert len(services) == len([c for c in settings.catalogue.categories if c.signpost is None])
    pothole = next(s for s in services if s.findtext("service_code") == "pothole")
    assert [c.tag for c in pothole] == SERVICE_FIELDS
    assert pothole.findtext("metadata") == "true" and pothole.findtext("type") == "realtime"


async def test_service_definition_gives_the_questions_as_attributes(client):
    body = (await client.get(f"{BASE}/services/street_light.json")).json()
    assert list(body) == ["service_code", "attributes"]
    assert body["service_code"] == "street_light"
    column, fault = body["attributes"]
    assert list(column) == ATTRIBUTE_FIELDS
    assert column == {
        "variable": True, "code": "column_number", "datatype": "string", "required": False,
        "datatype_description": "Usually on a small plate about head height, for example WC123.",
        "order": 1, "description": "Number on the lamp post, if you can see it", "values": [],
    }
    assert fault["required"] is True and fault["datatype"] == "singlevaluelist"
    assert fault["values"][0] == {"key": "out", "name": "Not lit at night"}
    assert [v["key"] for v in fault["values"]] == ["out", "day", "flickering", "damaged", "exposed_wires"]


async def test_service_definition_xml_nests_attributes_and_values(client):
    root = parse_xml(await client.get(f"{BASE}/services/graffiti.xml"), "service_definition")
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attributes = children(root.find("attributes"), "attribute")
    assert [a.findtext("code") for a in attributes] == ["offensive", "surface"]
    surface = attributes[1]
    assert [c.tag for c in surface] == ATTRIBUTE_FIELDS
    assert fields(surface)["datatype"] == "multivaluelist" and fields(surface)["required"] == "false"
    values = children(surface.find("values"), "value")
    assert [[c.tag for c in v] for v in values] == [["key", "name"]] * 4
    assert values[0].findtext("key") == "wall" and values[0].findtext("name") == "A wall"


async def test_a_service_without_questions_has_an_empty_definition(client):
    root = parse_xml(await client.get(f"{BASE}/services/overflowing_bin.xml"), "service_definition")
    assert root.findtext("service_code") == "overflowing_bin"
    assert children(root.find("attributes"), "attribute") == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_service_is_404_in_the_spec_shape(client, fmt):
    response = await client.get(f"{BASE}/services/no_such_thing.{fmt}")
    assert_errors(response, 404, fmt, contains="no_such_thing")


async def test_a_signpost_is_not_a_service_and_says_who_deals_with_it(client):
    response = await client.get(f"{BASE}/services/crime.json")
    assert_errors(response, 404, "json", contains="Metropolitan Police")


async def test_an_unknown_format_or_address_is_404_in_the_spec_shape(client):
    assert_errors(await client.get(f"{BASE}/services.html"), 404, "xml", contains=".xml or .json")
    assert_errors(await client.get(f"{BASE}/services"), 404, "xml")
    assert_errors(await client.get(f"{BASE}/nothing/here.json"), 404, "json")


def test_an_informational_question_is_a_non_variable_attribute_that_is_never_required():
    from reportit.open311.services import attribute_json
    from reportit.catalogue import Question

    notice = Question(code="needles", description="We clear needles within 2 hours", variable=False, required=True, order=3)
    assert attribute_json(notice) == {
        "variable": False, "code": "needles", "datatype": "string", "required": False, "datatype_description": "",
        "order": 3, "description": "We clear needles within 2 hours", "values": [],
    }


async def test_public_reads_may_be_made_from_another_site_but_posts_may_not(client):
    """A neighbourhood map on another site may read GeoReport data in the browser (no credentials
    are involved); posting stays server to server, with an API key."""
    for path in ("discovery.json", "services.xml", "requests.json", "requests/ZZZZZZZZ.json", "services.txt"):
        response = await client.get(f"{BASE}/{path}", headers={"Origin": "https://map.example.org"})
        assert response.headers.get("access-control-allow-origin") == "*", path
        assert "access-control-allow-credentials" not in response.headers
    posted = await client.post(f"{BASE}/requests.json", data={"service_code": "pothole"},
                               headers={"Origin": "https://map.example.org"})
    assert posted.status_code == 403
    assert "access-control-allow-origin" not in posted.headers
