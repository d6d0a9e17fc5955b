"""The investigation database: documents, files, transfers, reviews and findings.

Embedded SQLite by default (one file a journalist can copy or archive), any
SQLAlchemy URL for a server. Every write is its own transaction, so a run that
is killed loses at most the file it was on. Writes are idempotent: ingesting
the same file again, or storing the same transfers again, adds no rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from armstrace.errors import DatabaseError
from armstrace.records import Document, Finding, Transfer
from armstrace.store import schema
from armstrace.store.codec import finding_from_data, finding_to_data, transfer_from_data, transfer_to_data
from armstrace.store.migrations import LATEST, SchemaTooNew, migrate

if TYPE_CHECKING:  # the store is below ingest: importing ingest here at run time would be a cycle
    from armstrace.ingest.formats import PageOcr

DEFAULT_DB = "armstrace.db"
FILE_STATUSES: tuple[str, ...] = (
    "ok",
    "partial",
    "encrypted",
    "unsupported",
    "too-large",
    "timeout",
    "failed",
)
VERDICTS: tuple[str, ...] = ("confirmed", "rejected")


class StoreError(DatabaseError):
    """A database the user named cannot be used; the message says which and why."""


@dataclass(frozen=True)
class FileRecord:
    """The outcome of the last ingest of one path, with its chain of custody.

    `chain` is the original on disk followed by the member name at each level of
    files inside files (`("leak/leak.zip", "letters/12.pdf")`); `parent` is the
    sha256 of the document it was found inside. `updated_at` is the last time
    the path was ingested, `first_ingested_at` the first.
    """

    path: str
    sha256: str | None
    size: int
    status: str
    reason: str
    updated_at: str
    mtime_ns: int | None = None
    media_type: str | None = None
    pages: int | None = None
    chain: tuple[str, ...] = ()
    parent: str | None = None
    first_ingested_at: str | None = None


@dataclass
class UpsertCounts:
    """What storing a register did: transfers added, updated, and found already stored as they are."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


_ID_BATCH = 500  # ids per `IN (...)` query, well under SQLite's limit on bound parameters


@dataclass(frozen=True)
class Review:
    """A person's verdict on a transfer; it outlives re-extraction because transfer ids are stable."""

    transfer: str
    verdict: str
    note: str
    at: str


def resolve_db(db: str | None) -> str:
    """The database URL for a `--db` value: None means `$ARMSTRACE_DB` or `./armstrace.db`."""
    if db is None:
        db = os.environ.get("ARMSTRACE_DB") or DEFAULT_DB
    if "://" in db:
        return db
    return "sqlite:///" + os.path.expanduser(db)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _transfer_columns(t: Transfer, *, source: str, doc: str | None) -> dict[str, Any]:
    """A transfer's stored columns but its id and position: the ones queries filter on, and `data`,
    the whole transfer as JSON, which is what a stored row is compared by."""
    return {
        "source": source,
        "doc": doc,
        "supplier": t.supplier.code,
        "recipient": t.recipient.code,
        "status": t.status,
        "first_year": t.years[0] if t.years else None,
        "last_year": t.years[1] if t.years else None,
        "confidence": t.confidence,
        "data": json.dumps(transfer_to_data(t), ensure_ascii=False),
    }


