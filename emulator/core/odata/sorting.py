"""``_sort``: parsing the sort text and ordering items, or finding just the first ``top`` of that order."""
from __future__ import annotations

import heapq
import operator
from functools import lru_cache
from itertools import compress, count, islice, repeat

from . import fields as choices  # read at use: a test may switch a choice
from .fields import Field, Resource, getter, invalid

SortSpec = tuple[tuple[Field, bool], ...]


@lru_cache(maxsize=1024)
def parse_sort(resource: Resource, text: str) -> SortSpec:
    """``"-dateEdited, fullName"`` -> ((dateEdited, descending), (fullName, ascending))."""
    spec: list[tuple[Field, bool]] = []
    pos = 0
    for part in text.split(","):
        start = pos + len(part) - len(part.lstrip())
        pos += len(part) + 1
        name = part.strip()
        desc = name.startswith("-")
        name = name[1:].strip() if desc else name
        if not name:
            raise invalid(f"empty field name at position {start}", "_sort")
        f = resource.field(name)
        if f is None:
            raise invalid(f"unknown field '{name}' at position {start}", "_sort")
        if not f.sortable:
            raise invalid(f"field '{f.wire}' is not sortable at position {start}", "_sort")
        spec.append((f, desc))
    return tuple(spec)


def sort(
    items: list, resource: Resource, text: str | None, default: str | None = None, *, top: int | None = None
) -> list:
    """Items ordered by ``_sort`` (or ``default``), ties broken by the key ascending.

    None sorts first ascending and last descending; strings ignore case. With ``top``
    only the first ``top`` items are returned (what a page needs), found without
    ordering the whole collection.
    """
    keys = sort_keys(resource, text if text is not None else default or None)
    if top is not None and top <= 0:
        return []
    n = len(items)
    if n < 2:
        return list(items)
    if n <= _SMALL:
        order = _passes(items, keys)
    elif top is not None and top * _TOP_FACTOR < n:
        order = _top_order(items, keys, list(range(n)), top)
    else:
        order = _order(items, keys, list(range(n)))
    result = list(map(items.__getitem__, order))
    return result if top is None else result[:top]


def sort_keys(resource: Resource, text: str | None) -> list[tuple[Field, bool]]:
    """The (field, descending) keys of ``_sort=text``, ending with the resource key."""
    keys: list[tuple[Field, bool]] = []
    for f, desc in parse_sort(resource, text) if text is not None else ():
        keys.append((f, desc))
        if f == resource.key_field:  # unique: later keys can never matter
            return keys
    keys.append((resource.key_field, False))
    return keys


_TOP_FACTOR = 4
"""Select the top k by splitting only while there are more than k * _TOP_FACTOR candidates."""


_SMALL = 64
"""Up to this many items (a learner's enrollments, a page), one stable sort per key costs less than ``_order``'s
bookkeeping of ties."""


def _passes(items: list, keys: list[tuple[Field, bool]]) -> list[int]:
    """Every index of ``items`` ordered by ``keys``: one stable sort per key, the last key first."""
    order = list(range(len(items)))
    for f, desc in reversed(keys):
        col = _column(items, f, order)
        order = _sort_pass(order, col, desc, None in col)
    return order


def _order(items: list, keys: list[tuple[Field, bool]], members: list[int]) -> list[int]:
    """``members`` (indices into ``items``) ordered by ``keys``.

    Sort by the first key, then re-sort only the runs of ties by the next key, and so
    on: the first key of a real query (a date, a name) is often nearly unique, so later
    keys -- and the tie-break on the resource key -- cost little.
    """
    order = list(members)
    groups: list[tuple[int, int]] = [(0, len(order))]  # slices of ``order`` tied so far
    for level, (f, desc) in enumerate(keys):
        batch = order if groups == [(0, len(order))] else [i for lo, hi in groups for i in order[lo:hi]]
        col = _column(items, f, batch)
        has_none = None in (col.values() if isinstance(col, dict) else col)
        last = level == len(keys) - 1
        tied: list[tuple[int, int]] = []
        for lo, hi in groups:
            segment = _sort_pass(order[lo:hi], col, desc, has_none)
            order[lo:hi] = segment
            if not last:
                values = list(map(col.__getitem__, segment))
                tied += [(lo + a, lo + b) for a, b in _runs(list(map(operator.eq, values, islice(values, 1, None))))]
        groups = tied
        if not groups:
            break
    return order


