"""Commands about the chain of custody of ingested files.

`armstrace manifest` exports one row per path ever ingested: where it came from
(the original on disk, then the member name at each level of files inside
files), its sha256 and size, what it was read as, how that went, when it was
first and last ingested, and the document it was found inside. It is what a
journalist attaches to show that the evidence is the leak, unmodified.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import IO, Annotated, Any

import typer

from armstrace.present.cli import DbOption, _open_store, app, user_errors

MANIFEST_FIELDS: tuple[str, ...] = (
    "path",
    "chain",
    "sha256",
    "size",
    "media_type",
    "status",
    "reason",
    "first_ingested_at",
    "last_ingested_at",
    "parent",
)
"""The manifest's columns, in order (stable: scripts read them)."""


class ManifestFormat(StrEnum):
    csv = "csv"
    json = "json"


def manifest_rows(records: Sequence[Any]) -> list[dict[str, Any]]:
    """One dict per `FileRecord`, with the manifest's fields; `chain` as a list of names."""
    return [
        {
            "path": r.path,
            "chain": list(r.chain),
            "sha256": r.sha256,
            "size": r.size,
            "media_type": r.media_type,
            "status": r.status,
            "reason": r.reason,
            "first_ingested_at": r.first_ingested_at,
            "last_ingested_at": r.updated_at,
            "parent": r.parent,
        }
        for r in records
    ]


def write_manifest_csv(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    """CSV with a header; `chain` is a JSON list, so member names with any character stay unambiguous."""
    writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "chain": json.dumps(row["chain"], ensure_ascii=False),
                **{k: "" for k in ("sha256", "media_type", "parent") if row[k] is None},
            }
        )


@app.command("manifest")
@user_errors
def manifest(
    db: DbOption = None,
    format: Annotated[ManifestFormat, typer.Option("--format", "-f")] = ManifestFormat.csv,
) -> None:
    """Export the custody manifest: every ingested path with its sha256, size, chain and status."""
    with _open_store(db) as store:
        rows = manifest_rows(store.files())
    if format is ManifestFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        write_manifest_csv(rows, sys.stdout)
