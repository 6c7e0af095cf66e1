"""``_limit``/``_offset`` paging and the list envelope (Absorb Integration API v2).

``_offset`` counts pages, not items: the first item of a page is ``offset * limit``.
Emulator's choices: a limit above ``MAX_LIMIT``, a limit of 0, a negative or
non-numeric value, or an offset above ``MAX_OFFSET`` is a 422.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from emulator.core.errors import Unprocessable
from emulator.core.odata import CompiledFilter, Resource, compile_filter, parse_sort, sort
from emulator.core.pagecache import StalePage, verifying

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
MAX_OFFSET = 65535
# A list of this many items or more remembers its order across pages (``query_list``); a shorter one is cheaper to
# order again (top-k for the page) than to look up (the default world's lists are all shorter).
REMEMBER_FROM = 1000

_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int  # in pages

    @property
    def start(self) -> int:
        """Index of the page's first item."""
        return self.offset * self.limit


def _fail(param: str, detail: str) -> Unprocessable:
    return Unprocessable(f"The {param} parameter is invalid.", validations=[f"{param}: {detail}"])


def _read(args: Mapping[str, str], name: str, deprecated: bool) -> tuple[str, str] | None:
    """(parameter name used, raw value) -- the underscore form wins over the deprecated one."""
    for param in (f"_{name}", name) if deprecated else (f"_{name}",):
        value = args.get(param)
        if value is not None:
            return param, value
    return None


def _integer(param: str, raw: str, low: int, high: int) -> int:
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise _fail(param, f"{raw!r} is not an integer")
    if len(text.lstrip("+-0")) > 12:  # far past any maximum; int() refuses over 4300 digits anyway
        shown = text if len(text) <= 40 else text[:20] + "..."
        raise _fail(param, f"{shown} is out of range; it must be between {low} and {high}")
    value = int(text)
    if value < 0:
        raise _fail(param, f"{value} is negative; it must be between {low} and {high}")
    if not low <= value <= high:
        raise _fail(param, f"{value} is out of range; it must be between {low} and {high}")
    return value


def parse_page(args: Mapping[str, str], *, deprecated: bool = True) -> Page:
    """The page asked for by ``_limit``/``_offset`` (and ``limit``/``offset`` if ``deprecated``)."""
    return _page_of(_read(args, "limit", deprecated), _read(args, "offset", deprecated))


def check_limit(args: Mapping[str, str], high: int, *, deprecated: bool = True) -> None:
    """422 when the page size asked for is above a route's own cap ``high`` (below ``MAX_LIMIT``)."""
    limit = _read(args, "limit", deprecated)
    if limit is not None:
        _integer(*limit, 1, high)


@lru_cache(maxsize=256)
def _page_of(limit: tuple[str, str] | None, offset: tuple[str, str] | None) -> Page:
    """``parse_page`` from the (name, raw value) pairs read, once per pair (a refusal raises and is not kept)."""
    return Page(DEFAULT_LIMIT if limit is None else _integer(*limit, 1, MAX_LIMIT),
                0 if offset is None else _integer(*offset, 0, MAX_OFFSET))


def paginate(items: Sequence, page: Page) -> list:
    return list(items[page.start : page.start + page.limit])


def envelope(total: int, items: list, page: Page, key: str = "enrollments") -> dict:
    return {"totalItems": total, "returnedItems": len(items), "limit": page.limit, "offset": page.offset, key: items}


Index = Callable[[str, Any], "list[Any] | None"]  # (attribute, literal) -> the candidates, or None: no index
Remember = Callable[[Callable[[], list[Any]]], list[Any]]  # compute -> the order, remembered (``OrderCache``)


def query_list(
    items: Iterable,
    resource: Resource,
    args: Mapping[str, str],
    *,
    key: str = "enrollments",
    dump: Callable[[Any], dict],
    deprecated: bool = True,
    default_sort: str | None = None,
    index: Index | None = None,
    remember: Remember | None = None,
) -> dict:
    """``_filter``, ``_sort`` (default: ``default_sort``, then the resource key) and paging, then the envelope.

    Every parameter is validated before any item is looked at, so a bad query fails
    the same way on an empty collection. Only the returned page is dumped. ``index`` answers a filter's
    ``field eq 'value'`` from a ``core.fieldindex.FieldIndex`` over ``items`` (same answer as the scan);
    ``remember`` keeps the whole order for the next page of the same query (``core.pagecache.OrderCache``) when
    there are ``REMEMBER_FROM`` items or more; otherwise only the items up to the end of the page are ordered.
    """
    page = parse_page(args, deprecated=deprecated)
    filter_text = args.get("_filter")
    compiled = compile_filter(resource, filter_text) if filter_text is not None else None
    sort_text = args.get("_sort")
    if sort_text is not None:
        parse_sort(resource, sort_text)  # fail early; cached, so sort() pays nothing more
    if remember is not None and isinstance(items, Sized) and len(items) >= REMEMBER_FROM:
        ordered = remember(lambda: sort(_select(items, compiled, index), resource, sort_text, default_sort))
        window = ordered[page.start : page.start + page.limit]
        return envelope(len(ordered), [dump(obj) for obj in window], page, key)
    selected = _select(items, compiled, index)
    if page.start >= len(selected):
        window = []
    else:  # only the items up to the end of the page need to be ordered
        window = sort(selected, resource, sort_text, default_sort, top=page.start + page.limit)[page.start :]
    return envelope(len(selected), [dump(obj) for obj in window], page, key)


def _select(items: Iterable, compiled: CompiledFilter | None, index: Index | None) -> list:
    """The items the filter keeps (all of them without one), from the index's candidates when it has some. In
    verify mode (``core.pagecache``) an index's answer is compared with the scan's."""
    if compiled is None:
        return list(items)
    if index is not None and compiled.lookup is not None:
        candidates = index(*compiled.lookup)
        if candidates is not None:
            found = compiled.select(candidates)
            if verifying():
                scanned = compiled.select(items)
                if sorted(map(id, found)) != sorted(map(id, scanned)):
                    raise StalePage(f"the index answered {len(found)} items for {compiled.__doc__}, the scan "
                                    f"{len(scanned)}")
            return found
    return compiled.select(items)


def query_array(items: Iterable, resource: Resource, args: Mapping[str, str], *,
                dump: Callable[[Any], dict], default_sort: str | None = None) -> list:
    """A bare-array list (no envelope): ``_filter`` and ``_sort`` as for any list; every match unless
    ``_limit`` or ``_offset`` asks for a page (then that page, by the same rules as ``query_list``)."""
    paged = "_limit" in args or "_offset" in args
    page = parse_page(args, deprecated=False)
    filter_text = args.get("_filter")
    selector = compile_filter(resource, filter_text).select if filter_text is not None else list
    sort_text = args.get("_sort")
    if sort_text is not None:
        parse_sort(resource, sort_text)
    ordered = sort(selector(items), resource, sort_text, default_sort)
    return [dump(obj) for obj in (paginate(ordered, page) if paged else ordered)]
