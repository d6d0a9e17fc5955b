"""Reading ZIP containers and their XML parts without trusting them.

Office files (DOCX, XLSX, PPTX, ODT, ODS) are ZIP archives of XML parts, and a
leak is exactly where a hostile one turns up: a part that inflates to gigabytes
(a decompression bomb), an encrypted member, XML that declares entities to read
`/etc/passwd` (XXE) or to expand a billion times. So every office reader and
the archive reader go through here: members are read into memory (never onto
disk) with a byte budget and a compression-ratio limit, and XML is parsed with
entity expansion, DTD loading and network access switched off.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from armstrace.ingest.formats import FormatError


@dataclass(frozen=True)
class Limits:
    """How much an archive or office file may unpack to before it is treated as a bomb.

    `max_ratio` only applies to members that unpack to more than `ratio_floor`
    bytes: a small file that compresses well (a page of spaces) harms nobody.
    """

    max_total: int = 2 * 1024**3
    max_ratio: float = 200.0
    max_members: int = 10_000
    ratio_floor: int = 1024**2


DEFAULT_LIMITS = Limits()

_XML_PARSER_OPTIONS = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _mb(size: float) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size:,.0f} bytes"


def parse_xml(data: bytes, part: str, problems: list[str]) -> etree._Element:
    """Parse one XML part safely; a DTD (never present in real office XML) is noted as a problem.

    Entities are left unexpanded, so an XXE payload reads as nothing and a
    billion-laughs payload stays a few bytes.
    """
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc):
            reason = (
                f"its part {part} declares XML entities that expand enormously (a billion-laughs attack?)"
            )
            raise FormatError("failed", reason) from exc
        raise FormatError("failed", f"its part {part} is not well-formed XML ({exc})") from exc
    if root is None:
        raise FormatError("failed", f"its part {part} is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        problems.append(f"its part {part} declares a DTD (possibly hostile); its entities were not expanded")
    return root


class SafeZip:
    """A ZIP archive opened in memory, whose members are read with a budget.

    Raises `FormatError` on open for content that is not a readable ZIP, and
    for archives with more members than the limit allows.
    """

    def __init__(self, data: bytes, limits: Limits = DEFAULT_LIMITS, *, what: str = "ZIP archive") -> None:
        self.limits = limits
        self.what = what
        self.compressed_size = len(data)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise FormatError(
                "failed", f"the {what} is damaged or truncated and cannot be opened ({exc})"
            ) from exc
        if len(self.infos) > limits.max_members:
            raise FormatError(
                "too-large",
                f"the {what} has {len(self.infos):,} members, over the limit of {limits.max_members:,} "
                "(a decompression bomb?)",
            )
        self.unpacked = 0
        self._by_name = {info.filename: info for info in self.infos}

    def names(self) -> list[str]:
        return [info.filename for info in self.infos]

    def has(self, name: str) -> bool:
        return name in self._by_name

    @staticmethod
    def encrypted(info: zipfile.ZipInfo) -> bool:
        return bool(info.flag_bits & 0x1)

    def check(self, info: zipfile.ZipInfo) -> str | None:
        """Why this member must not be unpacked (as a sentence fragment), or None if it may be."""
        if self.encrypted(info):
            return f"{info.filename} is encrypted"
        size = info.file_size
        if self.unpacked + size > self.limits.max_total:
            limit = _mb(self.limits.max_total)
            return f"{info.filename} would take the unpacked total over the limit of {limit}"
        if size > self.limits.ratio_floor and size > self.limits.max_ratio * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            return (
                f"{info.filename} expands {ratio:,.0f} times to {_mb(size)}, over the ratio limit of "
                f"{self.limits.max_ratio:g} (a decompression bomb?)"
            )
        return None

    def read(self, name_or_info: str | zipfile.ZipInfo) -> bytes:
        """A member's bytes; raises `FormatError` when it is missing, encrypted, a bomb or damaged.

        The declared size is not trusted: reading stops at whichever is lower
        of the budget left and what the ratio limit allows for its compressed size.
        """
        if isinstance(name_or_info, str):
            info = self._by_name.get(name_or_info)
            if info is None:
                raise FormatError("failed", f"the {self.what} has no {name_or_info} part")
        else:
            info = name_or_info
        refusal = self.check(info)
        if refusal is not None:
            status = "encrypted" if self.encrypted(info) else "too-large"
            raise FormatError(status, f"{refusal}, so the {self.what} was not read")
        cap = min(
            self.limits.max_total - self.unpacked,
            max(int(self.limits.max_ratio * max(info.compress_size, 1)), self.limits.ratio_floor),
        )
        try:
            with self.zip.open(info) as handle:
                data = handle.read(cap + 1)
        except RuntimeError as exc:  # zipfile's way of saying "needs a password"
            raise FormatError("encrypted", f"{info.filename} is encrypted") from exc
        except NotImplementedError as exc:
            raise FormatError(
                "unsupported", f"{info.filename} uses an unsupported compression ({exc})"
            ) from exc
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise FormatError("failed", f"{info.filename} is damaged or truncated ({exc})") from exc
        if len(data) > cap:
            raise FormatError(
                "too-large",
                f"{info.filename} unpacks to more than its header declares and the limits allow "
                "(a decompression bomb?)",
            )
        self.unpacked += len(data)
        return data


def declares_dtd(data: bytes) -> bool:
    """True if XML bytes declare a DTD (in UTF-8 or UTF-16): no office file needs one, attacks do."""
    head = data[:4096]
    return (
        b"<!DOCTYPE" in head
        or "<!DOCTYPE".encode("utf-16-le") in head
        or "<!DOCTYPE".encode("utf-16-be") in head
    )


def open_package(data: bytes, what: str, limits: Limits = DEFAULT_LIMITS) -> SafeZip:
    """Open an office package; an encrypted member makes the whole file `encrypted`."""
    package = SafeZip(data, limits, what=what)
    if any(SafeZip.encrypted(info) for info in package.infos):
        raise FormatError("encrypted", f"the {what} is encrypted; decrypt it and ingest it again")
    return package


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ODF_PREFIX = "application/vnd.oasis.opendocument."


def names_in_head(head: bytes) -> list[str]:
    """Member names from the local headers visible in the first bytes of a ZIP file.

    Only a hint, for sniffing: members past the head are not seen, which is why
    the archive reader checks the full list again and hands a package it
    recognises on to the right office reader.
    """
    names: list[str] = []
    start = head.find(b"PK\x03\x04")
    while start != -1 and start + 30 <= len(head):
        length = int.from_bytes(head[start + 26 : start + 28], "little")
        name = head[start + 30 : start + 30 + length]
        if len(name) == length:
            names.append(name.decode("utf-8", errors="replace"))
        start = head.find(b"PK\x03\x04", start + 30)
    return names


def head_mimetype(head: bytes) -> str | None:
    """The `mimetype` an OpenDocument file stores, uncompressed, as its first member."""
    if head[:4] != b"PK\x03\x04" or head[30:38] != b"mimetype":
        return None
    extra = int.from_bytes(head[28:30], "little")
    size = int.from_bytes(head[18:22], "little")
    start = 38 + extra
    return head[start : start + min(size, 100)].decode("ascii", errors="replace")


def package_kind(names: list[str], mimetype: str | None) -> str | None:
    """Which office package these member names make: docx, xlsx, pptx, odt, ods, odp, odf; or None."""
    if mimetype and mimetype.startswith(_ODF_PREFIX):
        sub = mimetype[len(_ODF_PREFIX) :]
        return {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}.get(sub.split("-")[0], "odf")
    if "[Content_Types].xml" not in names:  # a leak.zip with a folder called word/ is not a DOCX
        return None
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def sniff_package(head: bytes) -> str | None:
    """The office package kind visible in a ZIP file's first bytes, or None."""
    if not head.startswith(ZIP_MAGIC):
        return None
    return package_kind(names_in_head(head), head_mimetype(head))


def full_package_kind(package: SafeZip) -> str | None:
    """The office package kind from the whole member list (and the `mimetype` member)."""
    mimetype = None
    if package.has("mimetype"):
        info = package.zip.getinfo("mimetype")
        if info.file_size < 200 and not SafeZip.encrypted(info):
            try:
                mimetype = package.read(info).decode("ascii", errors="replace").strip()
            except FormatError:
                mimetype = None
    return package_kind(package.names(), mimetype)
