"""The council's catalogue: who the council is, its map, and what residents can report.

Read from the TOML file (everything but `[service]`): council name, colours and phone, the map,
groups, categories with their questions and signposts, statuses and response templates. It says
nothing about how the service is deployed (that is `config.Config`), so a domain that only needs
categories or statuses takes a `Catalogue` and can be tested with any deployment.

Every problem is reported with the TOML key that holds it, e.g.
`categories[3].questions[1].datatype: 'colour' is not a datatype; use one of: string, …`
(array positions count from 0, in the order the tables appear in the file).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Mapping

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
STATUS_KINDS = ("open", "closed", "fixed")


class CatalogueError(ValueError):
    """The catalogue cannot describe a working service; the message names the TOML key."""


@dataclass(frozen=True)
class Choice:
    key: str
    name: str
    blocks: str | None = None  # a notice that stops the form ("Call 999 now")


@dataclass(frozen=True)
class Question:
    """An extra question, in the shape of an Open311 service attribute."""

    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    variable: bool = True  # False: a notice to read, not a question to answer
    order: int = 0
    datatype_description: str = ""
    values: tuple[Choice, ...] = ()

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.values if c.key == key), None)


@dataclass(frozen=True)
class Signpost:
    """A category that sends the resident to a partner instead of a form."""

    partner: str
    message: str
    phone: str = ""
    url: str = ""
    # The partner page's first sentence, written for this problem ("The council does not deal
    # with crime…"): a category's name rarely fits into one fixed sentence.
    summary: str = ""
    # Streets this partner maintains (reportit.places): a street whose maintaining authority in the
    # street data is one of these names sends problems of these groups to this signpost instead of
    # the form ("Victoria Embankment is a red route, looked after by Transport for London").
    street_authorities: tuple[str, ...] = ()
    street_groups: tuple[str, ...] = ()

    def opening(self) -> str:
        return self.summary or f"This is not something the council deals with. {self.partner} can help."


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    private: bool = False  # reports visible only to their reporter and staff
    sla_days: int | None = None
    questions: tuple[Question, ...] = ()
    signpost: Signpost | None = None
    # The category offered when nothing else fits ("Something else"), even when a search finds nothing.
    catch_all: bool = False


@dataclass(frozen=True)
class Group:
    code: str
    name: str


@dataclass(frozen=True)
class Status:
    code: str
    name: str
    kind: str  # one of STATUS_KINDS
    description: str = ""


@dataclass(frozen=True)
class ResponseTemplate:
    """A canned public message for officers; {reference}, {category} and {status} are filled in."""

    code: str
    title: str
    text: str
    status: str | None = None  # the status it suggests, if any
    categories: tuple[str, ...] = ()  # empty: offered for every category

    def render(self, *, reference: str, category: str, status: str) -> str:
        return (self.text.replace("{reference}", reference).replace("{category}", category)
                .replace("{status}", status))


@dataclass(frozen=True)
class Council:
    name: str
    short_name: str = "Report It"
    theme_colour: str = "#1d3557"
    background_colour: str = "#ffffff"
    website: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class MapSettings:
    centre: tuple[float, float]
    # (south, west, north, east): reports must fall inside.
    bounds: tuple[float, float, float, float]
    zoom: int = 15
    tile_url: str = ""
    tile_attribution: str = ""

    def contains(self, lat: float, lng: float) -> bool:
        south, west, north, east = self.bounds
        return south <= lat <= north and west <= lng <= east


@dataclass(frozen=True)
class Catalogue:
    council: Council
    map: MapSettings
    groups: tuple[Group, ...]
    categories: tuple[Category, ...]
    statuses: tuple[Status, ...]
    initial_status: str = "received"
    response_templates: tuple[ResponseTemplate, ...] = ()
    # `[applications]`: planning and licensing application types and their consultation rules
    # (reportit.applications.rules.ApplicationRules).
    applications: Any = None

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def status(self, code: str) -> Status | None:
        return next((s for s in self.statuses if s.code == code), None)

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)


def load_catalogue(toml: Mapping[str, Any], *, tile_url: str | None = None) -> Catalogue:
    """Build the catalogue from the parsed TOML (its `[service]` table is ignored here);
    `tile_url`, when given, replaces `map.tile_url` (REPORTIT_TILE_URL)."""
    for key in toml:
        if key not in TABLES:
            raise CatalogueError(f"{key}: not a known key; use one of: {', '.join(TABLES)}")
    catalogue = Catalogue(
        council=_entry(Council, toml.get("council", {"name": "Report It"}), "council"),
        map=_map(toml.get("map", {}), tile_url),
        groups=_entries(Group, toml, "groups"),
        categories=_entries(Category, toml, "categories", nested={"questions": _questions, "signpost": _signpost}),
        statuses=_entries(Status, toml, "statuses"),
        initial_status=_typed(toml.get("initial_status", "received"), "str", "initial_status"),
        response_templates=_entries(ResponseTemplate, toml, "response_templates"),
        applications=_applications(toml.get("applications")),
    )
    _check(catalogue)
    return catalogue


TABLES = ("initial_status", "council", "service", "map", "groups", "categories", "statuses", "response_templates",
          "applications")


def _applications(raw: Any) -> Any:
    from reportit.applications.rules import RulesError, load_rules

    try:
        return load_rules(raw)
    except RulesError as exc:
        raise CatalogueError(str(exc)) from None


# Building entries: each TOML table becomes one frozen dataclass, its keys checked by name and type.
Nested = Mapping[str, Callable[[Any, str], Any]]

TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "str": ((str,), "text in quotes"),
    "bool": ((bool,), "true or false"),
    "int": ((int,), "a whole number"),
    "float": ((int, float), "a number"),
}


def _entries(cls: type, toml: Mapping[str, Any], key: str, nested: Nested | None = None) -> tuple[Any, ...]:
    raw = toml.get(key, [])
    if not isinstance(raw, list):
        raise CatalogueError(f"{key}: must be a list of tables, written [[{key}]]")
    return tuple(_entry(cls, item, f"{key}[{i}]", nested) for i, item in enumerate(raw))


def _entry(cls: type, raw: Any, path: str, nested: Nested | None = None) -> Any:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{path}: must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in fields:
            raise CatalogueError(f"{path}.{key}: not a known key; use one of: {', '.join(fields)}")
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in raw:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                raise CatalogueError(f"{path}.{name}: missing; every entry here needs one")
            continue
        build = (nested or {}).get(name)
        values[name] = build(raw[name], f"{path}.{name}") if build else _typed(raw[name], str(spec.type), f"{path}.{name}")
    return cls(**values)


def _typed(value: Any, type_name: str, path: str) -> Any:
    """Check a scalar or a list of scalars against the field's annotation ("str | None", "tuple[str, ...]")."""
    if type_name.startswith("tuple["):
        if not isinstance(value, list):
            raise CatalogueError(f"{path}: must be a list, written [\"…\", \"…\"]")
        inner = type_name.removeprefix("tuple[").split(",")[0]
        return tuple(_typed(item, inner, f"{path}[{i}]") for i, item in enumerate(value))
    name = type_name.removesuffix(" | None")
    accepted, words = TYPES[name]
    if not isinstance(value, accepted) or (name != "bool" and isinstance(value, bool)):
        raise CatalogueError(f"{path}: {value!r} is not {words}")
    return value


