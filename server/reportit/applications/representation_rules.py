"""What a representation may say and what of it is published: the grounds per regime, and the
council's redaction policy from `[applications.representations]` in its TOML.

Licensing representations must relate to at least one of the four licensing objectives (Licensing
Act 2003, s.4); planning ones may name material grounds. The name and the full postal address are
never published: the policy only chooses whether the street is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Mapping

SENTIMENTS = {"object": "Objection", "support": "Support", "comment": "Comment"}
PLANNING_GROUNDS = {"design": "Design and appearance", "use": "The proposed use", "light": "Loss of light",
                    "privacy": "Loss of privacy", "access": "Access", "noise": "Noise", "traffic": "Traffic and parking",
                    "other": "Other"}
LICENSING_OBJECTIVES = {"crime_and_disorder": "The prevention of crime and disorder", "public_safety": "Public safety",
                        "public_nuisance": "The prevention of public nuisance",
                        "children": "The protection of children from harm"}
ADDRESS_CHOICES = ("street", "none")
APPLICANT_ADDRESS = ("full", "street", "none")


def grounds_for(regime: str) -> dict[str, str]:
    return LICENSING_OBJECTIVES if regime == "licensing" else PLANNING_GROUNDS


@dataclass(frozen=True)
class Redaction:
    """What the public register shows, and what the applicant is sent (the case officer sees all)."""

    publish_address: str = "street"  # street | none (never the full address)
    publish_text: bool = True  # the text as written
    applicant_name: bool = True
    applicant_address: str = "street"  # full | street | none

    def public(self, row: Mapping[str, Any], known: Collection[str] = ()) -> dict[str, Any]:
        """`known`: the gazetteer's streets named in the address (`known_streets`)."""
        return {"sentiment": row["sentiment"], "sentiment_name": SENTIMENTS[row["sentiment"]],
                "grounds": list(row["grounds"]),
                "street": street_of(row["address"], known) if self.publish_address == "street" else None,
                "text": row["text"] if self.publish_text else None}

    def applicant(self, row: Mapping[str, Any], known: Collection[str] = ()) -> dict[str, Any]:
        address = {"full": row["address"], "street": street_of(row["address"], known),
                   "none": None}[self.applicant_address]
        return {**self.public(row, known), "text": row["text"],
                "name": row["name"] if self.applicant_name else None, "address": address}

    def words(self) -> str:
        street = "the street of your address" if self.publish_address == "street" else "nothing of your address"
        return (f"Published on the council's website: your comment{' as written' if self.publish_text else ''} and "
                f"{street}; never your name, full address or email.")


_FLAT = {"flat", "apartment", "apt", "unit", "room", "floor", "suite", "maisonette", "studio", "basement"}
_RANGE = re.compile(r"([0-9][a-z]?)\s*[-–/]\s*([0-9])", re.I)  # "12 - 14" is one house number: "12-14"
_NUMBER = re.compile(r"^[0-9]+[a-z]?([-–/][0-9]+[a-z]?)?$", re.I)
# The last word of a street's name: what tells a street ("Acacia Avenue") from a house ("Rose Cottage").
STREET_WORDS = {"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "close", "drive", "way", "place", "pl",
                "crescent", "cres", "gardens", "gdns", "grove", "terrace", "square", "sq", "hill", "row", "walk",
                "mews", "parade", "rise", "park", "green", "broadway", "vale", "view", "gate", "mall", "embankment",
                "yard", "path", "wharf", "circus", "passage", "market", "approach", "boulevard", "court", "ct"}


def street_of(address: str, known: Collection[str] = ()) -> str:
    """"Flat 2, 12 Example Street, London SW1 1AA" → "Example Street": the street and nothing else
    of an address. In each comma-separated part, the words after a house number up to the first
    word with a digit (a postcode, "3B") or of a flat ("Flat", "Apt", "Unit"), ending at the last
    street word ("Street", "Road", so a town after it goes). A part with a house number wins; else
    the last part ending in a street word ("Rose Cottage, Acacia Avenue"). A street of the
    gazetteer's (`known`, from `known_streets`) in that reading, or in an address where none was
    read, is preferred ("Rose Cottage Haymarket" → "Haymarket"). "" when no part qualifies (then
    nothing of the address is shown, rather than a house name or a postcode)."""
    read = _read_street(address)
    if not known:
        return read
    names = {name.lower(): name for name in known}
    found = [names[p] for p in street_phrases(read or address) if p in names]
    return max(found, key=len) if found else read


