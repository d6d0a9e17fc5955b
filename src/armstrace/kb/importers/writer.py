"""Write an imported dataset as a knowledge-base layer folder, and check it on top of the bundled KB.

A layer has the layout `loader.read` expects (`sources.yaml`, `alliances/<id>.yaml`,
`conflicts/<id>.yaml`) and is read on top of the bundled knowledge base
(`armstrace.kb.layers()`), so its records may name the bundled states and sources.

Several importers write into one folder (`./armstrace-kb` by default), so each owns
only its part of it:
- a file an importer writes whole (an ATOP alliance, a conflict only one dataset
  knows) starts with a `# Written by armstrace kb import <name>` line; the next run of
  the same importer rewrites or deletes it and leaves other files alone;
- a conflict file may hold periods of several datasets (a dyad that UCDP records as a
  war and TSS as a rivalry); each importer replaces only the periods whose source is
  its dataset's (`ucdp-prio-acd-*`, `tss-rivalries-*`);
- `sources.yaml` keeps the other importers' sources.
Everything is written in a fixed order, with no timestamps, so importing the same
input twice writes identical files.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from armstrace.errors import UserError
from armstrace.kb.check import lint
from armstrace.kb.loader import KBProblem, read
from armstrace.kb.model import Conflict, KnowledgeBase, Period

HEADER = "# Written by armstrace kb import {importer}"


class ImportInputError(UserError):
    """An importer's input is not the dataset it expects (missing file or columns, unreadable rows)."""

    code = "E031"


def require_columns(path: Path, header: Sequence[str] | None, needed: Iterable[str], what: str) -> None:
    """Raise a user error naming the file when `header` lacks any of `needed`."""
    have = {h.strip().lower() for h in header or ()}
    missing = [c for c in needed if c.lower() not in have]
    if missing:
        raise ImportInputError(
            f"{path}: this does not look like {what}: missing column(s) {', '.join(missing)}"
            + (
                f" (found: {', '.join(list(header)[:12])}{', ...' if len(header) > 12 else ''})"
                if header
                else ""
            )
            + "."
        )


