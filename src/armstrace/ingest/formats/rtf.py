"""RTF documents: Word's exchange format, common in older government correspondence.

Text comes from striprtf, which drops pictures, embedded objects and other
non-text groups. The code page matters for Russian: 8-bit characters (`\\'cf`)
are read in the code page the file declares (`\\ansicpg1251`), or in cp1251
when the fonts are Cyrillic (`\\fcharset204`) but the declared page is not.
Page breaks (`\\page`) split the pages. Page headers and footers are not read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

from armstrace.ingest.formats import FormatError, Parsed
from armstrace.ingest.formats.text import normalise_newlines

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_PAGE_BREAK = re.compile(r"\\page(?![a-zA-Z])(?:-?\d+)? ?")
_INFO = re.compile(r"\{\\(title|subject|author|operator|company|keywords|doccomm)\s+((?:[^{}\\]|\\.)*?)\}")
_CREATED = re.compile(r"\{\\creatim\\yr(\d+)\\mo(\d+)\\dy(\d+)")
_INFO_KEYS = {"operator": "last_modified_by", "doccomm": "description"}


def _encoding(data: bytes) -> str:
    declared = _CODEPAGE.search(data[:65536])
    encoding = f"cp{int(declared.group(1))}" if declared else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    if encoding == "cp1252" and b"\\fcharset204" in data[:65536]:
        encoding = "cp1251"  # Cyrillic fonts: their 8-bit characters are cp1251
    return encoding


class RtfFormat:
    name = "rtf"
    media_types: tuple[str, ...] = ("application/rtf",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"{\\rtf")

    def read(self, data: bytes, path: Path) -> Parsed:
        from striprtf.striprtf import rtf_to_text as untyped

        rtf_to_text: Callable[..., str] = untyped

        encoding = _encoding(data)
        source = data.decode(encoding, errors="replace")
        problems: list[str] = []
        depth = 0
        for char in re.sub(r"\\[{}\\]", "", source):
            depth += (char == "{") - (char == "}")
        if depth > 0:
            problems.append("the RTF ends before its groups close (truncated?); some text may be missing")
        try:
            text = rtf_to_text(_PAGE_BREAK.sub(r"\\u12 ?", source), encoding=encoding, errors="replace")
        except (ValueError, IndexError, RecursionError) as exc:
            raise FormatError("failed", f"the RTF is malformed and cannot be read ({exc})") from exc
        pages = [page.strip("\n") for page in normalise_newlines(text).split("\f")]
        pages = [page for page in pages if page.strip()] or [""]
        metadata: dict[str, str] = {"encoding": encoding}
        for key, value in _INFO.findall(source[:1_000_000]):
            try:
                plain = " ".join(
                    rtf_to_text("{\\rtf1 " + value + "}", encoding=encoding, errors="replace").split()
                )
            except (ValueError, IndexError):
                continue
            if plain:
                metadata.setdefault(_INFO_KEYS.get(key, key), plain)
        created = _CREATED.search(source[:1_000_000])
        if created:
            year, month, day = (int(part) for part in created.groups())
            metadata["created"] = f"{year:04d}-{month:02d}-{day:02d}"
        return Parsed(pages=pages, title=metadata.get("title"), metadata=metadata, problems=problems)
