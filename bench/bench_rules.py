"""The public record at full size: importing the 2026 SIPRI register and running every rule over it.

Three subjects, in one process on the same input:

- **import**: `read_sipri` (parse) then `Store.upsert_transfers` into a fresh SQLite file
  (store), the work `armstrace import sipri` does; target under 5 s.
- **all rules**: `armstrace.analyse.analyse` with every registered rule and the shipped
  knowledge base; target under 2 s.
- **baseline**: a naive all-pairs `ally-arms-adversary`: every transfer × every year × every
  alliance × every state, membership and conflicts recomputed at each step, no index. It
  finds the same (supplier, recipient, third state, alliance, conflict) groups as the rule,
  which the run checks, so the ratio compares equal work. It is slow, so it runs on a
  deterministic sample of the transfers and so does the rule it is compared with.

Peak memory is measured with `tracemalloc` in a separate pass (it slows Python down, so the
timed runs go without it). Run: `.venv/bin/python -m bench.bench_rules` (writes
`bench/results-rules.md` and `.json`), or `python -m bench --only rules`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench.timing import Measurement, timed

HERE = Path(__file__).resolve().parent
REGISTER = HERE.parents[1] / "shared" / "data" / "sipri" / "trade_register_2026-02_deliveries_1995-2024.csv"
IMPORT_TARGET_S = 5.0
RULES_TARGET_S = 2.0
T = TypeVar("T")


def naive_ally_arms_adversary(transfers: Sequence[Any], kb: Any) -> set[tuple[str, str, str, str, str]]:
    """Every transfer × year × alliance × state, nothing indexed: the obvious way to write the rule."""
    found: set[tuple[str, str, str, str, str]] = set()
    for t in transfers:
        if t.status in ("denied", "cancelled") or t.years is None:
            continue
        if t.supplier.kind == "non-state" or t.recipient.kind == "non-state":
            continue
        supplier, recipient = t.supplier.code, t.recipient.code
        if supplier == recipient:
            continue
        for year in range(min(t.years), max(t.years) + 1):
            for alliance in kb.alliances.values():
                for third in kb.states:
                    if not any(
                        o.type == "defence" and o.period.contains_year(year) for o in alliance.obligations
                    ):
                        continue
                    members = alliance.members_in(year)
                    if supplier not in members or third not in members or recipient in members:
                        continue
                    if third in (supplier, recipient):
                        continue
                    for conflict in kb.conflicts.values():
                        if set(conflict.sides) != {third, recipient}:
                            continue
                        if any(p.period.contains_year(year) for p in conflict.periods):
                            found.add((supplier, recipient, third, alliance.id, conflict.id))
    return found


def peak_memory(fn: Callable[[], T]) -> tuple[int, T]:
    """Peak bytes Python allocated while `fn` ran."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


@dataclass
class RulesResult:
    register: str
    rows: int
    deals: int
    repeat: int
    sample: int
    parse: Measurement
    store: Measurement
    imports: Measurement
    rules: Measurement
    per_rule: dict[str, float]
    indexed_sample: Measurement
    naive_sample: Measurement
    memory: dict[str, int]
    findings_by_rule: dict[str, int]
    notes: list[str] = field(default_factory=list)

    name = "rules (SIPRI 2026)"

    def measurements(self) -> tuple[Measurement, ...]:
        return self.imports, self.rules, self.indexed_sample, self.naive_sample

    @property
    def ratio(self) -> float | None:
        a, b = self.indexed_sample.best, self.naive_sample.best
        return b / a if a and b else None

    def to_json(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "rows": self.rows,
            "deals": self.deals,
            "repeat": self.repeat,
            "sample": self.sample,
            "parse": self.parse.to_json(),
            "store": self.store.to_json(),
            "import": self.imports.to_json(),
            "rules": self.rules.to_json(),
            "per_rule_seconds": self.per_rule,
            "indexed_sample": self.indexed_sample.to_json(),
            "naive_sample": self.naive_sample.to_json(),
            "speedup_vs_naive": self.ratio,
            "peak_memory_bytes": self.memory,
            "findings_by_rule": self.findings_by_rule,
            "notes": self.notes,
        }


