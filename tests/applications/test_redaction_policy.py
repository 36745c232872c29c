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
    # One line, as many residents type it: the town, postcode and flat after the street go too.
    ("12 Example Street London SW1A 1AA", "Example Street"), ("12 Example Street Apt 3B SW1 1AA", "Example Street"),
    ("5 Acacia Avenue Flat 2, London", "Acacia Avenue"), ("7 Oxford Street W1 2AB", "Oxford Street"),
    ("12 example street london sw1a 1aa", "example street"), ("12 - 14 Long Lane", "Long Lane"),
    ("12 Example Street\nLondon\nSW1A 1AA", "Example Street"), ("No. 4 Dean Street, W1D 3RB", "Dean Street"),
    ("9 Dean Street Unit 4", "Dean Street"), ("12 The Cut SE1 8LL", "The Cut"),
    # Flats and house names before the street.
    ("Flat 2, 5 Acacia Avenue", "Acacia Avenue"), ("Flat 3 12 Example Street", "Example Street"),
    ("Rose Cottage, Acacia Avenue", "Acacia Avenue"), ("Flat 3 Rose Court, 9 Dean Street", "Dean Street"),
    ("Apartment 14, Marlborough House, Acacia Avenue, London NW8 1AA", "Acacia Avenue"),
    # Nothing street-like: nothing is published rather than a building, a postcode or a flat.
    ("Flat 2 Rose Court, London SW1", ""), ("SW1A 1AA", ""), ("Flat 2", ""), ("London", ""),
    # No house number: only what can be nothing but a street (a name or a house may lead the part).
    ("John Smith Acacia Avenue", ""), ("Rose Cottage Acacia Avenue London NW8 1AA", ""),
    ("The Old Rectory Church Lane, Little Snoring", ""), ("Upper Church Lane, Little Snoring", "Upper Church Lane"),
    ("John Smith, Acacia Avenue", "Acacia Avenue"),
])
def test_only_the_street_is_taken_from_an_address(address, street):
    assert street_of(address) == street


@pytest.mark.parametrize("address, street", [
    ("Rose Cottage Acacia Avenue", "Acacia Avenue"), ("Rose Cottage, Haymarket", "Haymarket"),
    ("12 Haymarket London SW1Y 4HT", "Haymarket"), ("12 acacia avenue, london", "Acacia Avenue"),
    ("Flat 2, 12 Example Street, London SW1A 1AA", "Example Street"), ("Rose Cottage, London", ""),
])
def test_a_street_the_gazetteer_knows_is_preferred(address, street):
    assert street_of(address, known=["Acacia Avenue", "Haymarket", "Example Street"]) == street
