"""What the service says once comments on an application close, per application type: the
council's words from `late_text`, `closed_text` and `refused_text` in `[[applications.types]]`,
else the words below (what it always said). They differ per regime and per type: a licensing
authority may add its licensing team's number, a planning authority its own wording of late
comments. `{day}` is the last day of the consultation in words ("Friday 27 November"), `{received}`
the day a refused representation reached the council.
"""

from __future__ import annotations

import string
from typing import Any, Mapping

# The place-holders each key may use.
PLACE_HOLDERS = {"late_text": (), "closed_text": ("day",), "refused_text": ("day", "received")}
MAX_WORDS = 600

LATE_TEXT = {
    "until_decision": "Comments made after the consultation closes are still considered until a decision is made.",
    "refused": "Representations made after the deadline cannot be accepted.",
}
REFUSED_TEXT = ("The period for representations on this application ended on {day}, and by law the council cannot "
                "accept representations after it. Yours reached us on {received}, so it could not be accepted. You "
                "can still speak to your ward councillor, or make a review application once a licence is granted.")


def closed_text(regime: str, late_comments: str) -> str:
    """The deadline's sentence once the consultation has closed, when the council words none."""
    if late_comments == "until_decision":
        return "The consultation closed on {day}; comments still count until the decision."
    return ("Comments" if regime == "planning" else "Representations") + " closed on {day}."


def check_words(values: Mapping[str, Any], path: str) -> None:
    """Words a resident could not be shown stop the start, with the key named."""
    from reportit.applications.rules import RulesError

    for key, allowed in PLACE_HOLDERS.items():
        if key not in values:
            continue
        words = values[key]
        if not words.strip():
            raise RulesError(f"{path}.{key}: must not be empty; leave the key out for the service's own words")
        if len(words) > MAX_WORDS:
            raise RulesError(f"{path}.{key}: keep it to {MAX_WORDS} characters ({len(words)} now)")
        try:
            used = [name for _, name, spec, conversion in string.Formatter().parse(words) if name is not None]
        except ValueError:
            raise RulesError(f"{path}.{key}: a {{ or }} that is not a place-holder; write {{{{ or }}}} for the "
                             "character itself") from None
        for name in used:
            if name not in allowed:
                use = ", ".join(f"{{{a}}}" for a in allowed) or "none (write {{ or }} for the character itself)"
                raise RulesError(f"{path}.{key}: {{{name}}} is not a place-holder here; use {use}")
