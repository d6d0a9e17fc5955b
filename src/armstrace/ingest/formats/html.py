"""HTML: the text a reader sees in a browser, and nothing else.

Scripts, styles and the head never reach the text: a saved news page carries
more JavaScript than prose, and an extractor must not find "transfers" in it.
Block elements become line breaks so sentences from different paragraphs are
not glued together; whitespace inside a paragraph collapses as a browser does.
"""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from armstrace.ingest.formats import Parsed
from armstrace.ingest.formats.text import bom_encoding, decode_text, looks_like_text, normalise_newlines

_EXTENSIONS = (".html", ".htm", ".xhtml")
_DROP = ("script", "style", "noscript", "template", "head", "iframe", "object", "embed")
# Elements that end a paragraph (a blank line) and elements that only end a line.
_PARAGRAPH = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "pre",
    "section", "article", "header", "footer", "main", "aside", "nav", "figure", "form", "fieldset",
    "address", "hr",
)  # fmt: skip
_LINE = ("div", "li", "tr", "dt", "dd", "caption", "figcaption", "details", "summary", "legend", "option")
_CELL = ("td", "th")
_META_NAMES = ("author", "description", "keywords", "date", "dc.date", "dc.creator")

# Private-use markers for breaks we insert, so collapsing the source's whitespace keeps them.
_LINE_MARK = "\ue000"
_PARA_MARK = "\ue001"
_CELL_MARK = "\ue002"
_BR_MARK = "\ue003"
_BLOCK_MARK = {
    **{name: _PARA_MARK for name in _PARAGRAPH},
    **{name: _LINE_MARK for name in _LINE},
    **{name: _CELL_MARK for name in _CELL},
}
_MARKS = re.compile("[\\s\ue000-\ue003]*[\ue000-\ue003][\\s\ue000-\ue003]*")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LEADING_NOISE = re.compile(r"^(?:\s+|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)


def _head_text(head: bytes) -> str:
    marked = bom_encoding(head)
    if marked is not None:
        encoding, skip = marked
        return head[skip:].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _decode(data: bytes) -> str:
    """A declared `<meta charset>` wins over guessing; a byte-order mark wins over both."""
    if bom_encoding(data) is None:
        declared = _CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii", errors="ignore")
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                codec = ""
            # Browsers ignore a UTF-16/32 declaration in bytes they could read it from: so do we.
            if codec and not codec.startswith(("utf-16", "utf-32")):
                return data.decode(codec, errors="replace")
    return decode_text(data)[0]


def _break(run: re.Match[str]) -> str:
    """One run of inserted breaks becomes the strongest break in it: two <br> make a paragraph."""
    marks = run.group()
    if _PARA_MARK in marks or marks.count(_BR_MARK) >= 2:
        return "\n\n"
    if _LINE_MARK in marks or _BR_MARK in marks:
        return "\n"
    return " "


def _collapse(text: str) -> str:
    text = " ".join(text.split())  # every run of source whitespace is one space, as a browser shows it
    return _MARKS.sub(_break, text).strip()


def _visible_text(root: Tag) -> str:
    """The text a browser would show, with markers where blocks and breaks are.

    A loop with an explicit stack, not recursion and not tree edits: a hostile
    page nested a hundred thousand levels deep must neither overflow the stack
    nor take quadratic time.
    """
    out: list[str] = []
    in_pre = 0
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, Tag):
            mark = _BLOCK_MARK.get(node.name, "")
            if leaving:
                out.append(mark)
                in_pre -= node.name == "pre"
            elif node.name == "br":
                out.append(_BR_MARK)
            elif node.name not in _DROP:
                out.append(mark)
                in_pre += node.name == "pre"
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            out.append(node.replace("\n", _LINE_MARK) if in_pre else str(node))
    return "".join(out)


class HtmlFormat:
    """HTML pages and fragments saved with an .html extension."""

    name = "html"
    media_types: tuple[str, ...] = ("text/html",)

    def sniff(self, head: bytes, path: Path) -> bool:
        if not looks_like_text(head):
            return False
        text = _LEADING_NOISE.sub("", _head_text(head), count=1).lower()
        if text.startswith(("<!doctype html", "<html")):
            return True
        return path.suffix.lower() in _EXTENSIONS and text.startswith("<")

    def read(self, data: bytes, path: Path) -> Parsed:
        source = normalise_newlines(_decode(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bs4 warns about odd input; odd input is normal here
            soup = BeautifulSoup(source, "lxml")

        title_tag = soup.find("title")
        title = " ".join(title_tag.get_text().split()) if isinstance(title_tag, Tag) else ""
        metadata: dict[str, str] = {}
        if title:
            metadata["title"] = title
        for meta in soup.find_all("meta"):
            name = str(meta.get("name") or "").lower()
            content = " ".join(str(meta.get("content") or "").split())
            if name in _META_NAMES and content:
                metadata[name] = content
        html_tag = soup.find("html")
        language = str(html_tag.get("lang") or "").split("-")[0].lower() if isinstance(html_tag, Tag) else ""

        text = _collapse(_visible_text(soup))
        return Parsed(pages=[text], title=title or None, metadata=metadata, language=language or None)
