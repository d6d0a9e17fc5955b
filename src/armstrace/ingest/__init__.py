"""Ingest: where a file becomes a `Document` (text per page, metadata, sha256, language).

`formats/` holds one plugin per document format; `pipeline.py` walks folders,
reads each file with the format its content shows, and stores the result.
"""

from armstrace.ingest.pipeline import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    FileOutcome,
    guess_language,
    ingest_paths,
    iter_files,
    parse_bytes,
    read_file,
    status_counts,
    summary_table,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "FileOutcome",
    "guess_language",
    "ingest_paths",
    "iter_files",
    "parse_bytes",
    "read_file",
    "status_counts",
    "summary_table",
]
