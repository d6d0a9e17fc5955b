"""Email: single messages (EML), mailboxes (MBOX) and Outlook messages (MSG).

A message's page is what its reader sees: the From, To, Cc, Date and Subject
lines, a blank line, and the body (the plain-text part when there is one, else
the HTML part reduced to its visible text by the HTML reader). The same headers
go into the metadata. Attachments, and messages forwarded as attachments,
become child documents named by their file names: a bill of sale attached to
an email is read as a PDF of its own, with the email as its parent.

An MBOX is a list of messages: each becomes a child (`message-0001.eml`), and
the mailbox's own page lists them (date, sender, subject), one line each.

Parsing uses the standard library's `email` package, which never raises on a
malformed message (it records defects), and the parts are walked with an
explicit stack, so a message nested a thousand times does not overflow it.
"""

from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.message
import email.policy
import email.utils
import re
from pathlib import Path
from typing import Any

from armstrace.ingest.formats import Child, FormatError, Parsed
from armstrace.ingest.formats.text import looks_like_text, normalise_newlines

HEADERS = ("from", "to", "cc", "date", "subject")
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?", re.MULTILINE)
_KNOWN = (
    b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"received", b"return-path",
    b"mime-version", b"content-type", b"delivered-to", b"reply-to", b"x-mailer", b"sender",
)  # fmt: skip
_MBOX_SEPARATOR = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)
_MBOX_FIRST = re.compile(rb"^From \S+.*\d{4}")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
_MAX_PARTS = 10_000
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "message/rfc822": ".eml",
    "application/zip": ".zip",
    "application/msword": ".doc",
}


def _header(message: email.message.Message, name: str) -> str:
    """A header decoded to text (encoded words included), never raising on a malformed one."""
    values: list[str] = []
    for raw in message.get_all(name, []) or []:
        try:
            text = str(email.header.make_header(email.header.decode_header(str(raw))))
        except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
            text = str(raw)
        values.append(" ".join(text.split()))
    return ", ".join(value for value in values if value)


def _headers(message: email.message.Message) -> dict[str, str]:
    metadata = {name: value for name in HEADERS if (value := _header(message, name))}
    if "date" in metadata:
        try:
            parsed = email.utils.parsedate_to_datetime(metadata["date"])
            metadata["date_iso"] = parsed.isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    message_id = _header(message, "message-id")
    if message_id:
        metadata["message_id"] = message_id
    return metadata


def _header_block(metadata: dict[str, str]) -> str:
    return "\n".join(f"{name.capitalize()}: {metadata[name]}" for name in HEADERS if name in metadata)


