"""The hand-written top-k of ``_sort`` (``odata.sorting._top_order``) pinned against plain ``sorted(key=...)``.

The lists are long and the values few, so that a page (``top``) is cut out of long runs of ties, nulls
included, and every level of the split is exercised; the reference is a stable ``sorted`` per key, last
key first, starting from the resource key."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core.odata import Field, Resource, sort, sorting


@dataclass(slots=True)
class Item:
    id: str
    n: int | None
    name: str | None
    flag: bool | None


RES = Resource("item", [Field("id", "guid", "id"), Field("n", "int", "n"), Field("name", "string", "name"),
                        Field("flag", "bool", "flag")])
NAMES = ["ann", "Ann", "bob", "BOB ", "", "cy"]


def reference(items: list[Item], spec: list[tuple[str, bool]]) -> list[str]:
    """Stable sorts, the least significant first: None lowest, strings without case."""
    def key_of(wire: str) -> Any:
        def key(item: Item) -> tuple[bool, Any]:
            value = getattr(item, wire)
            return (value is not None, value.lower() if isinstance(value, str) else value)
        return key

    ordered = sorted(items, key=lambda item: item.id)
    for wire, desc in reversed(spec):
        ordered = sorted(ordered, key=key_of(wire), reverse=desc)
    return [item.id for item in ordered]


items_strategy = st.lists(
    st.builds(Item, id=st.just(""), n=st.one_of(st.none(), st.integers(0, 3)),
              name=st.one_of(st.none(), st.sampled_from(NAMES)), flag=st.one_of(st.none(), st.booleans())),
    min_size=0, max_size=300)


@settings(max_examples=200, deadline=None)
@given(items=items_strategy,
       spec=st.lists(st.tuples(st.sampled_from(["n", "name", "flag"]), st.booleans()), min_size=1, max_size=3),
       top=st.integers(1, 40), data=st.data())
def test_top_k_matches_plain_sorted(items: list[Item], spec: list[tuple[str, bool]], top: int, data: Any) -> None:
    order = data.draw(st.permutations(range(len(items))))
    items = [Item(f"{k:05d}", it.n, it.name, it.flag) for k, it in zip(order, items, strict=True)]
    text = ",".join(("-" if desc else "") + wire for wire, desc in spec)
    expected = reference(items, spec)
    with every_path():
        for small in (sorting._SMALL, 0):  # short lists: one sort per key; else the tie-tracking paths
            sorting._SMALL = small
            assert [it.id for it in sort(items, RES, text, top=top)] == expected[:top]
            assert [it.id for it in sort(items, RES, text)] == expected


@contextmanager
def every_path() -> Iterator[None]:
    """``sorting._SMALL`` as it was afterwards (hypothesis runs many examples in one test call)."""
    small = sorting._SMALL
    try:
        yield
    finally:
        sorting._SMALL = small


def test_the_top_k_path_is_the_one_taken(monkeypatch: Any) -> None:
    """A page of a long list goes through ``_top_order``: the property above tests the hand-written path."""
    calls: list[int] = []
    real = sorting._top_order

    def spy(items: list, keys: list, candidates: list[int], k: int) -> list[int]:
        calls.append(k)
        return real(items, keys, candidates, k)

    monkeypatch.setattr(sorting, "_top_order", spy)
    items = [Item(f"{k:05d}", k % 3, NAMES[k % 6], None) for k in range(200)]
    assert [it.id for it in sort(items, RES, "-n,name", top=7)] == reference(items, [("n", True), ("name", False)])[:7]
    assert calls == [7]


def test_a_page_whose_first_key_has_a_null_and_long_ties_below_it(monkeypatch: Any):
    """The list is short, but sorted by the long lists' top-k path (``_SMALL`` 0).
    One null goes ahead, the k-th place is then among the smallest values: found by a search against a
    mutant (the k-th counted past the nulls instead of before them failed on the next, descending, key)."""
    rows = [(None, None, True), (1, None, None), (2, None, True), (2, None, False), (2, "b", False), (3, "a", None),
            (2, "a", False), (2, "b", None), (2, "a", None)]
    items = [Item(f"{k:05d}", n, name, flag) for k, (n, name, flag) in enumerate(rows)]
    spec = [("n", False), ("name", False), ("flag", True)]
    monkeypatch.setattr(sorting, "_SMALL", 0)
    for top in (1, 2, 3):
        assert [it.id for it in sort(items, RES, "n,name,-flag", top=top)] == reference(items, spec)[:top]


def test_a_page_keeps_the_nulls_and_the_values_before_the_kth_place(monkeypatch: Any):
    """The long lists' top-k path (``_SMALL`` 0).
    Ascending, nulls first: a page of 3 out of a long list is the null, the one smaller value, then the first
    of the long run of ties; descending, the nulls come last and the page is the largest values."""
    values = [2] * 20 + [None, 0] + [3] * 20 + [None]
    items = [Item(f"{k:05d}", n, None, None) for k, n in enumerate(values)]
    monkeypatch.setattr(sorting, "_SMALL", 0)
    for text, spec in (("n", [("n", False)]), ("-n", [("n", True)])):
        expected = reference(items, spec)
        for top in range(1, 6):
            assert [it.id for it in sort(items, RES, text, top=top)] == expected[:top], (text, top)