def slug(text: str) -> str:
    """`"Côte d'Ivoire"` -> `cote-d-ivoire`: the id form of an English name."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def dyad(kb: KnowledgeBase, a: str, b: str) -> tuple[str, str, str, str]:
    """(id, name, side, side) of a conflict between two states, as the bundled KB names them."""
    (sa, ca), (sb, cb) = sorted([(slug(kb.state_name(a)), a), (slug(kb.state_name(b)), b)])
    return f"{sa}-{sb}", f"{kb.state_name(ca)}–{kb.state_name(cb)}", ca, cb


def conflict_for(
    kb: KnowledgeBase, a: str, b: str, suffix: str, label: str
) -> tuple[str, str, tuple[str, str], list[Conflict]]:
    """(id, name, sides, bundled conflicts of the pair) of the conflict an imported dyad's periods go to.

    A pair the bundled KB already has a conflict for gets that conflict's id and name marked
    with the dataset (`-<suffix>`, `(<label>)`), so the curated file is never rewritten; another
    pair gets its own `dyad` id, suffixed only when the bundled KB uses that id for other states.
    """
    conflict_id, name, side_a, side_b = dyad(kb, a, b)
    curated = kb.conflicts_of(side_a, side_b)
    if curated:
        target = curated[0]
        return f"{target.id}-{suffix}", f"{target.name} ({label})", target.sides, curated
    if conflict_id in kb.conflicts:  # an id the bundled KB uses for another pair
        conflict_id = f"{conflict_id}-{suffix}"
    return conflict_id, name, (side_a, side_b), curated


def curated_clash(curated: Iterable[Conflict], intensity: str, period: Period) -> str | None:
    """The fact id of a bundled period of that intensity overlapping `period`: the import leaves it out."""
    return next(
        (
            p.fact.id
            for c in curated
            for p in c.periods
            if p.intensity == intensity and overlaps(p.period, period)
        ),
        None,
    )


def day_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


def overlaps(a: Period, b: Period) -> bool:
    """Closed-open periods overlap when each starts before the other ends."""
    return (b.end is None or a.start < b.end) and (a.end is None or b.start < a.end)


def span(period: Period) -> str:
    return f"{period.start.isoformat()}..{period.end.isoformat() if period.end else 'open'}"


# --- what an import did ------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an importer read, wrote and left out, for the command's summary and the tests."""

    dataset: str  # e.g. "ATOP v5.1"
    out_dir: Path
    read: dict[str, int] = field(default_factory=dict)  # what was read: rows of each input file
    counts: dict[str, int] = field(default_factory=dict)  # what was written: alliances, members, ...
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # code/name -> where it occurs
    written: list[str] = field(default_factory=list)  # files written (relative to out_dir)
    removed: list[str] = field(default_factory=list)  # stale files of an earlier run deleted
    notes: list[str] = field(default_factory=list)
    problems: list[KBProblem] = field(default_factory=list)  # check of the layer on the bundled KB

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def count_read(self, key: str, n: int = 1) -> None:
        self.read[key] = self.read.get(key, 0) + n

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))

    def unmapped_code(self, code: str, where: str) -> None:
        places = self.unmapped.setdefault(code, [])
        if where not in places:
            places.append(where)

    def skipped_by_reason(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for what, why in self.skipped:
            out.setdefault(why, []).append(what)
        return out

    def lines(self, limit: int = 8) -> list[str]:
        """The human summary: counts, then each reason for skipping with examples, then unmapped codes."""
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        read = ", ".join(f"{v} {k}" for k, v in self.read.items())
        out = [f"{self.dataset}: read {read or 'nothing'}."]
        out.append(f"  wrote {counts or 'nothing'} to {self.out_dir} ({len(self.written)} files).")
        if self.removed:
            out.append(f"  removed {len(self.removed)} file(s) of an earlier import no longer produced.")
        for why, items in self.skipped_by_reason().items():
            shown = "; ".join(items[:limit]) + (
                f"; ... and {len(items) - limit} more" if len(items) > limit else ""
            )
            out.append(f"  skipped {len(items)}: {why}: {shown}")
        if self.unmapped:
            out.append(
                f"  {len(self.unmapped)} code(s) or name(s) with no state in the knowledge base (left out):"
            )
            for code, places in sorted(self.unmapped.items())[: limit * 3]:
                more = f" and {len(places) - 3} more" if len(places) > 3 else ""
                out.append(f"    {code}: {', '.join(places[:3])}{more}")
            if len(self.unmapped) > limit * 3:
                out.append(f"    ... and {len(self.unmapped) - limit * 3} more")
        out += [f"  note: {n}" for n in self.notes]
        if self.problems:
            out.append(
                f"  the layer does NOT pass `kb check` on the bundled knowledge base ({len(self.problems)}):"
            )
            out += [f"    {p}" for p in self.problems[:20]]
        else:
            out.append("  the layer loads on the bundled knowledge base and passes its checks.")
        return out


# --- YAML -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, with long texts folded by the emitter and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any, header: str) -> str:
    body = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False
    )
    return header.rstrip("\n") + "\n" + body


def owned_by(path: Path, importer: str) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except OSError:
        return False
    return first.startswith(HEADER.format(importer=importer))


# --- the layer ------------------------------------------------------------------------------------


@dataclass
class ConflictOut:
    id: str
    name: str
    sides: tuple[str, str]
    periods: list[dict[str, Any]] = field(default_factory=list)


