"""_limit/_offset parsing, slicing, the envelope and query_list end to end."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from emulator.core.errors import Unprocessable
from emulator.core.odata import Field, Resource
from emulator.core.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    Page,
    envelope,
    paginate,
    parse_page,
    query_array,
    query_list,
)


def test_constants() -> None:
    assert (DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET) == (20, 1000, 65535)


PAGES: list[tuple[dict[str, str], bool, Page]] = [
    ({}, True, Page(20, 0)),
    ({"_limit": "5"}, True, Page(5, 0)),
    ({"_offset": "3"}, True, Page(20, 3)),
    ({"_limit": "1", "_offset": "0"}, True, Page(1, 0)),
    ({"_limit": "1000", "_offset": "65535"}, True, Page(1000, 65535)),
    ({"_limit": " 7 ", "_offset": "+2"}, True, Page(7, 2)),
    ({"_limit": "007"}, True, Page(7, 0)),
    # deprecated forms, and the underscore form winning
    ({"limit": "5", "offset": "2"}, True, Page(5, 2)),
    ({"limit": "5", "_limit": "9"}, True, Page(9, 0)),
    ({"offset": "5", "_offset": "1"}, True, Page(20, 1)),
    ({"limit": "5", "_offset": "1"}, True, Page(5, 1)),
    ({"limit": "5", "offset": "2"}, False, Page(20, 0)),  # ignored where not deprecated-capable
    ({"limit": "abc", "_limit": "4"}, True, Page(4, 0)),  # the losing value is not even read
    ({"unrelated": "x"}, True, Page(20, 0)),
]


@pytest.mark.parametrize(("args", "deprecated", "expected"), PAGES, ids=[str(p[0]) + str(p[1]) for p in PAGES])
def test_parse_page(args: dict[str, str], deprecated: bool, expected: Page) -> None:
    assert parse_page(args, deprecated=deprecated) == expected


PAGE_ERRORS: list[tuple[dict[str, str], str]] = [
    ({"_limit": "abc"}, "_limit: 'abc' is not an integer"),
    ({"_limit": ""}, "_limit: '' is not an integer"),
    ({"_limit": "1.5"}, "_limit: '1.5' is not an integer"),
    ({"_limit": "1_000"}, "_limit: '1_000' is not an integer"),
    ({"_limit": "١٢"}, "is not an integer"),  # non-ASCII digits are not numbers here
    ({"_limit": "0"}, "_limit: 0 is out of range; it must be between 1 and 1000"),
    ({"_limit": "-1"}, "_limit: -1 is negative; it must be between 1 and 1000"),
    ({"_limit": "1001"}, "_limit: 1001 is out of range; it must be between 1 and 1000"),
    ({"_limit": "99999999999999999999"}, "_limit: 99999999999999999999 is out of range"),
    ({"_offset": "x"}, "_offset: 'x' is not an integer"),
    ({"_offset": "-1"}, "_offset: -1 is negative; it must be between 0 and 65535"),
    ({"_offset": "65536"}, "_offset: 65536 is out of range; it must be between 0 and 65535"),
    ({"limit": "abc"}, "limit: 'abc' is not an integer"),
    ({"offset": "-3"}, "offset: -3 is negative"),
    ({"limit": "5000"}, "limit: 5000 is out of range"),
]


@pytest.mark.parametrize(("args", "message"), PAGE_ERRORS, ids=[str(e[0]) for e in PAGE_ERRORS])
def test_parse_page_errors(args: dict[str, str], message: str) -> None:
    with pytest.raises(Unprocessable) as info:
        parse_page(args)
    err = info.value
    assert err.status == 422
    param = next(iter(args))
    assert err.message == f"The {param} parameter is invalid."
    assert len(err.validations) == 1 and message in err.validations[0]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (Page(3, 0), [0, 1, 2]),
        (Page(3, 1), [3, 4, 5]),  # offset counts pages
        (Page(3, 3), [9]),
        (Page(3, 4), []),
        (Page(20, 0), list(range(10))),
        (Page(1, 9), [9]),
    ],
)
def test_paginate(page: Page, expected: list[int]) -> None:
    assert paginate(list(range(10)), page) == expected


def test_envelope_keys_and_order() -> None:
    body = envelope(57, ["a", "b"], Page(2, 4))
    assert list(body) == ["totalItems", "returnedItems", "limit", "offset", "enrollments"]
    assert body == {"totalItems": 57, "returnedItems": 2, "limit": 2, "offset": 4, "enrollments": ["a", "b"]}
    assert list(envelope(0, [], Page(20, 0), key="lessonEnrollments")) == [
        "totalItems", "returnedItems", "limit", "offset", "lessonEnrollments",
    ]


# --------------------------------------------------------------------------- query_list


@dataclass(slots=True)
class Item:
    id: str
    name: str | None
    status: int


RES = Resource("item", [Field("id", "guid", "id"), Field("name", "string", "name"), Field("status", "int", "status")])
ITEMS = [Item(f"{i:02d}", None if i % 7 == 0 else f"name{i % 5}", i % 4) for i in range(30)]
dumped: list[str] = []


def dump(item: Item) -> dict[str, Any]:
    dumped.append(item.id)
    return {"id": item.id, "status": item.status}


def ids(body: dict[str, Any]) -> list[str]:
    return [e["id"] for e in body["enrollments"]]


def test_query_list_defaults_sort_by_key_and_page_of_20() -> None:
    body = query_list(reversed(ITEMS), RES, {}, dump=dump)
    assert body["totalItems"] == 30 and body["returnedItems"] == 20
    assert (body["limit"], body["offset"]) == (20, 0)
    assert ids(body) == [f"{i:02d}" for i in range(20)]


def test_query_list_filter_sort_and_page() -> None:
    dumped.clear()
    args = {"_filter": "status eq 1 or status eq 2", "_sort": "-status,name", "_limit": "4", "_offset": "1"}
    body = query_list(ITEMS, RES, args, dump=dump)
    matching = [i for i in ITEMS if i.status in (1, 2)]
    expected = sorted(matching, key=lambda i: (-i.status, i.name is not None, i.name or "", i.id))
    assert body["totalItems"] == len(matching) == 15
    assert ids(body) == [i.id for i in expected[4:8]]
    assert dumped == ids(body)  # only the page is dumped


def test_query_list_past_the_end_and_custom_key() -> None:
    body = query_list(ITEMS, RES, {"_limit": "10", "_offset": "3"}, key="items", dump=dump)
    assert body == {"totalItems": 30, "returnedItems": 0, "limit": 10, "offset": 3, "items": []}


def test_query_list_deprecated_paging() -> None:
    assert ids(query_list(ITEMS, RES, {"limit": "2", "offset": "1"}, dump=dump)) == ["02", "03"]
    assert query_list(ITEMS, RES, {"limit": "2"}, dump=dump, deprecated=False)["limit"] == 20


class Untouchable:
    """An iterable that fails the test if a query looks at the items before validating."""

    def __iter__(self) -> Iterator[Item]:
        raise AssertionError("items were read before the query was validated")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"_filter": "nope eq 1"}, "_filter: unknown field 'nope' at position 0"),
        ({"_filter": ""}, "_filter: the filter expression is empty"),
        ({"_sort": "nope"}, "_sort: unknown field 'nope' at position 0"),
        ({"_sort": "name,,id"}, "_sort: empty field name at position 5"),
        ({"_limit": "0"}, "_limit: 0 is out of range"),
        ({"_offset": "x"}, "_offset: 'x' is not an integer"),
    ],
)
def test_query_list_validates_before_reading_items(args: dict[str, str], fragment: str) -> None:
    with pytest.raises(Unprocessable) as info:
        query_list(Untouchable(), RES, args, dump=dump)
    assert fragment in info.value.validations[0]


def test_query_list_default_sort_until_a_sort_is_asked_for() -> None:
    """The resource's default sort (a vendor-documented one: ``username`` for users) orders a page, ties by the
    key; an explicit ``_sort`` replaces it."""
    by_name = sorted(ITEMS, key=lambda i: (i.name is not None, i.name or "", i.id))
    assert ids(query_list(ITEMS, RES, {"_limit": "30"}, dump=dump, default_sort="name")) == [i.id for i in by_name]
    assert ids(query_list(ITEMS, RES, {"_sort": "-id", "_limit": "3"}, dump=dump, default_sort="name")) == [
        "29", "28", "27"]


# --------------------------------------------------------------------------- query_array (a bare array)


def test_query_array_answers_every_match_unless_a_page_is_asked_for() -> None:
    assert [e["id"] for e in query_array(reversed(ITEMS), RES, {}, dump=dump)] == [i.id for i in ITEMS]  # all 30
    assert [e["id"] for e in query_array(ITEMS, RES, {"_limit": "3"}, dump=dump)] == ["00", "01", "02"]
    assert [e["id"] for e in query_array(ITEMS, RES, {"_offset": "1"}, dump=dump)] == [
        f"{i:02d}" for i in range(20, 30)]  # _offset alone: pages of the default 20
    assert [e["id"] for e in query_array(ITEMS, RES, {"_limit": "2", "_offset": "2"}, dump=dump)] == ["04", "05"]
    assert [e["id"] for e in query_array(ITEMS, RES, {"limit": "2"}, dump=dump)] == [i.id for i in ITEMS]
    # only the underscore names page a bare array: a deprecated 'limit' beside '_offset' changes nothing
    assert len(query_array(ITEMS, RES, {"_offset": "0", "limit": "2"}, dump=dump)) == 20


def test_query_array_filters_and_sorts_like_a_list() -> None:
    args = {"_filter": "status eq 1 or status eq 2", "_sort": "-status,name"}
    expected = sorted([i for i in ITEMS if i.status in (1, 2)],
                      key=lambda i: (-i.status, i.name is not None, i.name or "", i.id))
    assert [e["id"] for e in query_array(ITEMS, RES, args, dump=dump)] == [i.id for i in expected]
    by_name = sorted(ITEMS, key=lambda i: (i.name is not None, i.name or "", i.id))
    assert [e["id"] for e in query_array(ITEMS, RES, {}, dump=dump, default_sort="name")] == [i.id for i in by_name]
    assert [e["id"] for e in query_array(ITEMS, RES, {"_sort": "-id", "_limit": "2"}, dump=dump,
                                         default_sort="name")] == ["29", "28"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"_filter": "nope eq 1"}, "_filter: unknown field 'nope' at position 0"),
        ({"_sort": "nope"}, "_sort: unknown field 'nope' at position 0"),
        ({"_limit": "0"}, "_limit: 0 is out of range"),
        ({"_offset": "x"}, "_offset: 'x' is not an integer"),
    ],
)
def test_query_array_validates_before_reading_items(args: dict[str, str], fragment: str) -> None:
    with pytest.raises(Unprocessable) as info:
        query_array(Untouchable(), RES, args, dump=dump)
    assert fragment in info.value.validations[0]
