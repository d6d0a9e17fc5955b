"""A minimal writer of OLE2 compound files (MS-CFB version 3), to build test inputs in code.

No library writes new OLE2 files, and the formats that live in them (Outlook
MSG, password-protected DOCX) cannot be produced here otherwise. Streams under
4096 bytes go into the mini stream, as the specification requires; siblings in
a storage form a chain of right siblings ordered as the specification sorts
names (a valid, if unbalanced, tree).
"""

from __future__ import annotations

import itertools
import struct

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF


def _key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """An OLE2 file holding `streams`, keyed by path (`storage/stream`); storages are made as needed."""
    # entries: [name, type (1 storage, 2 stream, 5 root), data, children names]
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "data": b"", "kids": []}]
    index: dict[str, int] = {"": 0}
    for path, data in streams.items():
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key in index:
                continue
            parent = index["/".join(parts[: depth - 1])]
            is_stream = depth == len(parts)
            entries.append(
                {
                    "name": parts[depth - 1],
                    "type": 2 if is_stream else 1,
                    "data": data if is_stream else b"",
                    "kids": [],
                }
            )
            index[key] = len(entries) - 1
            kids = entries[parent]["kids"]
            assert isinstance(kids, list)
            kids.append(len(entries) - 1)

    # mini stream for small streams, regular sectors for big ones
    mini = bytearray()
    minifat: list[int] = []
    big: list[tuple[int, bytes]] = []
    starts: dict[int, int] = {}
    for number, entry in enumerate(entries):
        data = entry["data"]
        assert isinstance(data, bytes)
        if entry["type"] != 2 or not data:
            continue
        if len(data) < _CUTOFF:
            first = len(mini) // _MINI
            count = -(-len(data) // _MINI)
            minifat.extend([*range(first + 1, first + count), _END])
            mini += data + bytes(count * _MINI - len(data))
            starts[number] = first
        else:
            big.append((number, data))

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(blob: bytes) -> int:
        if not blob:
            return _END
        first = len(sectors)
        count = -(-len(blob) // _SECTOR)
        padded = blob + bytes(count * _SECTOR - len(blob))
        for i in range(count):
            sectors.append(padded[i * _SECTOR : (i + 1) * _SECTOR])
            fat.append(first + i + 1 if i < count - 1 else _END)
        return first

    for number, data in big:
        starts[number] = place(data)
    mini_start = place(bytes(mini))
    minifat_blob = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_start = place(minifat_blob)
    minifat_count = -(-len(minifat_blob) // _SECTOR)

    # directory: siblings chained through the right-sibling pointer, in the specification's order
    left = {n: _NOSTREAM for n in range(len(entries))}
    right = dict(left)
    child = dict(left)
    for number, entry in enumerate(entries):
        kids = sorted(entry["kids"], key=lambda k: _key(str(entries[k]["name"])))  # type: ignore[arg-type]
        if kids:
            child[number] = kids[0]
            for a, b in itertools.pairwise(kids):
                right[a] = b
    directory = bytearray()
    for number, entry in enumerate(entries):
        name = str(entry["name"]).encode("utf-16-le") + b"\x00\x00"
        data = entry["data"]
        assert isinstance(data, bytes)
        if number == 0:
            start, size = mini_start, len(mini)
        elif entry["type"] == 2:
            start, size = starts.get(number, _END), len(data)
        else:
            start, size = 0, 0
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name.ljust(64, b"\x00"),
            len(name),
            int(entry["type"]),
            1,  # type: ignore[call-overload]
            left[number],
            right[number],
            child[number],
            bytes(16),
            0,
            0,
            0,
            start,
            size,
        )
    while len(directory) % _SECTOR:
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            bytes(64),
            0,
            0,
            0,
            _NOSTREAM,
            _NOSTREAM,
            _NOSTREAM,
            bytes(16),
            0,
            0,
            0,
            0,
            0,
        )
    dir_start = place(bytes(directory))

    # FAT sectors, which must also mark themselves
    fat_count = 1
    while (len(sectors) + fat_count) > fat_count * (_SECTOR // 4):
        fat_count += 1
    fat_start = len(sectors)
    fat.extend([_FAT] * fat_count)
    fat.extend([_FREE] * (fat_count * (_SECTOR // 4) - len(fat)))
    fat_blob = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(fat_count):
        sectors.append(fat_blob[i * _SECTOR : (i + 1) * _SECTOR])
    assert fat_count <= 109

    difat = [fat_start + i for i in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        fat_count,
        dir_start,
        0,
        _CUTOFF,
        minifat_start if minifat else _END,
        minifat_count,
        _END,
        0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == _SECTOR
    return header + b"".join(sectors)
