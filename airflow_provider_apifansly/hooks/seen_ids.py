"""``SeenIds``: which row ids a long listing has already yielded, in 8 bytes or so per id.

A Python ``set`` of a million 18-digit id strings takes about 100 MB; this open-addressing
table of 64-bit keys takes 16 MB for a million, so a listing's memory stays flat.
"""

from __future__ import annotations

import hashlib
from array import array

_EMPTY = 0
_TOP = 1 << 63  # keys of ids that are not snowflakes have this bit set; snowflakes stay below it
_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing spreads the sequential snowflakes over the table


class SeenIds:
    """A set of ids (strings or ints) that answers ``add(id) -> bool`` (False when already there).

    A decimal id below 2**63, as Fansly's snowflakes are, is kept exactly. Any other id is kept
    as 63 bits of its BLAKE2b digest: two such ids could collide, with odds of about
    n**2 / 2**64 (1 in 18 million for a million ids).
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._slots = array("Q", [_EMPTY]) * capacity  # a power of two
        self._used = 0

    def __len__(self) -> int:
        return self._used

    def add(self, row_id: str | int) -> bool:
        """Remember ``row_id``; True if it is new, False if it was seen before."""
        key = _key(row_id)
        slots = self._slots
        mask = len(slots) - 1
        index = _slot(key, mask)
        while slots[index] != _EMPTY:
            if slots[index] == key:
                return False
            index = (index + 1) & mask
        slots[index] = key
        self._used += 1
        if 2 * self._used > len(slots):  # keep the table at most half full: probes stay short
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("Q", [_EMPTY]) * (2 * len(old))
        self._used = 0
        for key in old:
            if key != _EMPTY:
                self._place(key)

    def _place(self, key: int) -> None:
        slots = self._slots
        mask = len(slots) - 1
        index = _slot(key, mask)
        while slots[index] != _EMPTY:
            index = (index + 1) & mask
        slots[index] = key
        self._used += 1


def _slot(key: int, mask: int) -> int:
    """Where probing starts: the top bits of the key times the golden ratio (the low bits repeat)."""
    return ((key * _GOLDEN) & _MASK64) >> (64 - mask.bit_length())


def _key(row_id: str | int) -> int:
    text = str(row_id)
    if text.isascii() and text.isdigit() and 0 < int(text) < _TOP:
        return int(text)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") | _TOP