def run(repeat: int = 3, sample: int = 1000, register: Path = REGISTER) -> RulesResult | None:
    """Measure import and rules on the real register; None when it is not on this machine."""
    if not register.exists():
        return None
    from armstrace.analyse import analyse, get, rules
    from armstrace.kb import DATA_DIR, loader
    from armstrace.registers.sipri import read_sipri
    from armstrace.store import Store, resolve_db

    kb = loader.load(DATA_DIR)  # the shipped knowledge base alone
    parse, store_m, imports = (
        Measurement("parse (read_sipri)"),
        Measurement("store (upsert)"),
        Measurement("import"),
    )
    all_rules = Measurement("all rules")
    indexed, naive = Measurement("ally-arms-adversary/1 (indexed)"), Measurement("naive all-pairs")
    transfers: list[Any] = []
    rows = deals = 0
    per_rule: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="armstrace-bench-") as tmp:
        for i in range(repeat):
            seconds, result = timed(lambda: read_sipri(register))
            transfers, rows, deals = result.transfers, result.rows, result.deals
            parse.seconds.append(seconds)
            db = Path(tmp) / f"run{i}.db"

            def store(db: Path = db, transfers: list[Any] = transfers) -> int:
                with Store(resolve_db(str(db))) as s:
                    return s.upsert_transfers(transfers).added

            seconds_store, added = timed(store)
            store_m.seconds.append(seconds_store)
            imports.seconds.append(seconds + seconds_store)
            imports.found = added
        for m in (parse, store_m, imports):
            m.units = float(rows)
        for _ in range(repeat):
            seconds, found = timed(lambda: analyse(transfers, kb))
            all_rules.seconds.append(seconds)
            all_rules.found = len(found)
            for name, each in rules().items():
                s, _ = timed(partial(each.run, transfers, kb))
                per_rule.setdefault(name, []).append(s)
        all_rules.units = float(len(transfers))
        step = max(1, len(transfers) // sample)
        subset = transfers[::step][:sample]
        rule = get("ally-arms-adversary/1")
        for _ in range(repeat):
            s, fast = timed(lambda: rule.run(subset, kb))
            indexed.seconds.append(s)
            s, slow = timed(lambda: naive_ally_arms_adversary(subset, kb))
            naive.seconds.append(s)
        fast_keys = {(f.supplier, f.recipient, f.third_party, f.alliance, f.conflict) for f in fast}
        indexed.found, naive.found = len(fast_keys), len(slow)
        indexed.units = naive.units = float(len(subset))
        notes = []
        if fast_keys != slow:
            notes.append(f"the naive baseline and the rule disagree on {len(fast_keys ^ slow)} groups")
        mem_import, _ = peak_memory(lambda: read_sipri(register))
        mem_rules, found_all = peak_memory(lambda: analyse(transfers, kb))
    counts: dict[str, int] = {}
    for f in found_all:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    naive_full = (naive.best or 0) * len(transfers) / max(1, len(subset))
    notes.append(
        f"the naive baseline ran on every {step}th transfer ({len(subset):,} of {len(transfers):,}); "
        f"at that rate the full register would take about {naive_full:.0f} s"
    )
    notes.append(
        f"knowledge base: the shipped one alone ({len(kb.alliances)} alliances, "
        f"{len(kb.conflicts)} conflicts, {len(kb.embargoes)} embargoes, {len(kb.states)} states)"
    )
    return RulesResult(
        register=register.name,
        rows=rows,
        deals=deals,
        repeat=repeat,
        sample=len(subset),
        parse=parse,
        store=store_m,
        imports=imports,
        rules=all_rules,
        per_rule={k: min(v) for k, v in per_rule.items()},
        indexed_sample=indexed,
        naive_sample=naive,
        memory={"import (parse)": mem_import, "all rules": mem_rules},
        findings_by_rule=counts,
        notes=notes,
    )


def _s(m: Measurement) -> str:
    return f"{m.best:.3f}" if m.best is not None else "—"


def markdown(result: RulesResult, info: dict[str, Any], date: str) -> str:
    mb = {k: v / 1e6 for k, v in result.memory.items()}

    def ok(m: Measurement, target: float) -> str:
        return "yes" if m.best is not None and m.best < target else "**no**"

    lines = [
        "# Rules benchmark: the SIPRI 2026 register",
        "",
        "Written by `.venv/bin/python -m bench.bench_rules` (method in `bench/bench_rules.py`); "
        "do not edit by hand.",
        "Information from the SIPRI Arms Transfers Database.",
        "",
        f"- Date: {date}",
        f"- Machine: {info['cores']} cores ({info['processor']}), {info['system']}, Python {info['python']}",
        f"- Input: `{result.register}`, {result.rows:,} rows, {result.deals:,} deals",
        f"- Method: best of {result.repeat} runs in one process; peak memory from `tracemalloc` "
        "in a separate pass.",
        "",
        "| Subject | Best time (s) | Target | Met | Peak memory (MB) | Found |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| import: parse | {_s(result.parse)} | | | {mb['import (parse)']:.0f} "
        f"| {result.deals:,} transfers |",
        f"| import: store (SQLite upsert) | {_s(result.store)} | | | | {result.imports.found or 0:,} rows |",
        f"| import (parse + store) | {_s(result.imports)} | < {IMPORT_TARGET_S:.0f} s | "
        f"{ok(result.imports, IMPORT_TARGET_S)} | | |",
        f"| all rules | {_s(result.rules)} | < {RULES_TARGET_S:.0f} s | {ok(result.rules, RULES_TARGET_S)} | "
        f"{mb['all rules']:.0f} | {result.rules.found or 0:,} findings |",
    ]
    lines += [f"| — {name} | {sec:.3f} | | | | {result.findings_by_rule.get(name, 0):,} findings |"
              for name, sec in sorted(result.per_rule.items())]  # fmt: skip
    ratio = f"{result.ratio:,.0f}×" if result.ratio else "—"
    lines += [
        "",
        f"Baseline, on the same {result.sample:,}-transfer sample in the same run:",
        "",
        "| Subject | Best time (s) | Groups found | Speed-up |",
        "| --- | --- | --- | --- |",
        f"| `ally-arms-adversary/1` (indexed by state and year) | {_s(result.indexed_sample)} | "
        f"{result.indexed_sample.found} | {ratio} |",
        f"| naive all-pairs (transfer × year × alliance × state) | {_s(result.naive_sample)} | "
        f"{result.naive_sample.found} | 1 (baseline) |",
        "",
        "Notes:",
        "",
    ]
    lines += [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def write(result: RulesResult, out: Path) -> None:
    from bench.run import machine

    info = machine()
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (out / "results-rules.md").write_text(markdown(result, info, date), encoding="utf-8")
    data = {"date": date, "machine": info, **result.to_json()}
    (out / "results-rules.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_rules", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1000, help="transfers for the naive baseline")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    result = run(args.repeat, args.sample)
    if result is None:
        print(f"skipped: the SIPRI register is not at {REGISTER}")
        return
    write(result, args.out)
    print((args.out / "results-rules.md").read_text("utf-8"))


if __name__ == "__main__":
    main()
