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
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache, partial
from itertools import accumulate, chain, repeat, starmap
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")
STREAM_BATCH = 1024  # values a stream draws at once (``stream``)


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

    def sample(self, population: Sequence[T], k: int, *, counts: Iterable[int] | None = None) -> list[T]:  # type: ignore[override]
        """A few members of a large population (a learner's courses): CPython's set-based branch (population over
        21, at most 5 drawn), which draws ``_randbelow(n)`` again while the index is taken, in one frame. Anything
        else is the base class's."""
        n = len(population)
        if counts is not None or n <= 21 or not 0 <= k <= 5:
            return super().sample(population, k, counts=counts)  # type: ignore[arg-type]
        bits, getrandbits = n.bit_length(), self.getrandbits
        taken: list[int] = []
        for _ in range(k):
            r = getrandbits(bits)
            while r >= n or r in taken:
                r = getrandbits(bits)
            taken.append(r)
        return [population[r] for r in taken]



class Weighted(Generic[T]):
    """``rng.choices(population, weights)[0]`` with the weights summed once: the same draw (one ``rng.random()``,
    the same bisection), for a seeder that draws from one distribution thousands of times (``choices`` sums them
    on every call: ~1.8 us against ~0.3 us)."""

    def __init__(self, population: Sequence[T], weights: Iterable[float]) -> None:
        self.population = tuple(population)
        self.cum_weights = list(accumulate(weights))
        if len(self.cum_weights) != len(self.population) or not self.population:
            raise ValueError("one weight per member of a non-empty population")
        self.total = self.cum_weights[-1] + 0.0
        self.hi = len(self.population) - 1

    def pick(self, rng: random.Random) -> T:
        return self.population[bisect_right(self.cum_weights, rng.random() * self.total, 0, self.hi)]

    def stream(self, rng: random.Random, batch: int = STREAM_BATCH) -> Iterator[T]:
        """``pick(rng)`` on each ``next()``, drawn ``batch`` at a time (``stream``)."""
        return stream(rng, self.population, cum_weights=self.cum_weights, batch=batch)


def stream(rng: random.Random, population: Sequence[T], *, cum_weights: Sequence[float] | None = None,
           batch: int = STREAM_BATCH) -> Iterator[T]:
    """An endless ``rng.choice(population)`` (weighted, with ``cum_weights``), drawn ``batch`` at a time with
    ``rng.choices(..., k=batch)``: ``next()`` on it is a C call, not a Python frame. Not the values ``choice``
    draws (``choices`` scales ``random()``), and drawn ahead: for a sized world's seeding (``core.scale``),
    which need only be deterministic."""
    return chain.from_iterable(starmap(partial(rng.choices, population, cum_weights=cum_weights, k=batch),
                                       repeat(())))


def letters(rng: random.Random, alphabet: str, count: int) -> str:
    """``"".join(rng.choice(alphabet) for _ in range(count))``, the same text and the same generator state after,
    in a few C calls instead of ``count`` Python ones (a seeded password or secret per user).

    Why it is the same: ``choice`` of ``n`` letters draws ``getrandbits(k)`` (``k = n.bit_length()``) until the
    value is below ``n``, and each such draw is one 32-bit word of the Mersenne Twister shifted right by
    ``32 - k``. ``getrandbits(32 * m)`` is the next ``m`` words, the first the least significant. So the top
    ``k`` bits of each word (of its last byte, little-endian, for ``k <= 8``) are the values ``choice`` would
    have drawn, in order; rejected ones are dropped, and as many words as are still missing are drawn again.
    """
    table = _letter_table(alphabet)
    if table is None:
        return "".join(rng.choice(alphabet) for _ in range(count))
    text = b""
    while len(text) < count:
        need = count - len(text)
        words = rng.getrandbits(32 * need).to_bytes(4 * need, "little")
        text += words[3::4].translate(table).replace(b"\0", b"")
    return text.decode("ascii")


@lru_cache(maxsize=16)
def _letter_table(alphabet: str) -> bytes | None:
    """The top byte of a word -> its letter (NUL: a draw ``choice`` rejects); None where ``letters`` cannot take
    the alphabet (empty, over 255 letters, not ASCII, or holding NUL)."""
    n = len(alphabet)
    if not 0 < n < 256 or not alphabet.isascii() or "\0" in alphabet:
        return None
    shift = 8 - n.bit_length()
    return bytes(ord(alphabet[top >> shift]) if top >> shift < n else 0 for top in range(256))


def plain(rng: random.Random) -> random.Random:
    """A ``random.Random`` in ``rng``'s state: what a world keeps for the ids it makes later (the state file
    keeps a ``random.Random``; the draws are the same)."""
    kept = random.Random()
    kept.setstate(rng.getstate())
    return kept
