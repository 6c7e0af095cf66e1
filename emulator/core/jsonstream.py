"""JSON written piece by piece: a large world's ``data.json`` with flat memory.

A vendor's dump is a dict whose large arrays are ``Rows`` (an iterable of JSON-ready items, made one at a
time); ``write`` encodes it to a binary file item by item with orjson, the bytes ``orjson.dumps`` of the whole
would give (the same compact form, keys in order); ``plain`` turns the ``Rows`` into lists, for callers that want
the whole dict (``World.dump()``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from .wire import encode_json


class Rows:
    """A JSON array made when written: ``Rows(dump(x) for x in table.values())``."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


def plain(value: Any) -> Any:
    """``value`` with every ``Rows`` made a list (dicts and lists copied where they hold one)."""
    if isinstance(value, Rows):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


BATCH = 256  # items of a Rows encoded before they are written


def write(value: Any, out: IO[bytes], encode: Callable[[Any], bytes] = encode_json) -> None:
    """``value`` as JSON into ``out``: dicts key by key, ``Rows`` item by item (each item whole), everything
    else whole."""
    if isinstance(value, dict):
        out.write(b"{")
        for n, (key, item) in enumerate(value.items()):
            if n:
                out.write(b",")
            out.write(encode(key if isinstance(key, str) else str(key)))
            out.write(b":")
            write(item, out, encode)
        out.write(b"}")
    elif isinstance(value, Rows):  # its items are encoded whole, a batch at a time
        out.write(b"[")
        batch: list[bytes] = []
        first = True
        for item in value:
            batch.append(encode(item))
            if len(batch) == BATCH:
                out.write((b"" if first else b",") + b",".join(batch))
                batch, first = [], False
        if batch:
            out.write((b"" if first else b",") + b",".join(batch))
        out.write(b"]")
    else:
        out.write(encode(value))
