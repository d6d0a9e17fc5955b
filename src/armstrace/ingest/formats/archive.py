"""Archives (ZIP, TAR, gzip/bzip2/xz, 7z): their members become child documents.

An archive is read in memory and its members are handed on as `Parsed.children`,
named by their path inside the archive (`letters/12.pdf`); the runner reads each
one as a document of its own and records the chain (`leak.zip/letters/12.pdf`).
Nothing is ever written to disk, so a member called `../../etc/cron.d/x` cannot
land anywhere; such members, links, devices and empty files are skipped and
named as problems (the archive's status becomes `partial`). The archive's own
page is its table of contents, so its member list is searchable and on record.

Bombs are stopped before they inflate: a member count limit, a budget on the
total unpacked size, and a ratio limit (per member for ZIP, for the whole
stream for compressed TAR and 7z, where members share one compressed stream).
A ZIP that is really an office file (the sniffer saw too little of it) is
handed to the office reader.
"""

from __future__ import annotations

import bz2
import io
import lzma
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from armstrace.ingest.formats import Child, FormatError, Parsed
from armstrace.ingest.formats._package import (
    DEFAULT_LIMITS,
    ZIP_MAGIC,
    Limits,
    SafeZip,
    full_package_kind,
    sniff_package,
)

_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_OFFICE_FORMATS = {
    "docx": "docx",
    "pptx": "pptx",
    "xlsx": "xlsx",
    "ods": "ods",
    "odt": "odf",
    "odp": "odf",
    "odf": "odf",
}
_CP866_LETTERS = frozenset(range(0x80, 0xB0)) | frozenset(range(0xE0, 0xF2))
_GZIP = b"\x1f\x8b"
_BZIP2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"


def _size(size: float) -> str:
    return f"{size / 2**20:,.1f} MB" if size >= 2**20 else f"{size:,.0f} bytes"


def _zip_name(info: Any) -> str:
    """A member name as its author wrote it: old Russian Windows tools store cp866 without saying so."""
    name: str = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = [byte for byte in raw if byte >= 0x80]
    if high and sum(byte in _CP866_LETTERS for byte in high) / len(high) >= 0.8:
        return raw.decode("cp866")
    return name


def safe_member_name(name: str) -> str | None:
    """The member's path inside the archive, or None if it is absolute or climbs out with `..`."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


@dataclass
class _Members:
    """Collects an archive's members as children, with the problems of those it skips."""

    what: str
    limits: Limits
    children: list[Child] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    listing: list[str] = field(default_factory=list)
    unpacked: int = 0
    seen: int = 0
    _names: set[str] = field(default_factory=set)

    def count(self) -> None:
        self.seen += 1
        if self.seen > self.limits.max_members:
            raise FormatError(
                "too-large",
                f"the {self.what} has more than {self.limits.max_members:,} members (a decompression bomb?)",
            )

    def admit(self, raw_name: str, size: int, kind: str = "file") -> str | None:
        """The child name to use for a member, or None (with a problem noted) if it must be skipped."""
        name = safe_member_name(raw_name)
        if kind == "dir" or (name is not None and _JUNK.search(name)):
            return None
        shown = name or raw_name
        self.listing.append(f"{shown} ({_size(size)})" if kind == "file" else f"{shown} ({kind})")
        if name is None:
            self.problems.append(f"{raw_name!r} has an absolute path or climbs out with '..' and was skipped")
            return None
        if kind != "file":
            self.problems.append(f"{name} is a {kind} and was skipped")
            return None
        if size == 0:
            self.problems.append(f"{name} is empty (0 bytes) and was skipped")
            return None
        if self.unpacked + size > self.limits.max_total:
            self.problems.append(
                f"{name} ({_size(size)}) was skipped: the archive unpacks to more than the limit of "
                f"{_size(self.limits.max_total)}"
            )
            return None
        unique, number = name, 1
        while unique in self._names:
            number += 1
            unique = f"{name} ({number})"
        self._names.add(unique)
        return unique

    def add(self, name: str, data: bytes) -> None:
        self.unpacked += len(data)
        self.children.append(Child(name=name, data=data))

    def parsed(self, media_type: str | None = None, metadata: dict[str, str] | None = None) -> Parsed:
        contents = f"{self.what}: {len(self.listing)} member(s)\n" + "\n".join(self.listing)
        return Parsed(
            pages=[contents],
            metadata={"members": str(len(self.listing)), **(metadata or {})},
            problems=self.problems,
            children=self.children,
            media_type=media_type,
        )


