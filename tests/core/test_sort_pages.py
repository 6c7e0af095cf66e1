"""A page of a long list sorted on a mostly-null key: the items that have a value come first (descending: nulls
last) and the page is filled from the nulls, in the order of the next key, each item once."""
from __future__ import annotations

import pytest

from emulator.core.odata import sort
from tests.core.test_odata_top import RES, Item, reference


@pytest.mark.parametrize("text, spec", [("-n", [("n", True)]), ("-n,-name", [("n", True), ("name", True)]),
                                        ("n", [("n", False)])])
def test_a_page_larger_than_the_values_of_its_key_is_filled_from_the_nulls(text, spec):
    items = [Item(f"{k:05d}", 7 if k in (10, 50, 90) else None, f"x{k % 7}", None) for k in range(100)]
    for top in (1, 3, 4, 10, 20):  # a page of 10 out of 100: the long lists' top-k path
        page = [it.id for it in sort(items, RES, text, top=top)]
        assert page == reference(items, spec)[:top] and len(set(page)) == len(page), (text, top)
    every_null = [Item(f"{k:05d}", None, None, None) for k in range(50)]
    assert [it.id for it in sort(every_null, RES, "-n", top=5)] == [f"{k:05d}" for k in range(5)]