class LayerWriter:
    """Collects one importer's records and writes them into the layer folder, owning only its part."""

    def __init__(self, out_dir: Path, importer: str, input_desc: str, source_prefix: str) -> None:
        self.out_dir = out_dir
        self.importer = importer
        self.header = (
            HEADER.format(importer=importer)
            + f" from {input_desc}.\n# Do not edit: running the import again rewrites this file.\n"
        )
        self.source_prefix = source_prefix  # periods whose source starts with this are this importer's
        self.sources: list[dict[str, Any]] = []
        self.alliances: dict[str, dict[str, Any]] = {}
        self.conflicts: dict[str, ConflictOut] = {}

    def add_source(self, source: dict[str, Any]) -> None:
        self.sources.append(source)

    def add_alliance(self, record: dict[str, Any]) -> None:
        self.alliances[record["id"]] = record

    def add_period(self, conflict_id: str, name: str, sides: tuple[str, str], period: dict[str, Any]) -> None:
        out = self.conflicts.setdefault(conflict_id, ConflictOut(conflict_id, name, sides))
        out.periods.append(period)

    # -- writing --------------------------------------------------------------------------------

    def write(self, report: ImportReport) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._write_sources(report)
        self._write_alliances(report)
        self._write_conflicts(report)

    def _put(self, rel: str, text: str, report: ImportReport) -> None:
        path = self.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        report.written.append(rel)

    def _remove(self, path: Path, report: ImportReport) -> None:
        path.unlink()
        report.removed.append(path.relative_to(self.out_dir).as_posix())

    def _write_sources(self, report: ImportReport) -> None:
        path = self.out_dir / "sources.yaml"
        mine = {s["id"] for s in self.sources}
        kept: list[dict[str, Any]] = []
        if path.is_file():
            old = _read_yaml(path)
            if isinstance(old, dict) and isinstance(old.get("sources"), list):
                kept = [
                    s
                    for s in old["sources"]
                    if isinstance(s, dict)
                    and s.get("id") not in mine
                    and not str(s.get("id", "")).startswith(self.source_prefix)
                ]
        records = sorted([*kept, *self.sources], key=lambda s: str(s.get("id", "")))
        if not records:
            if path.is_file():
                self._remove(path, report)
            return
        header = (
            "# Sources of the imported datasets in this folder (armstrace kb import).\n"
            "# Each importer replaces its own entries; the bundled knowledge base's sources are not\n"
            "# repeated.\n"
        )
        self._put("sources.yaml", dump({"sources": records}, header), report)

    def _write_alliances(self, report: ImportReport) -> None:
        folder = self.out_dir / "alliances"
        for alliance_id in sorted(self.alliances):
            self._put(f"alliances/{alliance_id}.yaml", dump(self.alliances[alliance_id], self.header), report)
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                if path.stem not in self.alliances and owned_by(path, self.importer):
                    self._remove(path, report)

    def _write_conflicts(self, report: ImportReport) -> None:
        folder = self.out_dir / "conflicts"
        done: set[str] = set()
        for conflict_id in sorted(self.conflicts):
            self._write_conflict(self.conflicts[conflict_id], report)
            done.add(conflict_id)
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.yaml")):  # this importer's periods of conflicts it no longer writes
            if path.stem in done:
                continue
            old = _read_yaml(path)
            if not isinstance(old, dict) or not isinstance(old.get("periods"), list):
                continue
            others = [p for p in old["periods"] if not self._mine(p)]
            if len(others) == len(old["periods"]):
                continue
            if others:
                merged = ConflictOut(
                    str(old.get("id", path.stem)), str(old.get("name", "")), tuple(old["sides"])
                )
                self._write_conflict(merged, report, existing=others)
            else:
                self._remove(path, report)

    def _mine(self, period: Any) -> bool:
        return isinstance(period, dict) and str(period.get("source", "")).startswith(self.source_prefix)

    def _write_conflict(
        self, conflict: ConflictOut, report: ImportReport, existing: list[Any] | None = None
    ) -> None:
        rel = f"conflicts/{conflict.id}.yaml"
        path = self.out_dir / rel
        others: list[Any] = existing if existing is not None else []
        if existing is None and path.is_file():
            old = _read_yaml(path)
            if isinstance(old, dict) and isinstance(old.get("periods"), list):
                others = [p for p in old["periods"] if not self._mine(p)]
        periods = sorted(
            [*others, *conflict.periods],
            key=lambda p: (str(p.get("start")), str(p.get("intensity")), str(p.get("id"))),
        )
        record = {"id": conflict.id, "name": conflict.name, "sides": list(conflict.sides), "periods": periods}
        shared = any(not self._mine(p) for p in periods)
        header = (
            "# Written by armstrace kb import (several datasets): each import replaces only its own\n"
            "# periods.\n"
            if shared
            else self.header
        )
        self._put(rel, dump(record, header), report)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


# --- checking a layer ---------------------------------------------------------------------------


def check_layer(folder: Path, base: KnowledgeBase) -> list[KBProblem]:
    """Every problem of `folder` read as a layer on `base`: the loader's, the linter's, and dyad overlaps.

    Besides `check.lint` (which looks inside each record), two conflict records of the same
    dyad, one in the base and one in the layer, must not have overlapping periods of one
    intensity: that is the importers' promise when they add periods next to curated ones.
    """
    reading = read(folder, base)
    problems = reading.problems + lint(reading)
    by_dyad: dict[frozenset[str], list[Any]] = {}
    for conflict in reading.kb.conflicts.values():
        by_dyad.setdefault(frozenset(conflict.sides), []).append(conflict)
    for conflicts in by_dyad.values():
        for i, first in enumerate(conflicts):
            for second in conflicts[i + 1 :]:
                for p in first.periods:
                    for q in second.periods:
                        if p.intensity == q.intensity and overlaps(p.period, q.period):
                            file = reading.file_of("conflict", second.id) or reading.file_of(
                                "conflict", first.id
                            )
                            problems.append(
                                KBProblem(
                                    file,
                                    q.fact.id,
                                    f"period of intensity {q.intensity} overlaps {p.fact.id} of conflict "
                                    f"{first.id} ({span(q.period)} and {span(p.period)})",
                                )
                            )
    return sorted(problems, key=lambda p: (p.file, p.id, p.message))
