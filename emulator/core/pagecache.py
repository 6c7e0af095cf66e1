"""Encoded answers of list routes, kept until the world they were computed from is written.

A list request with ``_filter`` and ``_sort`` costs more than everything else the emulator does
for it (parsing the query, filtering, sorting, building the envelope, encoding ~14 KB of JSON),
and test suites ask the same page again and again between writes. Each vendor world holds one
``PageCache``; a list route asks it for ``(path, query string, caller)`` and computes the page
only on a miss.

Invalidation is coarse on purpose: any write to the world drops every page (``clear``). It is
called where the world's cached wire forms are dropped (every entity write goes through there)
and, as a second line, by the vendor's auth wrapper after every state-changing request. Reads,
writes and ``clear`` run under the tenant's lock, and a write clears before its own answer leaves,
so a page never outlives the state it was computed from; a lookup alone (``peek``) is one dict read
and needs no lock. Errors are never cached (the compute function raises instead of returning).

``LMS_EMULATOR_VERIFY_PAGES=1`` (set by the test suite) recomputes the page on every hit and
fails loudly if it differs from the cached one: every list request in the tests checks that no
write forgot to clear the cache.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Any

from .wire import encode_json

MAX_PAGES = 256  # per world; past it the cache starts over (test suites ask a handful of pages)
MAX_CACHED_BODY = 16 * 1024  # a query sent as a POST body is a key only up to this size (keys stay small)
VERIFY_ENV = "LMS_EMULATOR_VERIFY_PAGES"


class StalePage(RuntimeError):
    """A cached page differed from a fresh one: a write did not clear the cache."""


class PageCache:
    __slots__ = ("_pages", "verify")

    def __init__(self) -> None:
        self._pages: dict[Hashable, bytes] = {}
        self.verify = os.environ.get(VERIFY_ENV) == "1"

    def answer(self, key: Hashable, compute: Callable[[], Any]) -> bytes:
        """The encoded page for ``key``; ``compute()`` builds it (or raises) on a miss."""
        body = self._pages.get(key)
        if body is None:
            body = encode_json(compute())
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[key] = body
        elif self.verify and (fresh := encode_json(compute())) != body:
            self._pages.clear()
            raise StalePage(f"the cached page for {key!r} is stale: {body[:200]!r} != {fresh[:200]!r}")
        return body

    def peek(self, key: Hashable) -> bytes | None:
        """The cached page for ``key``, or None: one dict read, safe without the tenant lock."""
        return self._pages.get(key)

    def clear(self) -> None:
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (``--state-file``) or copied empty: cached pages are derived data."""
        return (PageCache, ())
