"""Legacy Office files (DOC, XLS, PPT) through headless LibreOffice, and the OLE2 family they belong to.

DOC, XLS, PPT, Outlook MSG and password-protected DOCX/XLSX are all OLE2
compound files: one magic number, told apart by the names of the streams
inside (`WordDocument`, `Workbook`, `PowerPoint Document`, `__substg1.0_…`,
`EncryptedPackage`). This format claims OLE2 content, looks at the streams and
hands MSG to the email reader.

Legacy binaries are converted with LibreOffice (`soffice --headless
--convert-to`) to their Open XML twins and read by the DOCX, XLSX and PPTX
readers, so tables and sheets come out the same way. Each conversion runs in
a private temp folder with its own LibreOffice profile (so parallel workers
never share one), macros disabled, in its own process group, killed after
`CONVERT_TIMEOUT` seconds. An encrypted file is recognised before conversion
(LibreOffice would stop at a password prompt) and reported as `encrypted`.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from armstrace.ingest.formats import FormatError, Parsed

CONVERT_TIMEOUT = 120.0
"""Seconds one LibreOffice conversion may take."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_KINDS = {
    # kind: (what the user reads, extension LibreOffice converts from, target, reader format name, media type)
    "doc": ("Word document (DOC)", "doc", "docx", "docx", "application/msword"),
    "xls": ("Excel workbook (XLS)", "xls", "xlsx", "xlsx", "application/vnd.ms-excel"),
    "ppt": ("PowerPoint presentation (PPT)", "ppt", "pptx", "pptx", "application/vnd.ms-powerpoint"),
}
_SUMMARY_KEYS = {
    "title": "title",
    "subject": "subject",
    "author": "author",
    "keywords": "keywords",
    "comments": "description",
    "last_saved_by": "last_modified_by",
    "create_time": "created",
    "last_saved_time": "modified",
    "company": "company",
    "creating_application": "application",
}
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel"
 oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution"
 oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security"><prop oor:name="BlockUntrustedRefererLinks"
 oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def _directory_names_in_head(head: bytes) -> list[str]:
    """Stream names from the OLE2 directory, when its first sector lies within `head`."""
    if not head.startswith(OLE_MAGIC) or len(head) < 512:
        return []
    shift = int.from_bytes(head[30:32], "little")
    if shift not in (9, 12):
        return []
    start = (int.from_bytes(head[48:52], "little") + 1) << shift
    names = []
    for offset in range(start, min(len(head), start + (1 << shift)) - 127, 128):
        length = int.from_bytes(head[offset + 64 : offset + 66], "little")
        if 2 <= length <= 64:
            names.append(head[offset : offset + length - 2].decode("utf-16-le", errors="replace"))
    return names


def head_is_msg(head: bytes) -> bool:
    """An Outlook message, as far as the first bytes show (the email reader re-checks the full file)."""
    names = _directory_names_in_head(head)
    return any(name.startswith(("__substg1.0_", "__properties_version1.0")) for name in names) or (
        head.startswith(OLE_MAGIC) and "__substg1.0_".encode("utf-16-le") in head
    )


