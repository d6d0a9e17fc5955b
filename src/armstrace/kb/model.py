"""Typed records of the knowledge base.

The knowledge base is data (YAML files under `kb/data/`); these types are what
the loader turns it into. Every dated statement is a `Fact` with an id and a
source id that resolves to a `Source`, so a finding can cite it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Obligation = Literal["defence", "offence", "neutrality", "non-aggression", "consultation"]
OBLIGATIONS: tuple[Obligation, ...] = ("defence", "offence", "neutrality", "non-aggression", "consultation")

MembershipStatus = Literal["member", "suspended", "left"]
Intensity = Literal["rivalry", "crisis", "war"]
INTENSITY_RANK: dict[str, int] = {"rivalry": 1, "crisis": 2, "war": 3}

_NON_WORD = re.compile(r"[\W_]+")


def normalise_name(text: str) -> str:
    """The form under which two spellings of a name count as the same alias.

    Case, accents, `ё`, quotes and punctuation are ignored, so "Groza-S", "GROZA S" and
    "«Гроза-С»" compare equal to their own spellings; Latin and Cyrillic stay distinct.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ё", "е"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a dataset and version, a treaty, an official statement."""

    id: str
    title: str
    # decision: a legal act of an organisation (UN Security Council resolution, EU Council decision)
    kind: Literal["dataset", "treaty", "statement", "reference", "report", "decision"]
    publisher: str = ""
    version: str = ""
    url: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class Period:
    """A closed-open span of days; `end=None` means still in force."""

    start: dt.date
    end: dt.date | None = None

    def contains_year(self, year: int) -> bool:
        return self.start.year <= year and (self.end is None or self.end.year >= year)

    def overlaps_years(self, first: int, last: int) -> bool:
        return self.start.year <= last and (self.end is None or self.end.year >= first)


@dataclass(frozen=True)
class Fact:
    """One dated, sourced statement the analysis may cite."""

    id: str
    source: str
    text: str
    period: Period | None = None
    note: str = ""  # why the curators coded it this way (dates, choices between sources)


@dataclass(frozen=True)
class State:
    code: str  # ISO 3166-1 alpha-2
    name: str
    names_en: tuple[str, ...] = ()  # other English names and short forms
    names_ru: tuple[str, ...] = ()  # Russian names (nominative)
    adjectives_en: tuple[str, ...] = ()  # adjectives and demonyms: "Belarusian", "Azerbaijani"
    adjectives_ru: tuple[str, ...] = ()
    demonyms_ru: tuple[str, ...] = ()  # a people for its state: "китаец" ("Китайцы привезли ЗРК")
    demonyms_en: tuple[str, ...] = ()  # plural peoples not formed by adding -s to the adjective: "Turks"
    capitals: tuple[str, ...] = ()  # capital names usable for the government: "Minsk", "Минск"
    alpha3: str = ""
    cow: int | None = None
    historical: bool = False
    sources: tuple[str, ...] = ()  # source ids for the codes and names above


@dataclass(frozen=True)
class Organisation:
    """An organisation that belongs to a state: export agency, defence firm, ministry, armed force."""

    id: str
    name: str
    state: str | None
    kind: Literal["export-agency", "defence-firm", "ministry", "armed-force", "government", "other"]
    aliases: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class WeaponSystem:
    id: str
    name: str
    category: str  # SIPRI armament category, lower case
    aliases: tuple[str, ...] = ()  # designations and spellings, Latin and Cyrillic
    maker: str | None = None  # organisation id
    origin: str | None = None  # ISO alpha-2
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Place:
    """A town or city and the state it lies in, so an address or a place name in a firm's name
    ("г. Борисов", "ОАО «Гродненский …»") tells whose firm it is. Never an actor by itself."""

    id: str
    state: str  # ISO alpha-2
    names: tuple[str, ...]  # names in Latin and Cyrillic script: "Kharkiv", "Kharkov", "Харьков"
    adjectives_ru: tuple[str, ...] = ()  # "харьковский": the adjective a firm's name may carry
    source: str = ""


@dataclass(frozen=True)
class EquipmentKind:
    """A described kind of equipment ("artillery targeting equipment") with its category."""

    id: str
    name: str
    category: str
    phrases: tuple[str, ...]  # lower-case English phrases, matched on token boundaries
    phrases_ru: tuple[str, ...] = ()


@dataclass(frozen=True)
class Membership:
    """One period of one state in an alliance, with its status in that period."""

    fact: Fact
    state: str
    status: MembershipStatus
    period: Period


@dataclass(frozen=True)
class ObligationTerm:
    fact: Fact
    type: Obligation
    period: Period


