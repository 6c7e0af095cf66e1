"""The seeding generator: ``random.Random`` with the draws seeders make most, inlined.

A 50,000-user world draws millions of integers and choices; ``random.Random.randint`` and ``choice`` go through
three Python frames each (``randint`` -> ``randrange`` -> ``_randbelow``), a third of a large build's CPU.
``SeedRandom`` answers them in one frame, with the same algorithm CPython uses (``getrandbits`` of the bit
length of the range, drawn again while out of range, 3.10 to 3.13): the same seed gives the same values as a
plain ``random.Random``, so every world seeded before stays byte for byte what it was (``tests`` compare).
Anything else (floats, a bad range) is the base class's.
"""
from __future__ import annotations

import random
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


class SeedRandom(random.Random):
    def randint(self, a: int, b: int) -> int:
        n = b - a + 1
        if n <= 0 or type(a) is not int or type(b) is not int:
            return super().randint(a, b)
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return a + r

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None or step != 1 or type(start) is not int or type(stop) is not int or stop <= start:
            return super().randrange(start, stop, step)
        n = stop - start
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return start + r

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        n = len(seq)
        if not n:
            return super().choice(seq)
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return seq[r]



def plain(rng: random.Random) -> random.Random:
    """A ``random.Random`` in ``rng``'s state: what a world keeps for the ids it makes later (the state file
    keeps a ``random.Random``; the draws are the same)."""
    kept = random.Random()
    kept.setstate(rng.getstate())
    return kept