def ole_streams(data: bytes) -> list[str]:
    """Every stream path in an OLE2 file (`Root/Sub/Stream` as `Sub/Stream`); `failed` if it is damaged."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ["/".join(entry) for entry in ole.listdir(streams=True, storages=True)]
    except (OSError, ValueError, IndexError, TypeError, KeyError) as exc:
        raise FormatError(
            "failed", f"the Office file is damaged or truncated and cannot be opened ({exc})"
        ) from exc


def ole_kind(streams: list[str]) -> str | None:
    """msg, doc, xls, ppt or encrypted (a password-protected Open XML file), from the stream names."""
    top = {name.split("/")[0] for name in streams}
    if "EncryptedPackage" in top and "EncryptionInfo" in top:
        return "encrypted"
    if "__properties_version1.0" in top or any(name.startswith("__substg1.0_") for name in top):
        return "msg"
    if "WordDocument" in top:
        return "doc"
    if "Workbook" in top or "Book" in top:
        return "xls"
    if "PowerPoint Document" in top:
        return "ppt"
    return None


def _stream(data: bytes, name: str, size: int) -> bytes:
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists(name):
            return b""
        with ole.openstream(name) as handle:
            chunk: bytes = handle.read(size)
            return chunk


def is_encrypted(data: bytes, kind: str, streams: list[str]) -> bool:
    """Password protection in a legacy binary: the FIB flag (DOC), a FILEPASS record (XLS), or
    the encrypted summary stream (PPT)."""
    try:
        if kind == "doc":
            fib = _stream(data, "WordDocument", 12)
            return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)
        if kind == "xls":
            book = "Workbook" if "Workbook" in streams else "Book"
            records = _stream(data, book, 65536)
            offset = 0
            for _ in range(200):
                if offset + 4 > len(records):
                    break
                kind_ = int.from_bytes(records[offset : offset + 2], "little")
                length = int.from_bytes(records[offset + 2 : offset + 4], "little")
                if kind_ == 0x002F:  # FILEPASS
                    return True
                if kind_ == 0x0085:  # BOUNDSHEET: the globals before it had no FILEPASS
                    return False
                offset += 4 + length
            return False
        if kind == "ppt":
            return "EncryptedSummary" in streams
    except (OSError, ValueError, IndexError):
        return False
    return False


def _decode_property(value: bytes, codepage: int | None) -> str:
    """A summary string in the code page the file declares (LibreOffice writes UTF-8, Word cp1251)."""
    candidates = ["utf-8"] if codepage in (None, 65001) else [f"cp{codepage}", "utf-8"]
    for encoding in [*candidates, "cp1251"]:
        try:
            return value.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return value.decode("latin-1")


def summary_metadata(data: bytes) -> dict[str, str]:
    """Author, company and dates from the OLE2 summary streams (kept even when conversion changes them)."""
    import olefile

    metadata: dict[str, str] = {}
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            meta = ole.get_metadata()
    except Exception:  # metadata is a bonus: a damaged summary stream must not lose the text
        return metadata
    codepage = getattr(meta, "codepage", None)
    for attribute, key in _SUMMARY_KEYS.items():
        value: Any = getattr(meta, attribute, None)
        if isinstance(value, bytes):
            value = _decode_property(value, codepage)
        if hasattr(value, "isoformat"):
            value = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        text = " ".join(str(value).replace("\x00", "").split()) if value is not None else ""
        if text:
            metadata[key] = text
    return metadata


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, source_extension: str, target: str, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Convert with headless LibreOffice in a private folder and profile; the converted file's bytes."""
    soffice = soffice_path()
    if soffice is None:
        raise FormatError(
            "unsupported",
            "LibreOffice is not installed, so legacy Office files cannot be converted "
            "(install libreoffice-writer, libreoffice-calc and libreoffice-impress)",
        )
    with tempfile.TemporaryDirectory(prefix="armstrace-soffice-") as work:
        folder = Path(work)
        source = folder / f"input.{source_extension}"
        source.write_bytes(data)
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        out = folder / "out"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ]
        env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout kills soffice.bin too
            cwd=folder,
            env=env,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise FormatError(
                "timeout", f"LibreOffice took longer than {timeout:g} seconds to convert it and was stopped"
            ) from exc
        finally:  # also after a clean exit: nothing LibreOffice started may outlive the conversion
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        result = out / f"input.{target.split(':')[0]}"
        if not result.is_file() or result.stat().st_size == 0:
            detail = " ".join(stderr.decode("utf-8", errors="replace").split())[-300:]
            raise FormatError(
                "failed",
                "LibreOffice could not convert it; the file is damaged or not what it seems"
                + (f" ({detail})" if detail else ""),
            )
        return result.read_bytes()


class LegacyOfficeFormat:
    """DOC, XLS and PPT (and whatever else an OLE2 file turns out to be)."""

    name = "legacy-office"
    media_types: tuple[str, ...] = (
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
    )

    def __init__(self, timeout: float = CONVERT_TIMEOUT) -> None:
        self.timeout = timeout

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(OLE_MAGIC)

    def read(self, data: bytes, path: Path) -> Parsed:
        from armstrace.ingest.formats import get

        streams = ole_streams(data)
        kind = ole_kind(streams)
        if kind == "encrypted":
            raise FormatError(
                "encrypted", "the Office file is protected with a password; decrypt it and ingest it again"
            )
        if kind == "msg":
            from armstrace.ingest.formats.email import MsgFormat

            parsed = MsgFormat().read(data, path)
            parsed.media_type = parsed.media_type or MsgFormat.media_types[0]
            return parsed
        if kind is None:
            shown = ", ".join(sorted(streams)[:6]) or "none"
            raise FormatError("unsupported", f"an OLE2 compound file of an unknown kind (streams: {shown})")
        what, extension, target, reader_name, media_type = _KINDS[kind]
        if is_encrypted(data, kind, streams):
            raise FormatError(
                "encrypted", f"the {what} is protected with a password; decrypt it and ingest it again"
            )
        converted = convert(data, extension, target, timeout=self.timeout)
        reader = get(reader_name)
        if reader is None:
            raise FormatError("unsupported", f"the {reader_name} reader is not registered")
        try:
            parsed = reader.read(converted, path.with_suffix(f".{target}"))
        except FormatError as exc:
            raise FormatError(exc.status, f"the {what} was converted, but {exc.reason}") from exc
        metadata = {key: value for key, value in parsed.metadata.items() if key != "application"}
        metadata.update(summary_metadata(data))
        metadata["converted_with"] = "LibreOffice"
        parsed.metadata = metadata
        parsed.title = metadata.get("title") or parsed.title
        parsed.media_type = media_type
        return parsed
