"""Ingest: where a file becomes a `Document` (text per page, metadata, sha256, language).

`formats/` holds one plugin per document format; `pipeline.py` walks folders,
has each file read in a worker process (`worker.py`) with the format its
content shows, and stores the result with its chain of custody.
"""

from armstrace.ingest.pipeline import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CHILDREN,
    DEFAULT_MAX_DEPTH,
    DEFAULT_TIMEOUT,
    FileOutcome,
    IngestOptions,
    guess_language,
    ingest_paths,
    iter_files,
    parse_bytes,
    read_file,
    status_counts,
    summary_table,
)
from armstrace.ingest.worker import DEFAULT_MEMORY_LIMIT, PLUGINS_ENV

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHILDREN",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIMEOUT",
    "PLUGINS_ENV",
    "FileOutcome",
    "IngestOptions",
    "guess_language",
    "ingest_paths",
    "iter_files",
    "parse_bytes",
    "read_file",
    "status_counts",
    "summary_table",
]