@dataclass
class Alliance:
    id: str
    name: str
    kind: Literal["multilateral", "bilateral"]
    aliases: tuple[str, ...] = ()
    atop_id: int | None = None
    obligations: list[ObligationTerm] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    fact: Fact | None = None  # the founding fact (treaty signature)
    note: str = ""  # how the curators read the treaty text (e.g. why an obligation is coded as it is)

    def members_in(self, year: int) -> set[str]:
        return {m.state for m in self.memberships if m.status == "member" and m.period.contains_year(year)}

    def membership_on(self, state: str, day: dt.date) -> Membership | None:
        """The membership period of `state` that covers `day` (closed-open), if any."""
        for m in self.memberships:
            if m.state == state and m.period.start <= day and (m.period.end is None or day < m.period.end):
                return m
        return None

    def obligations_in(self, year: int) -> set[str]:
        return {o.type for o in self.obligations if o.period.contains_year(year)}


@dataclass(frozen=True)
class ConflictPeriod:
    fact: Fact
    intensity: Intensity
    period: Period


@dataclass
class Conflict:
    id: str
    name: str
    sides: tuple[str, str]
    periods: list[ConflictPeriod] = field(default_factory=list)

    def intensity_in(self, year: int) -> str | None:
        best: str | None = None
        for p in self.periods:
            if p.period.contains_year(year) and (
                best is None or INTENSITY_RANK[p.intensity] > INTENSITY_RANK[best]
            ):
                best = p.intensity
        return best


EmbargoIssuer = Literal["un-security-council", "eu", "osce", "ecowas", "au", "arab-league", "national"]


@dataclass(frozen=True)
class EmbargoTerm:
    """One dated period of an arms embargo, with what it covered in that period."""

    fact: Fact
    period: Period
    binding: bool  # legally binding (UN Security Council, EU) or voluntary (OSCE request, some national)
    scope: Literal["all-arms", "partial"] = "all-arms"
    note: str = ""  # what partial means: "lethal equipment only", "government forces exempt", ...
    change: Literal["imposed", "modified"] = "imposed"  # how the term began: the embargo imposed, or changed


@dataclass
class Embargo:
    """An arms embargo on a target (a state; non-state targets name the state they operate in)."""

    id: str  # e.g. "un-somalia-1992"
    name: str
    issuer: str  # EmbargoIssuer; a national embargo names the issuing state in `issuer_state`
    target: str  # ISO alpha-2 of the state under embargo (or where the targeted groups operate)
    terms: list[EmbargoTerm] = field(default_factory=list)
    issuer_state: str | None = None
    non_state_only: bool = False  # covers only non-governmental forces in the target state
    note: str = ""  # how the curators read the embargo's legal acts (dates, scope, what is uncertain)
    lifted: Fact | None = None  # how the embargo ended (lifted, expired, replaced), dated, with its source

    def term_in(self, year: int) -> EmbargoTerm | None:
        for term in self.terms:
            if term.period.contains_year(year):
                return term
        return None


@dataclass
class KnowledgeBase:
    sources: dict[str, Source] = field(default_factory=dict)
    states: dict[str, State] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    systems: dict[str, WeaponSystem] = field(default_factory=dict)
    equipment: dict[str, EquipmentKind] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    alliances: dict[str, Alliance] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    embargoes: dict[str, Embargo] = field(default_factory=dict)

    def facts(self) -> dict[str, Fact]:
        """Every citable fact by id."""
        out: dict[str, Fact] = {}
        for alliance in self.alliances.values():
            if alliance.fact:
                out[alliance.fact.id] = alliance.fact
            for o in alliance.obligations:
                out[o.fact.id] = o.fact
            for m in alliance.memberships:
                out[m.fact.id] = m.fact
        for conflict in self.conflicts.values():
            for p in conflict.periods:
                out[p.fact.id] = p.fact
        for embargo in self.embargoes.values():
            for term in embargo.terms:
                out[term.fact.id] = term.fact
            if embargo.lifted:
                out[embargo.lifted.id] = embargo.lifted
        return out

    def state_name(self, code: str) -> str:
        state = self.states.get(code)
        return state.name if state else code

    def conflicts_of(self, a: str, b: str) -> list[Conflict]:
        pair = {a, b}
        return [c for c in self.conflicts.values() if set(c.sides) == pair]

    def system_named(self, name: str) -> WeaponSystem | None:
        """The system whose id, name or alias matches `name` under `normalise_name`."""
        key = normalise_name(name)
        for system in self.systems.values():
            if key in {normalise_name(n) for n in (system.id, system.name, *system.aliases)}:
                return system
        return None

    def organisation_named(self, name: str) -> Organisation | None:
        """The organisation whose id, name or alias matches `name` under `normalise_name`."""
        key = normalise_name(name)
        for org in self.organisations.values():
            if key in {normalise_name(n) for n in (org.id, org.name, *org.aliases)}:
                return org
        return None
