"""Split page text into blocks and lines the sentence splitter can trust.

Offsets are never rewritten: a segment is a (start, end) pair into the page
text, so evidence quotes stay equal to the text at their offsets.

Blocks are separated by blank lines; inside a block, a line break ends a
segment when the line looks like a heading or a header field (short, or ends
with sentence punctuation), because letters and news carry datelines and
titles without a full stop. Lines that wrap mid-sentence (PDF text) stay joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_BLANK = re.compile(r"\n[ \t\r\f\v]*\n")
_END_PUNCT = (".", "!", "?", ":", ";", "»", '"', "”")


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    block: int  # index of the blank-line separated block the segment belongs to


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for match in _BLANK.finditer(text):
        yield pos, match.start()
        pos = match.end()
    yield pos, len(text)


def _is_break(line: str, next_line: str, longest: int) -> bool:
    stripped = line.rstrip()
    if not stripped:
        return True
    nxt = next_line.lstrip()
    if not nxt:
        return True
    if len(stripped) > 1 and stripped[-1] in "-‑" and stripped[-2].isalpha() and nxt[0].islower():
        return False  # a word broken at the line's end: "Республи-" / "ки Эфиопия"
    if stripped.endswith(_END_PUNCT):
        return True
    if nxt[0] in "-•*–—" or re.match(r"\d{1,2}(?:\.\d{1,2})*[.)]\s", nxt):
        return True  # list items ("1. ", "2) ", "1.1. "), not a number that goes on the sentence
    # a short line followed by a capitalised line is a heading or a header field
    return len(stripped) < 0.6 * longest and (nxt[0].isupper() or nxt[0].isdigit())


def segments(text: str) -> list[Segment]:
    out: list[Segment] = []
    for index, (b_start, b_end) in enumerate(_blocks(text)):
        block = text[b_start:b_end]
        lines = block.split("\n")
        longest = max((len(line.rstrip()) for line in lines), default=0)
        seg_start = b_start
        offset = b_start
        for i, line in enumerate(lines):
            line_end = offset + len(line)
            last = i == len(lines) - 1
            if last or _is_break(line, lines[i + 1], longest):
                _append(out, text, seg_start, line_end, index)
                seg_start = line_end + 1
            offset = line_end + 1
    return out


def _append(out: list[Segment], text: str, start: int, end: int, block: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Segment(start, end, block))
