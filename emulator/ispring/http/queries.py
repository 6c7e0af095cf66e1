"""Query strings and pages of the learning routes, as the vendor's clients write them.

- A list parameter is read under every spelling clients send: repeated ``name=``, ``name[]=`` (PHP, axios)
  and ``name[0]=`` (qs with indices); all of them together.
- A date range is the document's ``deepObject``: ``name[startDate]=...&name[endDate]=...``.
- A page token is base64 of the next page's first key, as ``/departments``'s (``service``).
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import request

from emulator.core.errors import BadRequest
from emulator.ispring.domain import lookups, service
from emulator.ispring.domain.results import DateRange
from emulator.core.wire import parse_iso_datetime

T = TypeVar("T")
_INDEXED = re.compile(r"^(?P<name>[A-Za-z]+)\[(?P<index>\d*)\]$")


def values(name: str) -> list[str]:
    """Every value of list parameter ``name``, in the order sent, under each spelling."""
    out: list[str] = []
    for key, value in request.args.items(multi=True):
        match = _INDEXED.match(key)
        if key == name or (match is not None and match["name"] == name):
            out.append(value)
    return out


def uuids(name: str) -> list[str]:
    """Every value of list parameter ``name`` (``values``), each a UUID (lower-cased)."""
    return lookups.check_uuids(name, values(name))


def date_range(name: str) -> DateRange | None:
    start, end = request.args.get(f"{name}[startDate]"), request.args.get(f"{name}[endDate]")
    if start is None and end is None:
        return None
    return DateRange(_instant(f"{name}[startDate]", start), _instant(f"{name}[endDate]", end))


def _instant(name: str, raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_iso_datetime(raw)
    except (ValueError, TypeError):
        raise BadRequest(f"{name}: '{raw}' is not a date-time (ISO 8601).") from None


def page(items: list[T], key: Callable[[T], str], size: int | None, token: str | None) -> tuple[list[T], str | None]:
    """One page of ``items`` from ``token`` on, and the next page's token (None on the last page)."""
    start = 0
    if token is not None and token.strip():
        try:
            wanted = base64.b64decode(token.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise BadRequest("pageToken: not a page token.") from None
        start = next((i for i, item in enumerate(items) if key(item) == wanted), -1)
        if start < 0:
            raise BadRequest("pageToken: unknown or expired page token.")
    size = min(size or service.DEFAULT_PAGE_SIZE, service.MAX_PAGE_SIZE)
    after = items[start + size:start + size + 1]
    return items[start:start + size], (base64.b64encode(key(after[0]).encode()).decode() if after else None)


def token_page_body(key: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """A token-paged answer: the page's ``items`` under ``key``, then ``nextPageToken`` unless it is the last."""
    return {key: items, "nextPageToken": token} if token else {key: items}