class ZipFormat:
    """ZIP archives; members are read in memory, each checked against the bomb limits."""

    name = "zip"
    media_types: tuple[str, ...] = ("application/zip",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(ZIP_MAGIC) and sniff_package(head) is None

    def read(self, data: bytes, path: Path) -> Parsed:
        package = SafeZip(data, self.limits)
        kind = full_package_kind(package)
        if kind is not None:
            return _delegate(_OFFICE_FORMATS[kind], data, path)
        members = _Members("ZIP archive", self.limits)
        encrypted: list[str] = []
        for info in package.infos:
            name = _zip_name(info)
            mode = info.external_attr >> 16
            kind = "dir" if info.is_dir() else "symbolic link" if (mode & 0o170000) == 0o120000 else "file"
            child = members.admit(name, info.file_size, kind)
            if child is None:
                continue
            if SafeZip.encrypted(info):
                encrypted.append(child)
                continue
            refusal = package.check(info)
            if refusal is not None:
                members.problems.append(f"{refusal}; it was skipped")
                continue
            try:
                members.add(child, package.read(info))
            except FormatError as exc:
                members.problems.append(f"{child} was skipped: {exc.reason}")
        if encrypted and not members.children:
            raise FormatError(
                "encrypted",
                "the ZIP archive is encrypted and needs a password; decrypt it and ingest it again",
            )
        if encrypted:
            members.problems.append(
                f"{len(encrypted)} encrypted member(s) could not be read: {', '.join(encrypted[:5])}"
            )
        comment = package.zip.comment.decode("utf-8", errors="replace").strip()
        return members.parsed(metadata={"comment": comment} if comment else None)


def _delegate(format_name: str, data: bytes, path: Path) -> Parsed:
    from armstrace.ingest.formats import get

    fmt = get(format_name)
    if fmt is None:
        raise FormatError(
            "unsupported", f"it is an office file ({format_name}), but that format is not registered"
        )
    parsed = fmt.read(data, path)
    parsed.media_type = parsed.media_type or fmt.media_types[0]
    return parsed


def _tar_checksum_ok(block: bytes) -> bool:
    """A tar header whose checksum adds up: how old (pre-POSIX) tar files without magic are told apart."""
    if len(block) < 512:
        return False
    field_ = block[148:156].replace(b"\x00", b" ").strip()
    if not field_ or not all(48 <= c <= 55 for c in field_):
        return False
    total = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return int(field_, 8) == total and block[0] != 0


def is_tar(head: bytes) -> bool:
    return head[257:262] == b"ustar" or _tar_checksum_ok(head[:512])


def _tar_members(raw: bytes, members: _Members) -> None:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(raw), mode="r:")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise FormatError("failed", f"the {members.what} is damaged and cannot be opened ({exc})") from exc
    with archive:
        while True:
            try:
                info = archive.next()
            except (tarfile.TarError, EOFError, OSError) as exc:
                if not members.listing:
                    raise FormatError(
                        "failed", f"the {members.what} is damaged and cannot be read ({exc})"
                    ) from exc
                members.problems.append(
                    f"the {members.what} is damaged after {len(members.listing)} member(s) ({exc})"
                )
                return
            if info is None:
                return
            members.count()
            if info.isdir():
                continue
            kind = (
                "file" if info.isreg()
                else "symbolic link" if info.issym()
                else "hard link" if info.islnk()
                else "device or pipe"
            )  # fmt: skip
            child = members.admit(info.name, info.size, kind)
            if child is None:
                continue
            try:
                handle = archive.extractfile(info)
                data = handle.read() if handle is not None else b""
            except (tarfile.TarError, EOFError, OSError) as exc:
                members.problems.append(
                    f"{child} could not be read; the archive is damaged or truncated ({exc})"
                )
                return
            if len(data) < info.size:
                members.problems.append(f"{child} is truncated ({len(data):,} of {info.size:,} bytes)")
            members.add(child, data)