def street_phrases(text: str) -> set[str]:
    """Every run of up to six words within a part of `text`, in lower case: what may name a street."""
    phrases = set()
    for part in text.replace("\n", ",").split(","):
        words = [w.strip(".;:()").lower() for w in part.split() if w.strip(".;:()")]
        phrases.update(" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 6) + 1))
    return phrases


def _read_street(address: str) -> str:
    numbered, named = "", ""
    for part in address.replace("\n", ",").split(","):
        words, had_number = _street_words(_RANGE.sub(r"\1-\2", part).split())
        if words and had_number and not numbered:
            numbered = " ".join(words)
        elif words and words[-1].lower() in STREET_WORDS and _only_a_street(words):
            named = " ".join(words)
    return numbered or named


# Words that begin a street's name ("Upper Church Lane") rather than a house's or a person's.
_STREET_PREFIXES = {"upper", "lower", "old", "new", "north", "south", "east", "west", "great", "little", "st",
                    "saint", "the", "high"}


def _only_a_street(words: list[str]) -> bool:
    """A part with no house number is published only when it can be nothing but a street: two words
    ("Acacia Avenue"), or three led by a street's prefix ("Upper Church Lane"). "John Smith Acacia
    Avenue" or "Rose Cottage Acacia Avenue" could carry a name or a house: only a street the
    gazetteer knows is taken from those (`street_of`)."""
    return len(words) == 2 or (len(words) == 3 and words[0].lower() in _STREET_PREFIXES)


def _street_words(words: list[str]) -> tuple[list[str], bool]:
    """The street's words of one part of an address, and whether a house number came before them."""
    words = [w.strip(".;:()") for w in words if w.strip(".;:()")]
    if len(words) > 1 and words[0].lower() == "no" and _NUMBER.match(words[1]):  # "No. 4 Dean Street"
        words = words[1:]
    if words and words[0].lower() in _FLAT:  # "Flat 3 12 Example Street"; "Flat 3 Rose Court" is a building
        words = words[2:]
        if not (words and _NUMBER.match(words[0])):
            return [], False
    had_number = bool(words and _NUMBER.match(words[0]))
    if had_number:
        words = words[1:]
    kept: list[str] = []
    for word in words:
        if word.lower() in _FLAT or any(c.isdigit() for c in word):
            break
        kept.append(word)
    last = max((i for i, w in enumerate(kept) if w.lower() in STREET_WORDS), default=None)
    return (kept[:last + 1] if last is not None else kept), had_number


async def known_streets(addresses: Iterable[str]) -> list[str]:
    """The gazetteer's streets that `street_of` would prefer in these addresses, in one query."""
    from reportit.places.gazetteer import streets_named

    return await streets_named(p for a in addresses for p in street_phrases(_read_street(a) or a))


def load_redaction(raw: Any) -> Redaction:
    from reportit.applications.rules import RulesError

    if raw is None:
        return Redaction()
    if not isinstance(raw, Mapping):
        raise RulesError("applications.representations: must be a table, written [applications.representations]")
    kinds = {"publish_address": str, "publish_text": bool, "applicant_name": bool, "applicant_address": str,
             "publish_name": bool}
    for key, value in raw.items():
        if key not in kinds:
            raise RulesError(f"applications.representations.{key}: not a known key; use one of: {', '.join(kinds)}")
        if not isinstance(value, kinds[key]):
            raise RulesError(f"applications.representations.{key}: {value!r} is not "
                             f"{'true or false' if kinds[key] is bool else 'text in quotes'}")
    if raw.get("publish_name"):
        raise RulesError("applications.representations.publish_name: a representor's name is never published; "
                         "leave it out or set it to false")
    if raw.get("publish_address", "street") not in ADDRESS_CHOICES:
        raise RulesError(f"applications.representations.publish_address: use one of: {', '.join(ADDRESS_CHOICES)} "
                         "(the full address is never published)")
    if raw.get("applicant_address", "street") not in APPLICANT_ADDRESS:
        raise RulesError(f"applications.representations.applicant_address: use one of: {', '.join(APPLICANT_ADDRESS)}")
    return Redaction(**{k: v for k, v in raw.items() if k != "publish_name"})
