"""Numbered schema migrations: an investigation database outlives many versions of armstrace.

Each step is frozen once released: it declares its own tables in its own
`MetaData` rather than reusing the current schema in `schema.py`, so a later
change to the current tables can never change what an old step does. The
database records the number of the last step applied in `schema_version`;
opening it applies the missing steps, all in one transaction, and refuses a
database written by a newer armstrace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    inspect,
    select,
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


class SchemaTooNew(Exception):
    """The database was written by a newer armstrace than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found}, newer than {known}")
        self.found = found
        self.known = known


def _version_table(metadata: MetaData) -> Table:
    return Table(
        "schema_version",
        metadata,
        Column("version", Integer, primary_key=True),
        Column("description", Text, nullable=False),
        Column("applied_at", Text, nullable=False),
    )


def _step_1_documents(conn: Connection) -> None:
    """Documents, their pages and paths, and the outcome of ingesting each file."""
    md = MetaData()
    Table(
        "documents",
        md,
        Column("sha256", Text, primary_key=True),
        Column("media_type", Text, nullable=False),
        Column("language", Text),
        Column("title", Text),
        Column("metadata", Text, nullable=False),
        Column("n_pages", Integer, nullable=False),
        Column("size", Integer, nullable=False),
        Column("created_at", Text, nullable=False),
    )
    Table(
        "pages",
        md,
        Column("doc", Text, ForeignKey("documents.sha256", ondelete="CASCADE"), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("text", Text, nullable=False),
    )
    Table(
        "paths",
        md,
        Column("doc", Text, ForeignKey("documents.sha256", ondelete="CASCADE"), primary_key=True),
        Column("path", Text, primary_key=True),
        Column("first_seen", Text, nullable=False),
        Index("ix_paths_path", "path"),
    )
    Table(
        "files",
        md,
        Column("path", Text, primary_key=True),
        Column("sha256", Text),
        Column("size", Integer, nullable=False),
        Column("status", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("updated_at", Text, nullable=False),
    )
    md.create_all(conn)


def _step_2_transfers(conn: Connection) -> None:
    """Transfers with their evidence, reviews of them, and analysis findings."""
    md = MetaData()
    Table(
        "transfers",
        md,
        Column("id", Text, primary_key=True),
        Column("source", Text, nullable=False),
        Column("doc", Text),
        Column("position", Integer, nullable=False),
        Column("supplier", Text, nullable=False),
        Column("recipient", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("first_year", Integer),
        Column("last_year", Integer),
        Column("confidence", Float, nullable=False),
        Column("data", Text, nullable=False),
        Index("ix_transfers_doc", "source", "doc"),
        Index("ix_transfers_pair", "supplier", "recipient"),
    )
    Table(
        "reviews",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("transfer", Text, nullable=False),
        Column("verdict", Text, nullable=False),
        Column("note", Text, nullable=False),
        Column("at", Text, nullable=False),
        Index("ix_reviews_transfer", "transfer"),
    )
    Table(
        "findings",
        md,
        Column("id", Text, primary_key=True),
        Column("position", Integer, nullable=False),
        Column("rule", Text, nullable=False),
        Column("severity", Text, nullable=False),
        Column("supplier", Text, nullable=False),
        Column("recipient", Text, nullable=False),
        Column("data", Text, nullable=False),
    )
    md.create_all(conn)


def _add_columns(conn: Connection, table: str, columns: Sequence[Column[Any]]) -> None:
    """ALTER TABLE ... ADD COLUMN for each column, in the dialect's own type names."""
    compiler = conn.dialect.type_compiler_instance
    for column in columns:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column.name} {compiler.process(column.type)}")


def _step_3_custody(conn: Connection) -> None:
    """Chain of custody per file: when it was first and last ingested, its mtime (to notice a
    changed original), media type, page count, and for a file inside a file the chain of
    containers (JSON list, the original on disk first) and the parent document's sha256."""
    _add_columns(
        conn,
        "files",
        [
            Column("mtime_ns", BigInteger),
            Column("media_type", Text),
            Column("pages", Integer),
            Column("chain", Text),
            Column("parent", Text),
            Column("first_ingested_at", Text),
        ],
    )
    conn.exec_driver_sql("UPDATE files SET first_ingested_at = updated_at WHERE first_ingested_at IS NULL")


def _step_4_page_ocr(conn: Connection) -> None:
    """What OCR made of each scanned page (word boxes and confidence, so evidence can be highlighted
    on the page image), and the page images themselves, stored once per image content."""
    md = MetaData()
    Table("documents", md, Column("sha256", Text, primary_key=True))  # made by step 1: only referenced
    page_ocr = Table(
        "page_ocr",
        md,
        Column("doc", Text, ForeignKey("documents.sha256", ondelete="CASCADE"), primary_key=True),
        Column("page", Integer, primary_key=True),
        Column("languages", Text, nullable=False),
        Column("confidence", Float, nullable=False),
        Column("words", Text, nullable=False),
        Column("image", Text, nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
        Index("ix_page_ocr_image", "image"),
    )
    page_images = Table(
        "page_images",
        md,
        Column("sha256", Text, primary_key=True),
        Column("png", LargeBinary, nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
    )
    md.create_all(conn, tables=[page_ocr, page_images])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "documents, pages, paths and files", _step_1_documents),
    Migration(2, "transfers, reviews and findings", _step_2_transfers),
    Migration(3, "chain of custody of files", _step_3_custody),
    Migration(4, "OCR of scanned pages and page images", _step_4_page_ocr),
)
LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The last step applied to this database; 0 for an empty one."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    version_table = _version_table(MetaData())
    versions = conn.execute(select(version_table.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(conn: Connection, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the steps this database lacks, on the caller's transaction; returns the new version.

    Raises `SchemaTooNew` if the database already has a step these `steps` do not know.
    """
    version_table = _version_table(MetaData())
    version_table.create(conn, checkfirst=True)
    found = current_version(conn)
    known = steps[-1].version if steps else 0
    if found > known:
        raise SchemaTooNew(found, known)
    for step in steps:
        if step.version <= found:
            continue
        step.apply(conn)
        conn.execute(
            version_table.insert().values(
                version=step.version,
                description=step.description,
                applied_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            )
        )
        found = step.version
    return found
