"""What the pages, the API and the app say once comments close, per application type, from the
council's TOML (`late_text`, `closed_text`, `refused_text` in `[[applications.types]]`): today's
words when the council says nothing, its own words when it does, and a clear error at start-up."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from reportit.applications.deadline import deadline
from reportit.applications.representations import admit, receipt_json
from reportit.problems import Problem
from reportit.settings import SettingsError, load_settings

EXAMPLE = Path(__file__).parents[2] / "server" / "reportit" / "reportit.example.toml"
TODAY = date(2026, 12, 1)
CLOSED = {"regime": "licensing", "application_type": "new-premises", "status": "under consultation",
          "consultation_end": date(2026, 11, 27)}
PLANNING = {**CLOSED, "regime": "planning", "application_type": "full"}
NEW_PREMISES = 'code = "new-premises"\nname = "New premises licence"\n'


def rules_from(tmp_path, old: str = "", new: str = ""):
    config = tmp_path / "council.toml"
    config.write_text(EXAMPLE.read_text().replace(old, new, 1))
    return load_settings({"REPORTIT_CONFIG": str(config)}).catalogue.applications


def test_without_words_in_the_toml_the_service_says_what_it_always_said(tmp_path):
    rules = rules_from(tmp_path)
    planning, licensing = deadline(PLANNING, rules, TODAY), deadline(CLOSED, rules, TODAY)
    assert planning.as_json()["late_text"] == ("Comments made after the consultation closes are still considered "
                                               "until a decision is made.")
    assert planning.text == "The consultation closed on Friday 27 November; comments still count until the decision."
    assert licensing.as_json()["late_text"] == "Representations made after the deadline cannot be accepted."
    assert licensing.text == "Representations closed on Friday 27 November."
    with pytest.raises(Problem) as refused:
        admit(CLOSED, rules, TODAY)
    assert refused.value.detail == (
        "The period for representations on this application ended on Friday 27 November, and by law the council "
        "cannot accept representations after it. Yours reached us on Tuesday 1 December, so it could not be "
        "accepted. You can still speak to your ward councillor, or make a review application once a licence is "
        "granted.")


def test_a_council_words_a_type_its_own_way(tmp_path):
    rules = rules_from(tmp_path, NEW_PREMISES, NEW_PREMISES
                       + 'late_text = "Late representations are not accepted: the Licensing Act says so."\n'
                       + 'closed_text = "Representations ended on {day}."\n'
                       + 'refused_text = "Too late: the period ended on {day} and yours came on {received}. '
                         'Call the licensing team on 020 7641 6500."\n')
    due = deadline(CLOSED, rules, TODAY)
    assert due.as_json()["late_text"] == "Late representations are not accepted: the Licensing Act says so."
    assert due.text == "Representations ended on Friday 27 November."
    with pytest.raises(Problem) as refused:
        admit(CLOSED, rules, TODAY)
    assert refused.value.detail == ("Too late: the period ended on Friday 27 November and yours came on Tuesday "
                                    "1 December. Call the licensing team on 020 7641 6500.")
    assert deadline({**CLOSED, "application_type": "full-variation"}, rules, TODAY).text == \
        "Representations closed on Friday 27 November."  # another type keeps its words


def test_a_late_comments_receipt_repeats_the_councils_own_words_for_its_type(tmp_path):
    row = {"id": 1, "reference": "26/1/FULL", "sentiment": "object", "grounds": [], "text": "No.", "name": "A",
           "address": "1 Example Street", "received_at": datetime(2026, 12, 1, tzinfo=timezone.utc), "late": True,
           "state": "waiting"}
    rules = rules_from(tmp_path)
    kind = rules.type_for("planning", "full")
    assert receipt_json(row, rules.redaction, "planning", (), kind.own_late_words())["message"] == (
        "Your representation on 26/1/FULL was received. It arrived after the consultation closed; the council's rule "
        "for this application is that late comments are still considered until the decision. We will tell you the "
        "decision.")
    own = rules_from(tmp_path, 'code = "full"\n', 'code = "full"\nlate_text = "Late comments count until the '
                     'committee report is written."\n').type_for("planning", "full")
    assert receipt_json(row, rules.redaction, "planning", (), own.own_late_words())["message"] == (
        "Your representation on 26/1/FULL was received. It arrived after the consultation closed. Late comments "
        "count until the committee report is written. We will tell you the decision.")


@pytest.mark.parametrize("line, words", [
    ('late_text = ""', "applications.types[4].late_text: must not be empty"),
    ('closed_text = "Closed on {date}."', "applications.types[4].closed_text: {date} is not a place-holder here; "
                                          "use {day}"),
    ('refused_text = "Too late {"', "applications.types[4].refused_text: a { or } that is not a place-holder"),
    ('late_text = 3', "applications.types[4].late_text: 3 is not text in quotes"),
])
def test_words_that_cannot_be_used_stop_the_start_with_the_key_named(tmp_path, line, words):
    with pytest.raises(SettingsError) as raised:
        rules_from(tmp_path, NEW_PREMISES, NEW_PREMISES + line + "\n")
    assert words in str(raised.value)
