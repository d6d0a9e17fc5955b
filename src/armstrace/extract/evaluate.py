"""Score extractors against golden cases, so claims about extraction quality are numbers.

Gold cases are data (one YAML file per case under `tests/cases/<lang>/`, or a gold JSONL
file); an extractor is any callable from a `Case` to transfers. Two levels are scored,
both micro-averaged over cases:

- **pair**: per case, the *set* of (supplier, recipient, status class) tuples. It answers
  "did we find who armed whom" — what the alliance analysis needs.
- **pair+item**: per case, predicted transfers are matched one-to-one (greedily) to gold
  transfers with the same tuple whose item matches one of the gold keywords. It answers
  "did we also find *what*".

Status classes merge statuses that the analysis treats alike (an order and a delivery are
both a transfer); cancelled and denied transfers are a class of their own, so reporting a
denied sale as a delivery is an error at both levels.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.table import Table

from armstrace.errors import GoldError
from armstrace.records import STATUSES, Transfer

STATUS_CLASS: dict[str, str] = {
    "delivered": "transfer",
    "ordered": "transfer",
    "offered": "offered",
    "service": "service",
    "cancelled": "negated",
    "denied": "negated",
}

Key = tuple[str, str, str]
Extractor = Callable[["Case"], Sequence[Transfer]]


class CaseError(GoldError):
    """A gold case file that cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class GoldTransfer:
    """One transfer a case text states; `item` holds the acceptable keywords."""

    supplier: str
    recipient: str
    status: str
    item: tuple[str, ...]
    years: tuple[int, int] | None = None
    quantity: int | None = None

    @property
    def key(self) -> Key:
        return (self.supplier, self.recipient, STATUS_CLASS[self.status])

    def to_json(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier,
            "recipient": self.recipient,
            "status": self.status,
            "item": list(self.item),
            "years": list(self.years) if self.years else None,
            "quantity": self.quantity,
        }


@dataclass
class Case:
    """One gold case: a text and every transfer it states ([] for a hard negative)."""

    id: str
    text: str
    language: str
    transfers: list[GoldTransfer]
    description: str = ""


# --- loading ---------------------------------------------------------------------------------------


def _gold_transfer(data: Any, where: str) -> GoldTransfer:
    if not isinstance(data, dict):
        raise CaseError(f"{where}: each transfer must be a mapping with supplier, recipient, status, item.")
    missing = [k for k in ("supplier", "recipient", "status", "item") if k not in data]
    if missing:
        raise CaseError(f"{where}: a transfer lacks {', '.join(missing)}; add them to the case.")
    status = str(data["status"])
    if status not in STATUSES:
        raise CaseError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}.")
    raw_item = data["item"]
    keywords = (raw_item,) if isinstance(raw_item, str) else tuple(raw_item or ())
    item = tuple(str(k).strip() for k in keywords if str(k).strip())
    if not item:
        raise CaseError(f"{where}: item needs at least one keyword.")
    years: tuple[int, int] | None = None
    raw_years = data.get("years")
    if raw_years is not None:
        pair = [raw_years, raw_years] if isinstance(raw_years, int) else list(raw_years)
        if len(pair) != 2 or not all(isinstance(y, int) for y in pair) or pair[0] > pair[1]:
            raise CaseError(f"{where}: years must be a year or [first, last] with first <= last.")
        years = (pair[0], pair[1])
    quantity = data.get("quantity")
    if quantity is not None and (not isinstance(quantity, int) or quantity <= 0):
        raise CaseError(f"{where}: quantity must be a positive whole number.")
    return GoldTransfer(
        supplier=str(data["supplier"]),
        recipient=str(data["recipient"]),
        status=status,
        item=item,
        years=years,
        quantity=quantity,
    )


def _case(data: Any, case_id: str, where: str, text: str | None = None) -> Case:
    if not isinstance(data, dict):
        raise CaseError(f"{where}: a case must be a mapping with text and transfers.")
    if text is None:
        text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CaseError(f"{where}: the case has no text.")
    transfers = data.get("transfers")
    if transfers is None or not isinstance(transfers, list):
        raise CaseError(f"{where}: 'transfers' must be a list ([] for a hard negative).")
    return Case(
        id=case_id,
        text=text,
        language=str(data.get("language") or "en"),
        transfers=[_gold_transfer(t, f"{where}, transfer {i + 1}") for i, t in enumerate(transfers)],
        description=str(data.get("description") or ""),
    )


