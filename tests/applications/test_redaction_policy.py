"""The council's redaction policy for representations, read from `[applications.representations]`:
a mistake names its key; a name or a full address can never be set to be published."""

from __future__ import annotations

import pytest

from reportit.applications.representation_rules import street_of
from reportit.applications.rules import RulesError, load_rules


@pytest.mark.parametrize("policy, key", [
    ({"publish_name": True}, "publish_name"), ({"publish_address": "full"}, "publish_address"),
    ({"applicant_address": "postcode"}, "applicant_address"), ({"publish_text": "yes"}, "publish_text"),
    ({"shout": True}, "shout"),
])
def test_a_bad_policy_is_refused_with_its_key(policy, key):
    with pytest.raises(RulesError, match=f"applications.representations.{key}"):
        load_rules({"representations": policy})


def test_the_policy_is_read_and_defaults_to_the_street_only():
    assert load_rules({}).redaction.publish_address == "street"
    rules = load_rules({"representations": {"publish_address": "none", "applicant_name": False}})
    row = {"sentiment": "object", "grounds": [], "text": "Too tall", "name": "Ada", "address": "4 Dean Street"}
    assert rules.redaction.public(row)["street"] is None
    assert rules.redaction.applicant(row)["name"] is None


@pytest.mark.parametrize("address, street", [
    ("Flat 2, 12 Example Street, London SW1A 1AA", "Example Street"), ("12-14 Long Lane, London", "Long Lane"),
    ("The Old Rectory, 3a Church Road", "Church Road"), ("Rose Cottage, London", ""), ("", ""),
])
def test_only_the_street_is_taken_from_an_address(address, street):
    assert street_of(address) == street
