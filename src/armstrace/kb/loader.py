"""Read the knowledge base YAML into the typed records of `model.py`.

Two passes, as in followthemoney's model loader: the first reads every file into
typed records (sources, states, organisations, systems, equipment kinds,
alliances, conflicts), the second resolves what the records point at (source
ids, state codes, maker organisations, alliance members) once everything is
known. Every problem is collected with the file and the record it is in, so one
run reports all of them; `load` raises them together as a `KBError`, and
`check.check` adds the data-quality lints on top.

Layout of a data folder (see `kb/data/`):
  sources.yaml, states.yaml, organisations.yaml, systems.yaml, equipment.yaml, places.yaml
  alliances/<id>.yaml   one alliance per file
  conflicts/<id>.yaml   one adversarial dyad per file
  embargoes/<id>.yaml   one arms embargo per file (issuer, target, dated terms, how it ended)
  embargoes/sources.yaml  the legal acts the embargo terms cite (read like sources.yaml)
`states_overlay.yaml` is the input of `scripts/gen_states.py` and is not read here.

Periods are closed-open: `end` is the first day on which a membership,
obligation or conflict period no longer holds; no `end` means it still holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from armstrace.errors import UserError
from armstrace.kb.model import (
    INTENSITY_RANK,
    OBLIGATIONS,
    Alliance,
    Conflict,
    ConflictPeriod,
    Embargo,
    EmbargoIssuer,
    EmbargoTerm,
    EquipmentKind,
    Fact,
    KnowledgeBase,
    Membership,
    ObligationTerm,
    Organisation,
    Period,
    Place,
    Source,
    State,
    WeaponSystem,
)
from armstrace.records import CATEGORIES

# libyaml's safe loader when PyYAML was built with it (about seven times faster), else the pure one
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SOURCE_KINDS = ("dataset", "treaty", "statement", "reference", "report", "decision")
ORGANISATION_KINDS = ("export-agency", "defence-firm", "ministry", "armed-force", "government", "other")
ALLIANCE_KINDS = ("multilateral", "bilateral")
STATUSES = ("member", "suspended", "left")
INTENSITIES = tuple(INTENSITY_RANK)

# Files at the top of the data folder and the list each one holds.
LIST_FILES = {
    "sources.yaml": "sources",
    "embargoes/sources.yaml": "sources",  # the legal acts the embargo terms cite
    "states.yaml": "states",
    "organisations.yaml": "organisations",
    "systems.yaml": "systems",
    "equipment.yaml": "equipment",
    "places.yaml": "places",
}
RECORD_DIRS = ("alliances", "conflicts", "embargoes")
EMBARGO_ISSUERS: tuple[str, ...] = typing.get_args(EmbargoIssuer)
EMBARGO_SCOPES = ("all-arms", "partial")
EMBARGO_CHANGES = ("imposed", "modified")
NOT_READ = frozenset({"states_overlay.yaml"})  # generator input, merged into states.yaml


@dataclass(frozen=True)
class KBProblem:
    """One thing wrong in the knowledge base: the file, the record or fact id, what is wrong."""

    file: str
    id: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.id}" if self.id else self.file
        return f"{where}: {self.message}"


class KBError(UserError):
    """The knowledge base could not be loaded; the message names each file and problem."""

    code = "E030"

    def __init__(self, problems: list[KBProblem], data_dir: Path | None = None) -> None:
        self.problems = problems
        where = f" in {data_dir}" if data_dir else ""
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            f"The knowledge base{where} has {len(problems)} problem(s):\n{shown}{more}\n"
            "Fix the files named above; armstrace.kb.check() lists every problem."
        )


@dataclass
class Reading:
    """What one read of a data folder produced: the records, where each came from, the problems."""

    kb: KnowledgeBase
    problems: list[KBProblem] = field(default_factory=list)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> file

    def file_of(self, kind: str, id: str) -> str:
        return self.origin.get((kind, id), "")


class _Skip(Exception):
    """The record cannot be built; its problem has been recorded."""


class _Fields:
    """Typed access to one YAML mapping, recording a problem for each bad field."""

    def __init__(self, reader: _Reader, file: str, data: Any, what: str, allowed: Iterable[str]) -> None:
        self.reader = reader
        self.file = file
        if not isinstance(data, dict):
            self.id = ""
            self.fail(f"{what} must be a mapping of fields, not {type(data).__name__}")
        self.data: dict[str, Any] = data
        raw_id = data.get("id", data.get("code", ""))
        self.id = str(raw_id) if raw_id is not None else ""
        for key in data:
            if key not in allowed:
                self.problem(f"unknown field {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")

    def problem(self, message: str) -> None:
        self.reader.problem(self.file, self.id, message)

    def fail(self, message: str) -> None:
        self.problem(message)
        raise _Skip

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.fail(f"missing required field {key!r}")
            return default or ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(f"field {key!r} must be text, not {type(value).__name__}")
        return str(value).strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key, "") or None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"field {key!r} must be a list of non-empty texts")
        return tuple(v.strip() for v in value)

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"field {key!r} must be a whole number, not {value!r}")
        return int(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"field {key!r} must be true or false, not {value!r}")
        return bool(value)

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"missing required date {key!r} (write YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime):
            self.fail(f"field {key!r} must be a date without a time, not {value.isoformat()}")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(f"field {key!r} must be a date written YYYY-MM-DD, not {value!r}")
        return None  # unreachable: fail raises

    def choice(self, key: str, allowed: tuple[str, ...], what: str) -> str:
        value = self.text(key)
        if value not in allowed:
            self.fail(f"unknown {what} {value!r} (one of: {', '.join(allowed)})")
        return value

    def mappings(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"field {key!r} must be a list")
        return list(value)


FACT_FIELDS = ("id", "source", "text", "note")
REF_LABELS = {
    "source": "source id",
    "state": "state code",
    "member": "alliance member state code",
    "organisation": "maker organisation id",
}


class _Reader:
    def __init__(self, data_dir: Path, base: KnowledgeBase | None = None) -> None:
        self.data_dir = data_dir
        kb = KnowledgeBase()
        if base is not None:  # a layer on top of another knowledge base: its records are visible here
            for name in (
                "sources",
                "states",
                "organisations",
                "systems",
                "equipment",
                "places",
                "alliances",
                "conflicts",
                "embargoes",
            ):
                getattr(kb, name).update(getattr(base, name))
        self.reading = Reading(kb=kb)
        self.fact_ids: dict[str, str] = {}
        # Second-pass work: references to check once every file has been read.
        self.refs: list[tuple[str, str, str, str, str]] = []  # (file, record id, kind, target, field)

    # -- bookkeeping -----------------------------------------------------------------------------

    def problem(self, file: str, id: str, message: str) -> None:
        self.reading.problems.append(KBProblem(file, id, message))

    def ref(self, file: str, id: str, kind: str, target: str, what: str) -> None:
        self.refs.append((file, id, kind, target, what))

    def register(self, kind: str, id: str, file: str, table: dict[str, Any], value: Any) -> None:
        if not id:
            self.problem(file, "", f"a {kind} record has an empty id")
            return
        if id in table and (kind, id) in self.reading.origin:
            first = self.reading.file_of(kind, id)
            self.problem(file, id, f"duplicate {kind} id {id!r} (first defined in {first})")
            return
        table[id] = value
        self.reading.origin[(kind, id)] = file

    # -- pass 1: read every file -----------------------------------------------------------------

    def read(self) -> Reading:
        if not self.data_dir.is_dir():
            self.problem(str(self.data_dir), "", "the knowledge base folder does not exist")
            return self.reading
        # Top-level lists first, so that default fact texts can name the states they mention.
        paths = sorted(self.data_dir.rglob("*.yaml"), key=lambda p: (p.parent != self.data_dir, p.as_posix()))
        for path in paths:
            rel = path.relative_to(self.data_dir).as_posix()
            if rel in NOT_READ:
                continue
            data = self._yaml(path, rel)
            if data is None:
                continue
            if rel in LIST_FILES:
                self._read_list(rel, data, LIST_FILES[rel])
            elif path.parent.name in RECORD_DIRS and path.parent.parent == self.data_dir:
                readers = {
                    "alliances": self._alliance,
                    "conflicts": self._conflict,
                    "embargoes": self._embargo,
                }
                self._guarded(readers[path.parent.name], rel, data)
            else:
                self.problem(rel, "", "file is not part of the knowledge base layout and is not read")
        self._resolve()
        return self.reading

    def _yaml(self, path: Path, rel: str) -> Any:
        try:
            with path.open(encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            self.problem(rel, "", f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(rel, "", f"cannot be read: {exc}")
            return None
        if data is None:
            self.problem(rel, "", "file is empty")
        return data

    def _guarded(self, build: Callable[[str, Any], None], rel: str, data: Any) -> None:
        """Build one record; a record with a fatal problem is left out (the problem is recorded)."""
        with contextlib.suppress(_Skip):
            build(rel, data)

    def _read_list(self, rel: str, data: Any, key: str) -> None:
        if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], list):
            self.problem(rel, "", f"file must hold one key {key!r} with a list of records")
            return
        build = {
            "sources": self._source,
            "states": self._state,
            "organisations": self._organisation,
            "systems": self._system,
            "equipment": self._equipment,
            "places": self._place,
        }[key]
        for item in data[key]:
            self._guarded(build, rel, item)

    def _source(self, rel: str, data: Any) -> None:
        f = _Fields(self, rel, data, "source", ("id", "title", "kind", "publisher", "version", "url", "date"))
        source = Source(
            id=f.text("id"),
            title=f.text("title"),
            kind=cast(Any, f.choice("kind", SOURCE_KINDS, "source kind")),
            publisher=f.text("publisher", ""),
            version=f.text("version", ""),
            url=f.text("url", ""),
            date=f.date("date", required=False),
        )
        self.register("source", source.id, rel, self.reading.kb.sources, source)

    def _state(self, rel: str, data: Any) -> None:
        f = _Fields(
            self,
            rel,
            data,
            "state",
            (
                "code",
                "name",
                "alpha3",
                "cow",
                "historical",
                "names_en",
                "names_ru",
                "adjectives_en",
                "adjectives_ru",
                "demonyms_ru",
                "demonyms_en",
                "capitals",
                "sources",
            ),
        )
        state = State(
            code=f.text("code"),
            name=f.text("name"),
            names_en=f.texts("names_en"),
            names_ru=f.texts("names_ru"),
            adjectives_en=f.texts("adjectives_en"),
            adjectives_ru=f.texts("adjectives_ru"),
            demonyms_ru=f.texts("demonyms_ru"),
            demonyms_en=f.texts("demonyms_en"),
            capitals=f.texts("capitals"),
            alpha3=f.text("alpha3", ""),
            cow=f.integer("cow"),
            historical=f.flag("historical"),
            sources=f.texts("sources"),
        )
        if not state.sources:
            f.problem("state has no source for its codes and names")
        for source in state.sources:
            self.ref(rel, state.code, "source", source, "source")
        self.register("state", state.code, rel, self.reading.kb.states, state)

    def _organisation(self, rel: str, data: Any) -> None:
        f = _Fields(self, rel, data, "organisation", ("id", "name", "state", "kind", "aliases", "source"))
        org = Organisation(
            id=f.text("id"),
            name=f.text("name"),
            state=f.optional_text("state"),
            kind=cast(Any, f.choice("kind", ORGANISATION_KINDS, "organisation kind")),
            aliases=f.texts("aliases"),
            source=f.text("source", ""),
        )
        if org.state:
            self.ref(rel, org.id, "state", org.state, "state")
        self.ref(rel, org.id, "source", org.source, "source")
        self.register("organisation", org.id, rel, self.reading.kb.organisations, org)

    def _system(self, rel: str, data: Any) -> None:
        allowed = ("id", "name", "category", "aliases", "maker", "origin", "description", "source")
        f = _Fields(self, rel, data, "weapon system", allowed)
        system = WeaponSystem(
            id=f.text("id"),
            name=f.text("name"),
            category=f.choice("category", CATEGORIES, "SIPRI category"),
            aliases=f.texts("aliases"),
            maker=f.optional_text("maker"),
            origin=f.optional_text("origin"),
            description=f.text("description", ""),
            source=f.text("source", ""),
        )
        if system.maker:
            self.ref(rel, system.id, "organisation", system.maker, "maker")
        if system.origin:
            self.ref(rel, system.id, "state", system.origin, "origin")
        self.ref(rel, system.id, "source", system.source, "source")
        self.register("system", system.id, rel, self.reading.kb.systems, system)

    def _equipment(self, rel: str, data: Any) -> None:
        f = _Fields(self, rel, data, "equipment kind", ("id", "name", "category", "phrases", "phrases_ru"))
        kind = EquipmentKind(
            id=f.text("id"),
            name=f.text("name"),
            category=f.choice("category", CATEGORIES, "SIPRI category"),
            phrases=f.texts("phrases"),
            phrases_ru=f.texts("phrases_ru"),
        )
        if not kind.phrases:
            f.problem("equipment kind has no English phrases")
        for phrase in kind.phrases:
            if phrase != phrase.lower():
                f.problem(f"phrase {phrase!r} must be lower case")
        self.register("equipment", kind.id, rel, self.reading.kb.equipment, kind)

    def _place(self, rel: str, data: Any) -> None:
        f = _Fields(self, rel, data, "place", ("id", "state", "names", "adjectives_ru", "source"))
        place = Place(
            id=f.text("id"),
            state=f.text("state"),
            names=f.texts("names"),
            adjectives_ru=f.texts("adjectives_ru"),
            source=f.text("source", ""),
        )
        if not place.names:
            f.problem("place has no names")
        for adjective in place.adjectives_ru:
            if adjective != adjective.lower():
                f.problem(f"adjective {adjective!r} must be lower case")
        self.ref(rel, place.id, "state", place.state, "state")
        self.ref(rel, place.id, "source", place.source, "source")
        self.register("place", place.id, rel, self.reading.kb.places, place)

    # -- facts, alliances and conflicts ----------------------------------------------------------
    # A fact without `text` gets a generated one; states.yaml has been read by then (see
    # `read`), and an unknown state code shows as the code here and is reported in pass 2.

    def _fact(self, rel: str, f: _Fields, default_text: str, period: Period | None) -> Fact:
        fact = Fact(
            id=f.text("id"),
            source=f.text("source", ""),
            text=f.text("text", "") or default_text,
            period=period,
            note=f.text("note", ""),
        )
        if fact.id in self.fact_ids:
            f.problem(f"duplicate fact id {fact.id!r} (first defined in {self.fact_ids[fact.id]})")
        else:
            self.fact_ids[fact.id] = rel
            self.reading.origin[("fact", fact.id)] = rel
        self.ref(rel, fact.id, "source", fact.source, "source")
        return fact

    def _period(self, f: _Fields) -> Period:
        start = f.date("start")
        end = f.date("end", required=False)
        assert start is not None
        if end is not None and end <= start:
            f.fail(f"period ends ({end}) on or before it starts ({start})")
        return Period(start, end)

    def _alliance(self, rel: str, data: Any) -> None:
        allowed = ("id", "name", "kind", "aliases", "atop_id", "note", "founded", "obligations", "members")
        f = _Fields(self, rel, data, "alliance", allowed)
        alliance = Alliance(
            id=f.text("id"),
            name=f.text("name"),
            kind=cast(Any, f.choice("kind", ALLIANCE_KINDS, "alliance kind")),
            aliases=f.texts("aliases"),
            atop_id=f.integer("atop_id"),
            note=f.text("note", ""),
        )
        if data.get("founded") is None:
            f.problem("alliance has no founding fact ('founded')")
        else:
            self._guarded(lambda r, d: self._founding(r, d, alliance), rel, data["founded"])
        for item in f.mappings("obligations"):
            self._guarded(lambda r, d: self._obligation(r, d, alliance), rel, item)
        for item in f.mappings("members"):
            self._guarded(lambda r, d: self._member(r, d, alliance), rel, item)
        if alliance.kind == "bilateral" and len({m.state for m in alliance.memberships}) != 2:
            f.problem("a bilateral alliance must have exactly two member states")
        self.register("alliance", alliance.id, rel, self.reading.kb.alliances, alliance)

    def _founding(self, rel: str, data: Any, alliance: Alliance) -> None:
        f = _Fields(self, rel, data, "founding fact", (*FACT_FIELDS, "date"))
        day = f.date("date")
        assert day is not None
        text = f"{alliance.name} founded: treaty signed on {day.isoformat()}."
        alliance.fact = self._fact(rel, f, text, Period(day))

    def _obligation(self, rel: str, data: Any, alliance: Alliance) -> None:
        f = _Fields(self, rel, data, "obligation", (*FACT_FIELDS, "type", "start", "end"))
        kind = f.choice("type", OBLIGATIONS, "obligation type")
        period = self._period(f)
        fact = self._fact(rel, f, f"{alliance.name}: {kind} obligation in force {_span(period)}.", period)
        alliance.obligations.append(ObligationTerm(fact=fact, type=cast(Any, kind), period=period))

    def _member(self, rel: str, data: Any, alliance: Alliance) -> None:
        f = _Fields(self, rel, data, "member", ("state", "periods"))
        state = f.text("state")
        self.ref(rel, alliance.id, "member", state, "members")
        for item in f.mappings("periods"):
            self._guarded(lambda r, d: self._membership(r, d, alliance, state), rel, item)

    def _membership(self, rel: str, data: Any, alliance: Alliance, state: str) -> None:
        f = _Fields(self, rel, data, "membership period", (*FACT_FIELDS, "status", "start", "end"))
        status = f.choice("status", STATUSES, "membership status")
        period = self._period(f)
        verb = {"member": "member of", "suspended": "participation suspended in", "left": "not a member of"}
        text = f"{self._name(state)}: {verb[status]} {alliance.name} {_span(period)}."
        fact = self._fact(rel, f, text, period)
        alliance.memberships.append(
            Membership(fact=fact, state=state, status=cast(Any, status), period=period)
        )

    def _conflict(self, rel: str, data: Any) -> None:
        f = _Fields(self, rel, data, "conflict", ("id", "name", "sides", "periods"))
        sides = f.texts("sides")
        if len(sides) != 2 or sides[0] == sides[1]:
            f.fail("a conflict needs exactly two different sides (state codes)")
        conflict = Conflict(id=f.text("id"), name=f.text("name"), sides=(sides[0], sides[1]))
        for side in sides:
            self.ref(rel, conflict.id, "state", side, "sides")
        for item in f.mappings("periods"):
            self._guarded(lambda r, d: self._conflict_period(r, d, conflict), rel, item)
        if not conflict.periods:
            f.problem("conflict has no periods")
        self.register("conflict", conflict.id, rel, self.reading.kb.conflicts, conflict)

    def _conflict_period(self, rel: str, data: Any, conflict: Conflict) -> None:
        f = _Fields(self, rel, data, "conflict period", (*FACT_FIELDS, "intensity", "start", "end"))
        intensity = f.choice("intensity", INTENSITIES, "intensity")
        period = self._period(f)
        a, b = conflict.sides
        text = f"{self._name(a)} and {self._name(b)}: {intensity} {_span(period)}."
        fact = self._fact(rel, f, text, period)
        conflict.periods.append(ConflictPeriod(fact=fact, intensity=cast(Any, intensity), period=period))

    def _embargo(self, rel: str, data: Any) -> None:
        allowed = (
            "id",
            "name",
            "issuer",
            "issuer_state",
            "target",
            "non_state_only",
            "note",
            "terms",
            "lifted",
        )
        f = _Fields(self, rel, data, "embargo", allowed)
        embargo = Embargo(
            id=f.text("id"),
            name=f.text("name"),
            issuer=f.choice("issuer", EMBARGO_ISSUERS, "embargo issuer"),
            target=f.text("target"),
            issuer_state=f.optional_text("issuer_state"),
            non_state_only=f.flag("non_state_only"),
            note=f.text("note", ""),
        )
        self.ref(rel, embargo.id, "state", embargo.target, "target")
        if embargo.issuer == "national" and not embargo.issuer_state:
            f.problem("a national embargo must name the issuing state in 'issuer_state'")
        elif embargo.issuer != "national" and embargo.issuer_state:
            f.problem(f"'issuer_state' is only for national embargoes, not for issuer {embargo.issuer!r}")
        if embargo.issuer_state:
            self.ref(rel, embargo.id, "state", embargo.issuer_state, "issuer_state")
        for item in f.mappings("terms"):
            self._guarded(lambda r, d: self._embargo_term(r, d, embargo), rel, item)
        if not data.get("terms"):
            f.problem("embargo has no terms")
        if data.get("lifted") is not None:
            self._guarded(lambda r, d: self._embargo_lifted(r, d, embargo), rel, data["lifted"])
        if embargo.terms:
            ends = [t.period.end for t in embargo.terms]
            if embargo.lifted is None and None not in ends:
                f.problem("every term of the embargo has ended, but no 'lifted' fact says how it ended")
            if embargo.lifted is not None and embargo.lifted.period is not None:
                day = embargo.lifted.period.start
                last = max((e for e in ends if e is not None), default=None)
                if None in ends:
                    f.problem(f"embargo is lifted on {day} but a term has no end")
                elif day != last:
                    f.problem(f"embargo is lifted on {day}, not on the day its last term ends ({last})")
        self.register("embargo", embargo.id, rel, self.reading.kb.embargoes, embargo)

    def _embargo_term(self, rel: str, data: Any, embargo: Embargo) -> None:
        allowed = (*FACT_FIELDS, "change", "start", "end", "binding", "scope", "scope_note")
        f = _Fields(self, rel, data, "embargo term", allowed)
        if "binding" not in f.data:
            f.fail("embargo term must say whether it is legally binding ('binding: true' or 'false')")
        binding = f.flag("binding")
        scope = f.choice("scope", EMBARGO_SCOPES, "embargo scope") if "scope" in f.data else "all-arms"
        change = f.choice("change", EMBARGO_CHANGES, "embargo change") if "change" in f.data else "imposed"
        scope_note = f.text("scope_note", "")
        if scope == "partial" and not scope_note:
            f.problem("a partial embargo term must say what it covers in 'scope_note'")
        period = self._period(f)
        what = "all arms" if scope == "all-arms" else f"partial ({scope_note})"
        kind = "binding" if binding else "voluntary"
        text = f"{embargo.name}: {kind} embargo on {what}, in force {_span(period)}."
        fact = self._fact(rel, f, text, period)
        embargo.terms.append(
            EmbargoTerm(
                fact=fact,
                period=period,
                binding=binding,
                scope=cast(Any, scope),
                note=scope_note,
                change=cast(Any, change),
            )
        )

    def _embargo_lifted(self, rel: str, data: Any, embargo: Embargo) -> None:
        f = _Fields(self, rel, data, "embargo end ('lifted')", (*FACT_FIELDS, "date"))
        day = f.date("date")
        assert day is not None
        embargo.lifted = self._fact(rel, f, f"{embargo.name} ended on {day.isoformat()}.", Period(day))

    def _name(self, code: str) -> str:
        return self.reading.kb.state_name(code)

    # -- pass 2: resolve references --------------------------------------------------------------

    def _resolve(self) -> None:
        kb = self.reading.kb
        tables: dict[str, dict[str, Any]] = {
            "source": kb.sources,
            "state": kb.states,
            "member": kb.states,
            "organisation": kb.organisations,
        }
        for file, id, kind, target, what in self.refs:
            if not target:
                if kind == "source":
                    self.problem(file, id, "has no source: every fact and record must name one")
                continue
            if target not in tables[kind]:
                self.problem(file, id, f"unknown {REF_LABELS[kind]} {target!r} in field {what!r}")


def _span(period: Period) -> str:
    if period.end is None:
        return f"from {period.start.isoformat()}"
    return f"from {period.start.isoformat()} until {period.end.isoformat()}"


def read(data_dir: Path, base: KnowledgeBase | None = None) -> Reading:
    """Read a data folder in two passes and collect every problem; never raises for bad data.

    With a `base`, the folder is a layer: its records may refer to the base's and replace
    base records of the same id (an imported dataset on top of the bundled knowledge base).
    """
    return _Reader(data_dir, base).read()


def load(data_dir: Path, base: KnowledgeBase | None = None) -> KnowledgeBase:
    """Read a data folder; raise `KBError` naming each file and problem if any record is invalid."""
    reading = read(data_dir, base)
    if reading.problems:
        raise KBError(reading.problems, data_dir)
    return reading.kb