class TarFormat:
    """Uncompressed TAR archives (compressed ones go through `CompressedFormat` first)."""

    name = "tar"
    media_types: tuple[str, ...] = ("application/x-tar",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return is_tar(head)

    def read(self, data: bytes, path: Path) -> Parsed:
        members = _Members("TAR archive", self.limits)
        _tar_members(data, members)
        return members.parsed()


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    if kind == "bzip2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


def decompress(data: bytes, kind: str, cap: int) -> tuple[bytes, bool]:
    """Inflate a gzip, bzip2 or xz stream (all its concatenated members) to at most `cap` bytes.

    Returns the bytes and whether the stream ended properly (False: truncated).
    Raises `FormatError("too-large")` as soon as the output passes the cap, so a
    bomb is never inflated beyond it.
    """
    out = bytearray()
    pending = data
    errors: tuple[type[Exception], ...] = (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError)
    while pending:
        engine = _decompressor(kind)
        chunk_in = pending
        pending = b""
        try:
            while True:
                room = cap + 1 - len(out)
                piece = (
                    engine.decompress(chunk_in, room)
                    if kind == "gzip"
                    else engine.decompress(chunk_in, max_length=room)
                )
                out += piece
                if len(out) > cap:
                    raise FormatError(
                        "too-large",
                        f"it decompresses to more than {_size(cap)}, over the limits for its size "
                        "(a decompression bomb?)",
                    )
                if engine.eof:
                    pending = engine.unused_data.lstrip(b"\x00")
                    break
                chunk_in = engine.unconsumed_tail if kind == "gzip" else b""
                starved = not chunk_in if kind == "gzip" else engine.needs_input
                if not piece and starved:  # input used up before the stream's end: truncated
                    return bytes(out), False
        except errors as exc:
            if not out:
                raise FormatError(
                    "failed", f"the {kind} stream is damaged and cannot be read ({exc})"
                ) from exc
            return bytes(out), False
    return bytes(out), True


def _gzip_name(data: bytes) -> str | None:
    """The original file name a gzip header records (FNAME), if any."""
    if len(data) < 10 or not data[3] & 0x08:
        return None
    start = 10
    if data[3] & 0x04:  # FEXTRA
        start += 2 + int.from_bytes(data[10:12], "little")
    end = data.find(b"\x00", start, start + 1024)
    if end == -1:
        return None
    name = data[start:end].decode("latin-1").replace("\\", "/").rsplit("/", 1)[-1]
    return name or None


class CompressedFormat:
    """gzip, bzip2 and xz files: a compressed TAR becomes its members, any other content one child."""

    name = "compressed"
    media_types: tuple[str, ...] = ("application/gzip", "application/x-bzip2", "application/x-xz")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    @staticmethod
    def kind(head: bytes) -> str | None:
        if head.startswith(_GZIP):
            return "gzip"
        if head.startswith(_BZIP2) and head[3:4].isdigit():
            return "bzip2"
        if head.startswith(_XZ):
            return "xz"
        return None

    def sniff(self, head: bytes, path: Path) -> bool:
        return self.kind(head) is not None

    def read(self, data: bytes, path: Path) -> Parsed:
        kind = self.kind(data) or "gzip"
        media_type = self.media_types[("gzip", "bzip2", "xz").index(kind)]
        cap = min(self.limits.max_total, max(int(self.limits.max_ratio * len(data)), self.limits.ratio_floor))
        raw, complete = decompress(data, kind, cap)
        if is_tar(raw):
            members = _Members(f"TAR archive ({kind})", self.limits)
            if not complete:
                members.problems.append(f"the {kind} stream is truncated; members after the cut are missing")
            _tar_members(raw, members)
            return members.parsed(media_type)
        members = _Members(f"{kind} file", self.limits)
        if not raw:
            raise FormatError(
                "failed", f"the {kind} stream is damaged or truncated; nothing in it could be read"
            )
        if not complete:
            members.problems.append(f"the {kind} stream is truncated; the end of the file is missing")
        stem = path.name
        for suffix in (".gz", ".gzip", ".bz2", ".xz", ".z"):
            if stem.lower().endswith(suffix) and len(stem) > len(suffix):
                stem = stem[: -len(suffix)]
                break
        else:
            stem = f"{stem}.decompressed"
        members.count()
        child = members.admit((_gzip_name(data) if kind == "gzip" else None) or stem, len(raw))
        if child is not None:
            members.add(child, raw)
        return members.parsed(media_type)


class _CappedWriter:
    """A py7zr output that keeps a member in memory and stops at its declared size (a lying header)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buffer = io.BytesIO()
        self.overflow = False

    def write(self, data: bytes | bytearray) -> int:
        room = self.cap - self.buffer.tell()
        if len(data) > room:
            self.overflow = True
            data = data[: max(room, 0)]
        return self.buffer.write(data)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        self.buffer.flush()

    def size(self) -> int:
        return self.buffer.getbuffer().nbytes

    def close(self) -> None:
        return None


class SevenZipFormat:
    """7-Zip archives through py7zr; a password-protected one is `encrypted`."""

    name = "7z"
    media_types: tuple[str, ...] = ("application/x-7z-compressed",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(_SEVEN_ZIP)

    def read(self, data: bytes, path: Path) -> Parsed:
        import py7zr
        from py7zr import exceptions as x7

        locked = "the 7z archive is encrypted and needs a password; decrypt it and ingest it again"
        errors = (
            x7.Bad7zFile, x7.CrcError, x7.UnsupportedCompressionMethodError, lzma.LZMAError,
            EOFError, OSError, ValueError, KeyError, IndexError, TypeError,
        )  # fmt: skip
        try:
            archive = py7zr.SevenZipFile(io.BytesIO(data), mode="r")
        except x7.PasswordRequired as exc:
            raise FormatError("encrypted", locked) from exc
        except errors as exc:
            raise FormatError(
                "failed", f"the 7z archive is damaged or truncated and cannot be opened ({exc})"
            ) from exc
        members = _Members("7z archive", self.limits)
        with archive:
            if archive.needs_password():
                raise FormatError("encrypted", locked)
            wanted: dict[str, tuple[str, int]] = {}
            total = 0
            for info in archive.list():
                members.count()
                kind = "dir" if info.is_directory else "symbolic link" if info.is_symlink else "file"
                size = int(info.uncompressed or 0)
                child = members.admit(info.filename, size, kind)
                if child is None:
                    continue
                if total + size > self.limits.max_total:
                    members.problems.append(
                        f"{child} was skipped: the archive unpacks to more than the limit"
                    )
                    continue
                total += size
                wanted[info.filename] = (child, size)
            if total > self.limits.ratio_floor and total > self.limits.max_ratio * len(data):
                raise FormatError(
                    "too-large",
                    f"the 7z archive would unpack {total / max(len(data), 1):,.0f} times its size "
                    f"to {_size(total)}, "
                    f"over the ratio limit of {self.limits.max_ratio:g} (a decompression bomb?)",
                )
            writers: dict[str, _CappedWriter] = {}
            if wanted:
                factory = _factory(
                    lambda name: writers.setdefault(name, _CappedWriter(wanted.get(name, ("", 0))[1]))
                )
                try:
                    archive.extract(targets=list(wanted), factory=factory)
                except errors as exc:
                    members.problems.append(
                        f"the 7z archive is damaged; some members could not be unpacked ({exc})"
                    )
        for filename, (child, size) in wanted.items():
            writer = writers.get(filename)
            if writer is None or writer.size() < size:
                members.problems.append(f"{child} could not be unpacked")
                continue
            if writer.overflow:
                members.problems.append(
                    f"{child} unpacks to more than its header declares; it was cut at {size:,} bytes"
                )
            members.add(child, writer.buffer.getvalue())
        return members.parsed()


def _factory(create: Callable[[str], _CappedWriter]) -> Any:
    from py7zr.io import WriterFactory

    class _Factory(WriterFactory):
        def create(self, filename: str) -> Any:
            return create(filename)

    return _Factory()