def _load_yaml(path: Path, case_id: str) -> Case:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read the case file ({exc}).") from exc
    return _case(data, case_id, str(path))


def _load_jsonl(path: Path) -> list[Case]:
    cases: list[Case] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read the gold file ({exc}).") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseError(f"{where}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(data, dict) or "id" not in data:
            raise CaseError(f"{where}: each line must be an object with an 'id'.")
        text: str | None = None
        if "text" not in data and "file" in data:
            target = path.parent / str(data["file"])
            try:
                text = target.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CaseError(f"{where}: cannot read the referenced file {target} ({exc}).") from exc
        cases.append(_case(data, str(data["id"]), where, text))
    return cases


def load_cases(path: Path) -> list[Case]:
    """Load gold cases from a folder of YAML files (recursively), one YAML file, or a JSONL file."""
    path = Path(path)
    if not path.exists():
        raise CaseError(f"{path}: no such file or folder.")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        cases = [_load_yaml(p, p.relative_to(path).with_suffix("").as_posix()) for p in files]
    elif path.suffix == ".jsonl":
        cases = _load_jsonl(path)
    elif path.suffix in (".yaml", ".yml"):
        cases = [_load_yaml(path, path.stem)]
    else:
        raise CaseError(f"{path}: gold cases must be a folder of .yaml files, a .yaml file or a .jsonl file.")
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise CaseError(f"{path}: case id {case.id!r} occurs twice; ids must be unique.")
        seen.add(case.id)
    return cases


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class Scores:
    """Micro-averaged counts; the ratios are 0.0 (not an error) when undefined."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class CaseResult:
    """What one system did on one case, kept so a reader can see each miss and false alarm."""

    case: str
    language: str
    predicted: list[Transfer]
    gold: list[GoldTransfer]
    pair: Scores
    pair_item: Scores
    missed_pairs: list[Key] = field(default_factory=list)
    false_pairs: list[Key] = field(default_factory=list)
    misses: list[GoldTransfer] = field(default_factory=list)
    false_alarms: list[Transfer] = field(default_factory=list)


@dataclass
class SystemResult:
    name: str
    pair: Scores
    pair_item: Scores
    per_case: list[CaseResult]

    def by_language(self) -> dict[str, tuple[Scores, Scores]]:
        """(pair, pair+item) scores per case language, in first-seen order."""
        out: dict[str, tuple[Scores, Scores]] = {}
        for res in self.per_case:
            pair, pair_item = out.get(res.language, (Scores(), Scores()))
            out[res.language] = (pair + res.pair, pair_item + res.pair_item)
        return out


def predicted_key(transfer: Transfer) -> Key:
    """The level-1 tuple of a predicted transfer; unknown statuses form a class of their own."""
    status = str(transfer.status)
    return (transfer.supplier.code, transfer.recipient.code, STATUS_CLASS.get(status, status))


def item_matches(gold: GoldTransfer, transfer: Transfer) -> bool:
    """True if a gold keyword is the predicted system id or occurs in the predicted item text."""
    system = (transfer.item.system or "").casefold()
    text = transfer.item.text.casefold()
    for keyword in gold.item:
        kw = keyword.casefold()
        if kw == system or kw in text:
            return True
    return False


def _score_case(case: Case, predicted: Sequence[Transfer]) -> CaseResult:
    gold_keys = {g.key for g in case.transfers}
    pred_keys = {predicted_key(t) for t in predicted}
    pair = Scores(tp=len(gold_keys & pred_keys), fp=len(pred_keys - gold_keys), fn=len(gold_keys - pred_keys))

    # Identical predictions (same tuple and item text) are one claim, however often they are
    # repeated (e.g. once per sentence that restates it); a different second prediction of an
    # already matched gold transfer is a false alarm.
    unique: list[Transfer] = []
    seen: set[tuple[str, str, str, str]] = set()
    for t in predicted:
        ident = (*predicted_key(t), t.item.text.strip().casefold())
        if ident not in seen:
            seen.add(ident)
            unique.append(t)

    matched = [False] * len(case.transfers)
    false_alarms: list[Transfer] = []
    for t in unique:
        key = predicted_key(t)
        for i, g in enumerate(case.transfers):
            if not matched[i] and g.key == key and item_matches(g, t):
                matched[i] = True
                break
        else:
            false_alarms.append(t)
    misses = [g for g, m in zip(case.transfers, matched, strict=True) if not m]
    pair_item = Scores(tp=sum(matched), fp=len(false_alarms), fn=len(misses))
    return CaseResult(
        case=case.id,
        language=case.language,
        predicted=list(predicted),
        gold=list(case.transfers),
        pair=pair,
        pair_item=pair_item,
        missed_pairs=sorted(gold_keys - pred_keys),
        false_pairs=sorted(pred_keys - gold_keys),
        misses=misses,
        false_alarms=false_alarms,
    )


def score(cases: Iterable[Case], extractor: Extractor, name: str) -> SystemResult:
    """Run one extractor over every case and score it at both levels."""
    per_case = [_score_case(case, list(extractor(case))) for case in cases]
    pair, pair_item = Scores(), Scores()
    for res in per_case:
        pair += res.pair
        pair_item += res.pair_item
    return SystemResult(name=name, pair=pair, pair_item=pair_item, per_case=per_case)


def evaluate(cases: Iterable[Case], extractors: Mapping[str, Extractor]) -> dict[str, SystemResult]:
    """Score several extractors on the same cases, so they can be compared side by side."""
    case_list = list(cases)
    return {name: score(case_list, fn, name) for name, fn in extractors.items()}


# --- presenting ------------------------------------------------------------------------------------


def _rows(results: Mapping[str, SystemResult], by_language: bool) -> list[tuple[str, str, list[Scores]]]:
    systems = list(results.values())
    if not systems:
        return []
    languages: list[str] = []
    for res in systems[0].per_case:
        if res.language not in languages:
            languages.append(res.language)
    rows: list[tuple[str, str, list[Scores]]] = []
    if by_language and len(languages) > 1:
        for lang in languages:
            per = [s.by_language().get(lang, (Scores(), Scores())) for s in systems]
            rows.append((lang, "pair", [p[0] for p in per]))
            rows.append((lang, "pair+item", [p[1] for p in per]))
    label = "all" if len(languages) != 1 else languages[0]
    rows.append((label, "pair", [s.pair for s in systems]))
    rows.append((label, "pair+item", [s.pair_item for s in systems]))
    return rows


def results_table(results: Mapping[str, SystemResult], *, by_language: bool = True) -> Table:
    """Precision, recall and F1 at both levels, one column group per system."""
    table = Table(title="Extraction against gold cases")
    table.add_column("language")
    table.add_column("level")
    for name in results:
        for metric in ("P", "R", "F1"):
            table.add_column(f"{name} {metric}", justify="right")
    for lang, level, scores in _rows(results, by_language):
        cells = [lang, level]
        for s in scores:
            cells += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        table.add_row(*cells)
    return table


def _transfer_brief(t: Transfer) -> dict[str, Any]:
    return {
        "supplier": t.supplier.code,
        "recipient": t.recipient.code,
        "status": t.status,
        "item": t.item.text,
        "system": t.item.system,
    }


def results_json(results: Mapping[str, SystemResult]) -> dict[str, Any]:
    """The same numbers as the table plus every miss and false alarm, for files and diffs."""
    out: dict[str, Any] = {}
    for name, res in results.items():
        out[name] = {
            "pair": res.pair.to_json(),
            "pair_item": res.pair_item.to_json(),
            "by_language": {
                lang: {"pair": p.to_json(), "pair_item": pi.to_json()}
                for lang, (p, pi) in res.by_language().items()
            },
            "cases": [
                {
                    "id": c.case,
                    "language": c.language,
                    "pair": c.pair.to_json(),
                    "pair_item": c.pair_item.to_json(),
                    "missed_pairs": [list(k) for k in c.missed_pairs],
                    "false_pairs": [list(k) for k in c.false_pairs],
                    "misses": [g.to_json() for g in c.misses],
                    "false_alarms": [_transfer_brief(t) for t in c.false_alarms],
                }
                for c in res.per_case
            ],
        }
    return out