def _top_order(items: list, keys: list[tuple[Field, bool]], candidates: list[int], k: int) -> list[int]:
    """The first ``k`` of ``candidates`` in the order of ``keys``.

    Per key: the items strictly better than the k-th value go ahead (ordered fully:
    there are fewer than k of them), and only the items tied with the k-th value are
    looked at under the next key -- so a mostly-null or low-cardinality first key
    (isActive, status) still ends up sorting a handful of items.
    """
    head: list[int] = []
    level = 0
    while len(candidates) > k * _TOP_FACTOR and level < len(keys):
        f, desc = keys[level]
        better, tied = _split(candidates, _column(items, f, candidates), desc, k)
        head += _order(items, keys[level:], better)
        k -= len(better)
        candidates, level = tied, level + 1
    return head + _order(items, keys[level:], candidates)[:k]


def _split(candidates: list[int], col: list | dict, desc: bool, k: int) -> tuple[list[int], list[int]]:
    """(strictly before the k-th value, tied with it) under one key, None being the lowest."""
    values = col if isinstance(col, list) else list(map(col.__getitem__, candidates))  # a list: all items
    present, nulls = candidates, 0
    if None in values:
        present = [i for i, v in zip(candidates, values, strict=True) if v is not None]
        values = list(map(col.__getitem__, present))
        nulls = len(candidates) - len(present)
    if desc:  # None last: the Nones come into play only if fewer than k values
        if len(present) < k:
            return present, [i for i in candidates if col[i] is None]
        kth = heapq.nlargest(k, values)[-1]
        better = list(compress(present, map(operator.gt, values, repeat(kth))))
    else:  # None first: all of them go ahead, or they hold the k-th place
        if nulls >= k:
            return [], [i for i in candidates if col[i] is None]
        kth = heapq.nsmallest(k - nulls, values)[-1]
        better = list(compress(present, map(operator.lt, values, repeat(kth))))
        if nulls:
            better += [i for i in candidates if col[i] is None]
    return better, list(compress(present, map(operator.eq, values, repeat(kth))))


def _column(items: list, f: Field, indices: list[int]) -> list | dict:
    """Sort values of ``f`` addressable by item index: a list for all items, else a dict."""
    get = getter(f)
    everything = len(indices) == len(items)
    values = list(map(get, items if everything else map(items.__getitem__, indices)))
    if f.type == "string" and choices.STRING_COMPARISON_CASE_INSENSITIVE:
        values = [None if v is None else v.lower() for v in values] if None in values else list(map(str.lower, values))
    return values if everything else dict(zip(indices, values, strict=True))


def _sort_pass(segment: list[int], col: list | dict, desc: bool, has_none: bool) -> list[int]:
    """One stable sort of ``segment`` by ``col``; None first ascending, last descending."""
    key = col.__getitem__
    if not has_none:
        segment.sort(key=key, reverse=desc)
        return segment
    nones = [i for i in segment if col[i] is None]
    rest = [i for i in segment if col[i] is not None]
    rest.sort(key=key, reverse=desc)
    return rest + nones if desc else nones + rest


def _runs(equal: list[bool]) -> list[tuple[int, int]]:
    """[a, b) index ranges of runs of equal neighbours, from ``equal[k] = x[k] == x[k + 1]``."""
    if True not in equal:
        return []
    runs: list[tuple[int, int]] = []
    ties = compress(count(), equal)
    start = prev = next(ties)
    for k in ties:
        if k != prev + 1:
            runs.append((start, prev + 2))
            start = k
        prev = k
    runs.append((start, prev + 2))
    return runs
