"""Instants at whole offsets from a world's anchor, each made once: what a large seed asks for over and over.

A seeded world of 50,000 users places hundreds of thousands of sessions, classes and contracts on a few hundred
distinct instants (a day from -30 to +400, an hour of a handful). ``anchor + timedelta(days=d, hours=h)`` costs
~1.3 us a time (the keyword ``timedelta`` most of it); a dictionary hit ~0.1 us, and the entities share one
``datetime`` object per instant (they are immutable), which also keeps the world smaller.
"""
from __future__ import annotations

from datetime import datetime, timedelta


class Instants:
    """``anchor + timedelta(days=days, minutes=minutes)``, made on first use and kept (one per seeding)."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor
        self._made: dict[int, datetime] = {}  # offset in minutes -> the instant

    def at(self, days: int, minutes: int = 0) -> datetime:
        offset = days * 1440 + minutes
        found = self._made.get(offset)
        if found is None:
            found = self._made[offset] = self.anchor + timedelta(minutes=offset)
        return found
