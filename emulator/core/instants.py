"""Instants at whole offsets from a world's anchor, each made once: what a large seed asks for over and over.

A seeded world of 50,000 users places hundreds of thousands of sessions, classes and contracts on a few hundred
distinct instants (a day from -30 to +400, an hour of a handful). ``anchor + timedelta(days=d, hours=h)`` costs
~1.3 us a time (the keyword ``timedelta`` most of it); a dictionary hit ~0.1 us, and the entities share one
``datetime`` object per instant (they are immutable), which also keeps the world smaller.
"""
from __future__ import annotations

from datetime import datetime, timedelta

MINUTES_A_DAY = 1440


class Instants:
    """``anchor + timedelta(days=days, minutes=minutes)``, made on first use and kept (one per seeding).
    ``minutes[offset]`` is the instant ``offset`` minutes from the anchor: a dictionary lookup (C) where a seeder's
    loop makes hundreds of thousands; ``at`` the same by days and minutes."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor
        self.minutes = _ByMinutes(anchor)

    def at(self, days: int, minutes: int = 0) -> datetime:
        return self.minutes[days * MINUTES_A_DAY + minutes]


class _ByMinutes(dict[int, datetime]):
    """Offset in minutes -> the instant, made when first asked for (``__missing__``)."""

    def __init__(self, anchor: datetime) -> None:
        super().__init__()
        self.anchor = anchor

    def __missing__(self, offset: int) -> datetime:
        found = self[offset] = self.anchor + timedelta(minutes=offset)
        return found