def _questions(raw: Any, path: str) -> tuple[Question, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{path}: must be a list of tables, written [[categories.questions]]")
    return tuple(_entry(Question, q, f"{path}[{i}]", {"values": _choices}) for i, q in enumerate(raw))


def _choices(raw: Any, path: str) -> tuple[Choice, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{path}: must be a list of tables, written [[categories.questions.values]]")
    return tuple(_entry(Choice, v, f"{path}[{i}]") for i, v in enumerate(raw))


def _signpost(raw: Any, path: str) -> Signpost:
    return _entry(Signpost, raw, path)


def _map(raw: Any, tile_url: str | None) -> MapSettings:
    if not isinstance(raw, Mapping):
        raise CatalogueError("map: must be a table, written [map]")
    for key in ("centre", "bounds"):
        if key not in raw:
            raise CatalogueError(f"map.{key}: missing; [map] needs centre = [lat, lng] "
                                 "and bounds = [south, west, north, east]")
    built = _entry(MapSettings, raw, "map", {"centre": _numbers(2, "[lat, lng]"),
                                             "bounds": _numbers(4, "[south, west, north, east]")})
    return built if tile_url is None else dataclasses.replace(built, tile_url=tile_url)


def _numbers(count: int, shape: str) -> Callable[[Any, str], tuple[float, ...]]:
    def build(value: Any, path: str) -> tuple[float, ...]:
        if not (isinstance(value, list) and len(value) == count
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)):
            raise CatalogueError(f"{path}: must be {count} numbers, written {shape}")
        return tuple(float(x) for x in value)
    return build


def _check(catalogue: Catalogue) -> None:
    """Rules across entries: codes unique, names that refer to other entries refer to real ones."""
    groups = [g.code for g in catalogue.groups]
    _unique("groups", groups)
    _unique("categories", [c.code for c in catalogue.categories])
    _unique("statuses", [s.code for s in catalogue.statuses])
    for i, category in enumerate(catalogue.categories):
        path = f"categories[{i}]"
        if category.group not in groups:
            raise CatalogueError(f"{path}.group: unknown group {category.group!r} in category {category.code!r}; "
                                 f"use one of: {', '.join(groups)}")
        for j, question in enumerate(category.questions):
            where = f"{path}.questions[{j}]"
            if question.datatype not in DATATYPES:
                raise CatalogueError(f"{where}.datatype: {question.datatype!r} is not a datatype; "
                                     f"use one of: {', '.join(DATATYPES)}")
            if question.datatype.endswith("list") and not question.values:
                raise CatalogueError(f"{where}.values: a list question needs values "
                                     f"(question {question.code!r} of category {category.code!r})")
        if category.catch_all and category.signpost:
            raise CatalogueError(f"{path}.catch_all: a catch_all category cannot be a signpost "
                                 f"(category {category.code!r})")
    catch_alls = [i for i, c in enumerate(catalogue.categories) if c.catch_all]
    if len(catch_alls) > 1:
        raise CatalogueError(f"categories[{catch_alls[1]}].catch_all: only one category may have catch_all = true")
    statuses = [s.code for s in catalogue.statuses]
    for i, status in enumerate(catalogue.statuses):
        if status.kind not in STATUS_KINDS:
            raise CatalogueError(f"statuses[{i}].kind: {status.kind!r} is not a kind; use one of: {', '.join(STATUS_KINDS)}")
    for i, template in enumerate(catalogue.response_templates):
        if template.status and template.status not in statuses:
            raise CatalogueError(f"response_templates[{i}].status: unknown status {template.status!r}; "
                                 f"use one of: {', '.join(statuses)}")
        for j, code in enumerate(template.categories):
            if not catalogue.category(code):
                raise CatalogueError(f"response_templates[{i}].categories[{j}]: unknown category {code!r}")
    if catalogue.initial_status not in statuses:
        raise CatalogueError(f"initial_status: {catalogue.initial_status!r} is not a listed status; "
                             f"use one of: {', '.join(statuses)}")


def _unique(key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            raise CatalogueError(f"{key}[{i}].code: {code!r} is listed twice")
        seen.add(code)
