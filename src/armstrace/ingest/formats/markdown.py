"""Markdown, kept as written: the markup is light enough that offsets into the
source are what a reader can find again, so nothing is rendered or stripped."""

from __future__ import annotations

import re
from pathlib import Path

from armstrace.ingest.formats import Parsed
from armstrace.ingest.formats.text import decode_text, looks_like_text, normalise_newlines

_EXTENSIONS = (".md", ".markdown")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class MarkdownFormat:
    """Markdown is text by content; only the extension tells it apart."""

    name = "markdown"
    media_types: tuple[str, ...] = ("text/markdown",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return path.suffix.lower() in _EXTENSIONS and looks_like_text(head)

    def read(self, data: bytes, path: Path) -> Parsed:
        text, encoding = decode_text(data)
        text = normalise_newlines(text)
        heading = _HEADING.search(text)
        title = heading.group(1).strip() if heading else None
        metadata = {"encoding": encoding}
        if title:
            metadata["title"] = title
        return Parsed(pages=[text], title=title, metadata=metadata)
