"""Commands about the public record and the analysis rules that read it.

`armstrace import sipri` lives in `cli.py` (it is part of the stable contract); this
module adds `armstrace rules`, which lists every registered rule with its version and
the paragraph that says when it fires, so a reader of a finding can look up its rule.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from armstrace.present.cli import app, out, user_errors


@app.command("rules")
@user_errors
def list_rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON lines.")] = False,
) -> None:
    """List the analysis rules: name with version, title, and when each fires."""
    from armstrace.analyse.registry import rules

    catalogue = rules()
    if as_json:
        for rule in catalogue.values():
            record = {"name": rule.name, "title": rule.title, "doc": rule.doc}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(catalogue)} analysis rules", show_lines=True)
    for column in ("rule", "title", "when it fires"):
        table.add_column(column, overflow="fold")
    for rule in catalogue.values():
        table.add_row(rule.name, rule.title, rule.doc)
    out.print(table)
