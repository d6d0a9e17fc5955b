"""Knowledge-base commands beyond `kb check/show/export`: importing datasets as a layer, listing records.

`armstrace kb import atop|ucdp|rivalries` writes an imported dataset into a layer folder
(`./armstrace-kb` by default, which every command then reads on top of the bundled
knowledge base; `$ARMSTRACE_KB` names other folders), prints what it wrote and what it
left out, and checks the layer on the bundled knowledge base.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from armstrace.present.cli import err, kb_app, out, user_errors

import_app = typer.Typer(
    help="Import a public dataset into a knowledge-base layer, read by every command on top of the bundled "
    "knowledge base.",
    no_args_is_help=True,
)
kb_app.add_typer(import_app, name="import")

OutOption = Annotated[
    Path,
    typer.Option("--out", help="The layer folder to write (default: ./armstrace-kb, read by every command)."),
]
CrosswalkOption = Annotated[
    Path | None,
    typer.Option(
        "--crosswalk",
        help="A countrycode codelist CSV: look up there the state codes the knowledge base does not know.",
    ),
]


def _finish(report: object) -> None:
    from armstrace.kb.importers.writer import ImportReport

    assert isinstance(report, ImportReport)
    for line in report.lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if report.problems:
        err.print("the imported layer has problems (listed above); it is not safe to use as it is.")
        raise typer.Exit(1)


@import_app.command("atop")
@user_errors
def import_atop(
    folder: Annotated[
        Path, typer.Argument(help="The folder with ATOP's atop5_1m.csv, atop5_1a.csv and atop5_1aph.csv.")
    ],
    out_dir: OutOption = Path("armstrace-kb"),
    since: Annotated[
        int, typer.Option(help="Only alliances with a membership that reaches this year.")
    ] = 1950,
    crosswalk: CrosswalkOption = None,
) -> None:
    """ATOP alliances: members with dated periods, obligations; COW codes mapped to ISO."""
    from armstrace.kb.importers import import_atop as run

    _finish(run(folder, out_dir, since=since, crosswalk=crosswalk))


@import_app.command("ucdp")
@user_errors
def import_ucdp(
    file: Annotated[Path, typer.Argument(help="UcdpPrioConflict_v*.csv (UCDP's own or the semicolon form).")],
    out_dir: OutOption = Path("armstrace-kb"),
    crosswalk: CrosswalkOption = None,
) -> None:
    """UCDP/PRIO armed conflicts between states: dated crisis and war periods per dyad."""
    from armstrace.kb.importers import import_ucdp as run

    _finish(run(file, out_dir, crosswalk=crosswalk))


@import_app.command("rivalries")
@user_errors
def import_rivalries(
    file: Annotated[
        Path, typer.Argument(help="tss_rivalries.csv (Thompson, Sakuwa & Suhas strategic rivalries).")
    ],
    out_dir: OutOption = Path("armstrace-kb"),
    crosswalk: CrosswalkOption = None,
) -> None:
    """Strategic rivalries (Thompson, Sakuwa & Suhas) as rivalry periods per dyad."""
    from armstrace.kb.importers import import_rivalries as run

    _finish(run(file, out_dir, crosswalk=crosswalk))


@kb_app.command("list")
@user_errors
def kb_list(
    kind: Annotated[
        str | None, typer.Argument(help="alliances, conflicts or embargoes (default: all three).")
    ] = None,
) -> None:
    """List the alliances, conflicts and embargoes of the knowledge base (with its layers) by id."""
    from armstrace.errors import UserError
    from armstrace.kb import default_kb

    kb = default_kb()
    tables: dict[str, dict[str, Any]] = {
        "alliances": kb.alliances,
        "conflicts": kb.conflicts,
        "embargoes": kb.embargoes,
    }
    if kind is not None and kind not in tables:
        raise UserError(f"unknown kind {kind!r}: one of alliances, conflicts, embargoes.")
    for name, records in tables.items():
        if kind is not None and name != kind:
            continue
        out.print(f"{name} ({len(records)}):", highlight=False)
        for ident in sorted(records):
            out.print(f"  {ident}: {records[ident].name}", highlight=False, markup=False)