def _payload_text(part: email.message.Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return data.decode(charset, errors="replace")


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, through the HTML format's own reader (scripts and styles dropped)."""
    from armstrace.ingest.formats.html import HtmlFormat

    # A byte-order mark makes the reader trust our decoding over any <meta charset> in the body.
    data = codecs.BOM_UTF8 + html.encode("utf-8", errors="replace")
    return HtmlFormat().read(data, Path("body.html")).pages[0]


def _safe_name(name: str, fallback: str) -> str:
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[:200] or fallback


class _Parts:
    """Walks a message: the text parts a reader sees become the body, the rest become children."""

    def __init__(self) -> None:
        self.body: list[str] = []
        self.children: list[Child] = []
        self.problems: list[str] = []
        self._names: set[str] = set()

    def child(self, name: str, data: bytes) -> None:
        unique, number = name, 1
        while unique in self._names:
            number += 1
            stem, dot, ext = name.rpartition(".")
            unique = f"{stem} ({number}).{ext}" if dot and stem else f"{name} ({number})"
        self._names.add(unique)
        self.children.append(Child(name=unique, data=data))

    def walk(self, message: email.message.Message) -> None:
        stack: list[tuple[email.message.Message, bool]] = [(message, False)]
        seen = 0
        while stack:
            part, in_alternative = stack.pop()
            seen += 1
            if seen > _MAX_PARTS:
                self.problems.append(f"the message has more than {_MAX_PARTS:,} parts; the rest were skipped")
                return
            ctype = part.get_content_type()
            if part.is_multipart() and ctype != "message/rfc822":
                subparts = part.get_payload()
                if not isinstance(subparts, list):
                    continue
                if ctype == "multipart/alternative":
                    chosen = self._alternative(subparts)
                    stack.extend((sub, True) for sub in reversed(chosen))
                else:
                    stack.extend(
                        (sub, False) for sub in reversed(subparts) if isinstance(sub, email.message.Message)
                    )
                continue
            self.leaf(part, ctype, in_alternative)

    @staticmethod
    def _alternative(parts: list[Any]) -> list[email.message.Message]:
        """Of the alternatives, the plain-text one (the most faithful), else the last (the richest)."""
        messages = [part for part in parts if isinstance(part, email.message.Message)]
        plain = [part for part in messages if part.get_content_type() == "text/plain"]
        return plain[:1] or messages[-1:]

    def leaf(self, part: email.message.Message, ctype: str, in_alternative: bool) -> None:
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        is_body = ctype in ("text/plain", "text/html") and not filename and disposition != "attachment"
        if is_body:
            text = _payload_text(part)
            if ctype == "text/html":
                text = html_to_text(text)
            text = normalise_newlines(text).strip()
            if text:
                self.body.append(text)
            return
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner_message, email.message.Message):
                subject = _header(inner_message, "subject") or "forwarded message"
                self.child(_safe_name(filename or f"{subject}.eml", "message.eml"), inner_message.as_bytes())
            return
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            if filename:
                self.problems.append(f"the attachment {filename!r} is empty or cannot be decoded")
            return
        extension = _EXTENSIONS.get(ctype, ".bin")
        fallback = f"attachment-{len(self.children) + 1}{extension}"
        self.child(_safe_name(filename or fallback, fallback), data)


def read_message(message: email.message.Message) -> Parsed:
    """One parsed message to a page (headers and body), metadata and attachments as children."""
    metadata = _headers(message)
    parts = _Parts()
    parts.walk(message)
    defects = [type(defect).__name__ for defect in message.defects]
    if defects:
        parts.problems.append(f"the message is malformed ({', '.join(sorted(set(defects)))})")
    page = _header_block(metadata) + "\n\n" + "\n\n".join(parts.body)
    if parts.children:
        metadata["attachments"] = ", ".join(child.name for child in parts.children)
    return Parsed(
        pages=[page.strip("\n")],
        title=metadata.get("subject") or None,
        metadata=metadata,
        problems=parts.problems,
        children=parts.children,
    )


def looks_like_message(head: bytes) -> bool:
    """RFC 5322 headers at the top: every line up to the first blank one is a header or its
    continuation, and at least two of them are headers every mail client writes."""
    if not looks_like_text(head):
        return False
    block = normalise_newlines(head.lstrip(b"\r\n").decode("latin-1")).split("\n\n", 1)[0]
    lines = block.split("\n")
    if len(block) == len(head) and len(lines) > 1:
        lines.pop()  # the head may end in the middle of the header block
    known = 0
    for line in lines:
        if line[:1] in (" ", "\t"):
            continue
        match = _HEADER_LINE.match(line.encode("latin-1"))
        if match is None:
            return False
        known += line.split(":", 1)[0].strip().lower().encode() in _KNOWN
    return known >= 2


