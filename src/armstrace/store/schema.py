"""The current tables, as the store queries them.

This is what the migrations in `migrations.py` add up to; a test checks that
the two agree, column by column.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, LargeBinary, MetaData, Table, Text

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("media_type", Text, nullable=False),
    Column("language", Text),
    Column("title", Text),
    Column("metadata", Text, nullable=False),  # JSON object of strings
    Column("n_pages", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
)

pages = Table(
    "pages",
    metadata,
    Column("doc", Text, primary_key=True),
    Column("number", Integer, primary_key=True),  # 1-based, as evidence cites it
    Column("text", Text, nullable=False),
)

paths = Table(
    "paths",
    metadata,
    Column("doc", Text, primary_key=True),
    Column("path", Text, primary_key=True),
    Column("first_seen", Text, nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("sha256", Text),
    Column("size", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("updated_at", Text, nullable=False),  # the last time it was ingested
    # chain of custody (migration 3)
    Column("mtime_ns", BigInteger),  # of the original on disk; NULL for a file inside a file
    Column("media_type", Text),
    Column("pages", Integer),
    Column("chain", Text),  # JSON list: the original on disk, then the member name at each level
    Column("parent", Text),  # sha256 of the document this file was found inside
    Column("first_ingested_at", Text),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("source", Text, nullable=False),  # document | register
    Column("doc", Text),  # the document's sha256; NULL for register transfers
    Column("position", Integer, nullable=False),  # order within the batch it was stored in
    Column("supplier", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("first_year", Integer),
    Column("last_year", Integer),
    Column("confidence", Float, nullable=False),
    Column("data", Text, nullable=False),  # JSON: Transfer.to_json() plus both actors in full
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transfer", Text, nullable=False),
    Column("verdict", Text, nullable=False),  # confirmed | rejected
    Column("note", Text, nullable=False),
    Column("at", Text, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Text, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("rule", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("supplier", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON: Finding.to_json() plus the facts in full
)

page_ocr = Table(
    "page_ocr",
    metadata,
    Column("doc", Text, primary_key=True),
    Column("page", Integer, primary_key=True),  # 1-based, as in `pages`
    Column("languages", Text, nullable=False),  # Tesseract's, e.g. rus+eng
    Column("confidence", Float, nullable=False),  # mean word confidence, 0..1
    # JSON list of [start, end, left, top, width, height, confidence]: offsets into the page text,
    # boxes in pixels of the page image
    Column("words", Text, nullable=False),
    Column("image", Text, nullable=False),  # sha256 of the page image in `page_images`
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
)

page_images = Table(
    "page_images",
    metadata,
    Column("sha256", Text, primary_key=True),  # of the PNG bytes
    Column("png", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
)