def _describe(url: str) -> str:
    """How the user named the database: the file for SQLite, the URL without its password otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "the in-memory database"
    return parsed.render_as_string(hide_password=True)


def _transactional_sqlite(engine: Engine) -> None:
    """Make SQLite transactions cover DDL too, so a failed migration leaves no half-made tables.

    Python's sqlite3 driver only opens a transaction before INSERT/UPDATE/DELETE;
    this is SQLAlchemy's documented recipe for real BEGIN ... COMMIT.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # Ingest commits once per file: in WAL mode with synchronous=NORMAL a commit is not an fsync
        # (~1 ms instead of ~20), and a killed process still loses nothing committed; only a power
        # cut may lose the last few commits, which the next run redoes. An in-memory database
        # keeps its own journal mode.
        mode = dbapi_connection.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and str(mode[0]).lower() == "wal":
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for `url` whose transactions are real, DDL included, on SQLite too."""
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"The database {_describe(url)} cannot be opened: {exc}.") from exc
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine)
    return engine


class Store:
    """One investigation: open it with a URL from `resolve_db`; it creates and migrates itself."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = _describe(url)
        self._engine = make_engine(url)
        try:
            with self._engine.begin() as conn:
                self.version = migrate(conn)
        except SchemaTooNew as exc:
            self._engine.dispose()
            raise StoreError(
                f"The database {self.name} was written by a newer armstrace (schema version {exc.found}; "
                f"this armstrace knows up to {LATEST}). Upgrade armstrace to open it."
            ) from exc
        except SQLAlchemyError as exc:
            self._engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(
                f"The database {self.name} cannot be opened as an armstrace database: {reason}."
            ) from exc

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # Documents ------------------------------------------------------------

    def add_document(self, doc: Document, *, size: int, ocr: Mapping[int, PageOcr] | None = None) -> bool:
        """Store a document with its pages and paths; False (and only the paths merged) if it existed.

        `ocr` (`Parsed.ocr`: word boxes and page images of the pages read by OCR) is stored in the
        same transaction as the pages, so a killed run never leaves a scan without its boxes.
        """
        with self._engine.begin() as conn:
            exists = conn.execute(
                select(schema.documents.c.sha256).where(schema.documents.c.sha256 == doc.sha256)
            ).first()
            if exists is None:
                conn.execute(
                    schema.documents.insert().values(
                        sha256=doc.sha256,
                        media_type=doc.media_type,
                        language=doc.language,
                        title=doc.title,
                        metadata=json.dumps(doc.metadata, ensure_ascii=False, sort_keys=True),
                        n_pages=len(doc.pages),
                        size=size,
                        created_at=_now(),
                    )
                )
                if doc.pages:
                    conn.execute(
                        schema.pages.insert(),
                        [
                            {"doc": doc.sha256, "number": n, "text": text}
                            for n, text in enumerate(doc.pages, 1)
                        ],
                    )
            if ocr:
                self._add_page_ocr(conn, doc.sha256, ocr)
            for path in doc.paths:
                self._add_path(conn, doc.sha256, path)
        return exists is None

    # OCR ------------------------------------------------------------------

    def add_ocr(self, doc: str, ocr: Mapping[int, PageOcr]) -> None:
        """Store (or replace) the OCR of some pages of a stored document; each page image is kept once."""
        with self._engine.begin() as conn:
            if not self._has_document(conn, doc):
                raise ValueError(f"no document {doc} in {self.name}")
            self._add_page_ocr(conn, doc, ocr)

    @staticmethod
    def _add_page_ocr(conn: Connection, doc: str, ocr: Mapping[int, PageOcr]) -> None:
        table, images = schema.page_ocr, schema.page_images
        pages = sorted(ocr)
        conn.execute(delete(table).where(and_(table.c.doc == doc, table.c.page.in_(pages))))
        for number in pages:
            page = ocr[number]
            known = conn.execute(select(images.c.sha256).where(images.c.sha256 == page.image_sha256)).first()
            if known is None and page.image_png:
                conn.execute(
                    images.insert().values(
                        sha256=page.image_sha256, png=page.image_png, width=page.width, height=page.height
                    )
                )
            words = [[w.start, w.end, w.left, w.top, w.width, w.height, w.confidence] for w in page.words]
            conn.execute(
                table.insert().values(
                    doc=doc,
                    page=number,
                    languages=page.language,
                    confidence=page.confidence,
                    words=json.dumps(words, separators=(",", ":")),
                    image=page.image_sha256,
                    width=page.width,
                    height=page.height,
                )
            )

    def page_ocr(self, doc: str, page: int) -> PageOcr | None:
        """What OCR made of one page (1-based) of a document, with its text and image; None for a
        page that was not OCR'd. `text[w.start:w.end]` is each word; boxes are in image pixels."""
        from armstrace.ingest.formats import OcrWord, PageOcr

        table = schema.page_ocr
        with self._engine.connect() as conn:
            row = conn.execute(select(table).where(and_(table.c.doc == doc, table.c.page == page))).first()
            if row is None:
                return None
            text = conn.execute(
                select(schema.pages.c.text).where(
                    and_(schema.pages.c.doc == doc, schema.pages.c.number == page)
                )
            ).scalar()
            png = conn.execute(
                select(schema.page_images.c.png).where(schema.page_images.c.sha256 == row.image)
            ).scalar()
        return PageOcr(
            words=[OcrWord(*values) for values in json.loads(row.words)],
            confidence=row.confidence,
            image_png=bytes(png) if png is not None else b"",
            image_sha256=row.image,
            width=row.width,
            height=row.height,
            language=row.languages,
            text=text or "",
        )

    def ocr_pages(self, doc: str) -> list[int]:
        """The pages of a document that were read by OCR, in order (their evidence has boxes)."""
        table = schema.page_ocr
        with self._engine.connect() as conn:
            rows = conn.execute(select(table.c.page).where(table.c.doc == doc).order_by(table.c.page))
            return [int(number) for number in rows.scalars()]

    def page_image(self, sha256: str) -> bytes | None:
        """A stored page image (PNG bytes) by its sha256."""
        with self._engine.connect() as conn:
            png = conn.execute(
                select(schema.page_images.c.png).where(schema.page_images.c.sha256 == sha256)
            ).scalar()
        return bytes(png) if png is not None else None

    def add_path(self, sha256: str, path: str) -> None:
        """Record another path the same content was found under (a no-op if already known)."""
        with self._engine.begin() as conn:
            if not self._has_document(conn, sha256):
                raise ValueError(f"no document {sha256} in {self.name}")
            self._add_path(conn, sha256, path)

    def _add_path(self, conn: Connection, sha256: str, path: str) -> None:
        known = conn.execute(
            select(schema.paths.c.path).where(and_(schema.paths.c.doc == sha256, schema.paths.c.path == path))
        ).first()
        if known is None:
            conn.execute(schema.paths.insert().values(doc=sha256, path=path, first_seen=_now()))

    @staticmethod
    def _has_document(conn: Connection, sha256: str) -> bool:
        row = conn.execute(select(schema.documents.c.sha256).where(schema.documents.c.sha256 == sha256))
        return row.first() is not None

    def has_document(self, sha256: str) -> bool:
        with self._engine.connect() as conn:
            return self._has_document(conn, sha256)

    def page_count(self, sha256: str) -> int | None:
        """The number of pages of a stored document, without loading its text."""
        with self._engine.connect() as conn:
            value = conn.execute(
                select(schema.documents.c.n_pages).where(schema.documents.c.sha256 == sha256)
            ).scalar()
        return None if value is None else int(value)

    def document(self, sha256: str) -> Document | None:
        """The document with its pages in order and every path it was found under."""
        with self._engine.connect() as conn:
            row = conn.execute(select(schema.documents).where(schema.documents.c.sha256 == sha256)).first()
            if row is None:
                return None
            pages = conn.execute(
                select(schema.pages.c.text)
                .where(schema.pages.c.doc == sha256)
                .order_by(schema.pages.c.number)
            ).scalars()
            paths = conn.execute(
                select(schema.paths.c.path)
                .where(schema.paths.c.doc == sha256)
                .order_by(schema.paths.c.first_seen, schema.paths.c.path)
            ).scalars()
            return Document(
                sha256=row.sha256,
                media_type=row.media_type,
                pages=list(pages),
                paths=list(paths),
                language=row.language,
                title=row.title,
                metadata=json.loads(row.metadata),
            )

    def documents(self) -> Iterator[Document]:
        """Every document, oldest first, loaded one at a time."""
        with self._engine.connect() as conn:
            shas = (
                conn.execute(
                    select(schema.documents.c.sha256).order_by(
                        schema.documents.c.created_at, schema.documents.c.sha256
                    )
                )
                .scalars()
                .all()
            )
        for sha in shas:
            doc = self.document(sha)
            if doc is not None:
                yield doc

    def count_documents(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.documents)).scalar_one())

    # Files ----------------------------------------------------------------

    def record_file(
        self,
        path: str,
        *,
        sha256: str | None,
        size: int,
        status: str,
        reason: str,
        mtime_ns: int | None = None,
        media_type: str | None = None,
        pages: int | None = None,
        chain: Sequence[str] | None = None,
        parent: str | None = None,
    ) -> None:
        """Remember the outcome of ingesting `path` this time (replacing the last one); the time it
        was first ingested is kept, so the custody manifest can say when each file came in."""
        if status not in FILE_STATUSES:
            raise ValueError(f"unknown file status {status!r}; expected one of {', '.join(FILE_STATUSES)}")
        now = _now()
        values = {
            "sha256": sha256,
            "size": size,
            "status": status,
            "reason": reason,
            "updated_at": now,
            "mtime_ns": mtime_ns,
            "media_type": media_type,
            "pages": pages,
            "chain": json.dumps(list(chain) if chain else [path], ensure_ascii=False),
            "parent": parent,
        }
        with self._engine.begin() as conn:
            done = conn.execute(update(schema.files).where(schema.files.c.path == path).values(**values))
            if done.rowcount == 0:
                conn.execute(schema.files.insert().values(path=path, first_ingested_at=now, **values))

    def files(self) -> list[FileRecord]:
        """Every path ever ingested, with its last outcome and chain of custody, sorted by path."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.files).order_by(schema.files.c.path)).all()
        return [
            FileRecord(
                path=r.path,
                sha256=r.sha256,
                size=r.size,
                status=r.status,
                reason=r.reason,
                updated_at=r.updated_at,
                mtime_ns=r.mtime_ns,
                media_type=r.media_type,
                pages=r.pages,
                chain=tuple(json.loads(r.chain)) if r.chain else (r.path,),
                parent=r.parent,
                first_ingested_at=r.first_ingested_at or r.updated_at,
            )
            for r in rows
        ]

    # Transfers ------------------------------------------------------------

    def replace_transfers(
        self, doc_sha256: str | None, transfers: Sequence[Transfer], *, source: str = "document"
    ) -> None:
        """Make `transfers` the whole set stored for that document (or, with None, for that source's
        transfers without a document); storing the same set twice leaves one copy."""
        merged: dict[str, Transfer] = {}
        for transfer in transfers:
            seen = merged.get(transfer.id)
            if seen is None:
                merged[transfer.id] = transfer
            else:  # the same claim found twice: keep one transfer with all the evidence
                extra = [ev for ev in transfer.evidence if ev not in seen.evidence]
                merged[transfer.id] = dataclasses.replace(seen, evidence=[*seen.evidence, *extra])
        table = schema.transfers
        same_doc = table.c.doc.is_(None) if doc_sha256 is None else table.c.doc == doc_sha256
        with self._engine.begin() as conn:
            conn.execute(delete(table).where(and_(table.c.source == source, same_doc)))
            if merged:
                conn.execute(delete(table).where(table.c.id.in_(list(merged))))
                conn.execute(
                    table.insert(),
                    [
                        {
                            "id": t.id,
                            "position": position,
                            **_transfer_columns(t, source=source, doc=doc_sha256),
                        }
                        for position, t in enumerate(merged.values())
                    ],
                )

    def upsert_transfers(self, transfers: Sequence[Transfer]) -> UpsertCounts:
        """Add or update transfers by id, keeping every other stored transfer.

        This is how registers are stored: a newer export of the same register updates the
        deals it covers (their ids are stable, `stable_id("sipri", deal_id)`), and the deals
        of other imports (an older export, the legacy format) stay. A transfer whose stored
        form is unchanged is not rewritten, so importing the same file twice changes nothing.
        All of it is one transaction with batched statements, so a full register takes a
        fraction of a second.
        """
        merged: dict[str, Transfer] = {}
        for transfer in transfers:
            merged.setdefault(transfer.id, transfer)
        table = schema.transfers
        counts = UpsertCounts()
        with self._engine.begin() as conn:
            stored: dict[str, str] = {}
            ids = list(merged)
            for i in range(0, len(ids), _ID_BATCH):
                batch = ids[i : i + _ID_BATCH]
                rows = conn.execute(select(table.c.id, table.c.data).where(table.c.id.in_(batch)))
                stored.update({row.id: row.data for row in rows})
            position = conn.execute(select(func.max(table.c.position)).where(table.c.doc.is_(None))).scalar()
            next_position = 0 if position is None else int(position) + 1
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for t in merged.values():
                row = _transfer_columns(t, source=t.source, doc=None)
                old = stored.get(t.id)
                if old is None:
                    inserts.append({"id": t.id, "position": next_position, **row})
                    next_position += 1
                elif old != row["data"]:
                    updates.append({"key": t.id, **row})
                else:
                    counts.unchanged += 1
            if inserts:
                conn.execute(table.insert(), inserts)
            if updates:
                conn.execute(
                    update(table)
                    .where(table.c.id == bindparam("key"))
                    .values({name: bindparam(name) for name in updates[0] if name != "key"}),
                    updates,
                )
            counts.added, counts.updated = len(inserts), len(updates)
        return counts

    def transfers(self) -> list[Transfer]:
        """Every stored transfer, grouped by source and document, in the order each group was stored."""
        table = schema.transfers
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(table.c.data).order_by(table.c.source, table.c.doc, table.c.position)
            ).scalars()
            return [transfer_from_data(json.loads(data)) for data in rows]

    def add_review(self, transfer_id: str, verdict: str, note: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}; expected one of {', '.join(VERDICTS)}")
        with self._engine.begin() as conn:
            conn.execute(
                schema.reviews.insert().values(transfer=transfer_id, verdict=verdict, note=note, at=_now())
            )

    def reviews(self, transfer_id: str | None = None) -> list[Review]:
        """Reviews oldest first; the last one for a transfer is its current verdict."""
        table = schema.reviews
        query = select(table).order_by(table.c.id)
        if transfer_id is not None:
            query = query.where(table.c.transfer == transfer_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Review(transfer=r.transfer, verdict=r.verdict, note=r.note, at=r.at) for r in rows]

    # Findings -------------------------------------------------------------

    def replace_findings(self, findings: Sequence[Finding]) -> None:
        """Findings are recomputed as a whole by each analysis run; the last run's set replaces the old."""
        unique = {f.id: f for f in findings}
        with self._engine.begin() as conn:
            conn.execute(delete(schema.findings))
            if unique:
                conn.execute(
                    schema.findings.insert(),
                    [
                        {
                            "id": f.id,
                            "position": position,
                            "rule": f.rule,
                            "severity": f.severity,
                            "supplier": f.supplier,
                            "recipient": f.recipient,
                            "data": json.dumps(finding_to_data(f), ensure_ascii=False),
                        }
                        for position, f in enumerate(unique.values())
                    ],
                )

    def findings(self) -> list[Finding]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(schema.findings.c.data).order_by(schema.findings.c.position)).scalars()
            return [finding_from_data(json.loads(data)) for data in rows]


__all__ = [
    "DEFAULT_DB",
    "FILE_STATUSES",
    "FileRecord",
    "Review",
    "Store",
    "StoreError",
    "UpsertCounts",
    "make_engine",
    "resolve_db",
]