class EmlFormat:
    name = "eml"
    media_types: tuple[str, ...] = ("message/rfc822",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return not head.startswith(b"From ") and looks_like_message(head)

    def read(self, data: bytes, path: Path) -> Parsed:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        return read_message(message)


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file, with `>From ` escapes undone (the mboxrd convention)."""
    starts = [match.start() for match in _MBOX_SEPARATOR.finditer(data)]
    messages: list[bytes] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = data[start:end]
        chunk = chunk[chunk.index(b"\n") + 1 :]  # drop the "From " separator line
        chunk = re.sub(rb"^>(>*From )", rb"\1", chunk, flags=re.MULTILINE)
        if chunk.strip():
            messages.append(chunk)
    return messages


class MboxFormat:
    name = "mbox"
    media_types: tuple[str, ...] = ("application/mbox",)

    def sniff(self, head: bytes, path: Path) -> bool:
        if not head.startswith(b"From ") or _MBOX_FIRST.match(head) is None:
            return False
        return looks_like_message(head[head.find(b"\n") + 1 :])

    def read(self, data: bytes, path: Path) -> Parsed:
        messages = split_mbox(data)
        if not messages:
            raise FormatError("failed", "the mailbox holds no messages")
        children: list[Child] = []
        lines: list[str] = []
        problems: list[str] = []
        for number, raw in enumerate(messages, start=1):
            if number > _MAX_PARTS:
                problems.append(f"the mailbox has more than {_MAX_PARTS:,} messages; the rest were skipped")
                break
            message = email.message_from_bytes(raw, policy=email.policy.compat32)
            headers = _headers(message)
            name = f"message-{number:04d}.eml"
            children.append(Child(name=name, data=raw))
            summary = " — ".join(headers[key] for key in ("date", "from", "subject") if key in headers)
            lines.append(f"{name}: {summary}")
        page = f"Mailbox: {len(children)} message(s)\n" + "\n".join(lines)
        return Parsed(
            pages=[page], metadata={"messages": str(len(children))}, problems=problems, children=children
        )


class MsgFormat:
    """Outlook messages (MSG) through extract-msg: the same page, metadata and children as an EML."""

    name = "msg"
    media_types: tuple[str, ...] = ("application/vnd.ms-outlook",)

    def sniff(self, head: bytes, path: Path) -> bool:
        from armstrace.ingest.formats.legacy_office import head_is_msg

        return head_is_msg(head)

    def read(self, data: bytes, path: Path) -> Parsed:
        import extract_msg
        from extract_msg import exceptions as xmsg

        try:
            message = extract_msg.openMsg(data, strict=False, delayAttachments=False)
        except (xmsg.ExMsgBaseException, OSError, ValueError, IndexError, KeyError, TypeError) as exc:
            raise FormatError("failed", f"the Outlook message is damaged and cannot be read ({exc})") from exc
        try:
            return self._parsed(message)
        finally:
            message.close()

    def _parsed(self, message: Any) -> Parsed:
        problems: list[str] = []

        def field(name: str) -> str:
            try:
                value = getattr(message, name, None)
            except Exception as exc:  # extract-msg raises its own errors for broken properties
                problems.append(f"its {name} could not be read ({type(exc).__name__})")
                return ""
            return " ".join(str(value).split()) if value else ""

        metadata = {key: value for key, value in (
            ("from", field("sender")), ("to", field("to")), ("cc", field("cc")),
            ("date", field("date")), ("subject", field("subject")),
        ) if value}  # fmt: skip
        if "date" not in metadata:  # no submit time among the properties: the transport headers may have one
            try:
                header = message.header
                date = " ".join(str(header.get("date") or "").split()) if header is not None else ""
            except Exception:  # extract-msg raises its own errors for broken properties
                date = ""
            if date:
                metadata["date"] = date
        message_id = field("messageId")
        if message_id:
            metadata["message_id"] = message_id
        body = ""
        try:
            body = message.body or ""
            if not body.strip() and message.htmlBody:
                html = message.htmlBody
                body = html_to_text(
                    html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
                )
        except Exception as exc:  # a broken or oddly encoded body must not lose the headers
            problems.append(f"its body could not be read ({type(exc).__name__}: {exc})")
        parts = _Parts()
        for number, attachment in enumerate(getattr(message, "attachments", []) or [], start=1):
            try:
                name = attachment.longFilename or attachment.shortFilename or attachment.name or ""
                data = attachment.data
                if hasattr(data, "exportBytes"):  # an attached message: pass it on as an MSG of its own
                    data = data.exportBytes()
                    name = name or f"message-{number}.msg"
            except Exception as exc:
                problems.append(f"attachment {number} could not be read ({type(exc).__name__})")
                continue
            if isinstance(data, bytes) and data:
                fallback = f"attachment-{number}.bin"
                parts.child(_safe_name(str(name), fallback) if name else fallback, data)
        if parts.children:
            metadata["attachments"] = ", ".join(child.name for child in parts.children)
        page = _header_block(metadata) + "\n\n" + normalise_newlines(body).strip()
        return Parsed(
            pages=[page.strip("\n")],
            title=metadata.get("subject") or None,
            metadata=metadata,
            problems=problems,
            children=parts.children,
        )
