"""Wire formats shared by the vendors: date-times, TimeSpans, GUIDs, schema bases.

Absorb and iSpring speak camelCase with ISO 8601 ``Z`` dates; Pearson speaks
PascalCase with .NET round-trip dates (seven fractional digits and an offset).
Marshmallow schemas derive their wire names from snake_case attributes here,
so models never carry hand-written ``to_dict`` methods.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import lru_cache
from itertools import chain, repeat
from typing import Any

import orjson
from marshmallow import Schema, fields

from .clock import to_wire_precision
from .guid import GUID_PATTERN as GUID_PATTERN, GUID_RE as GUID_RE, is_guid
from .odata import Field, Resource

UTC = timezone.utc
TICKS_PER_SECOND = 10_000_000
# The one GUID pattern (8-4-4-4-12 hexadecimal, any case): routes, filters, contracts and recordings use it


MAX_JSON_DEPTH = 64  # no vendor document nests past a handful of levels


class TooDeep(ValueError):
    """A JSON document nested deeper than ``MAX_JSON_DEPTH``."""


def loads_json(raw: bytes | str) -> Any:
    """``json.loads`` that refuses documents nested deeper than ``MAX_JSON_DEPTH`` (``TooDeep``, a ValueError).

    ``json.loads`` itself raises RecursionError near 1,000 levels, and a document just under that would still
    exhaust the stack of whatever walks it next (schema validation, the journal's masking)."""
    # all-ASCII bytes without a NUL are UTF-8 to json.loads: decoded here, its encoding sniffing is skipped
    text = raw.decode("ascii") if type(raw) is bytes and raw.isascii() and b"\x00" not in raw else raw
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise TooDeep(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def invalid_text(data: Any, path: str = "body") -> str | None:
    """The path of the first string (key or value) in a parsed JSON document that is not valid Unicode (a
    lone UTF-16 surrogate: JSON allows ``"\\ud800"``, no answer could carry it), else None. One rule for
    every input, vendor and admin alike (``core.http.json_body``, the admin API's bodies, fixture files)."""
    stack: list[tuple[Any, str]] = [(data, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if not _valid_text(node):
                return where
        elif isinstance(node, dict):
            for key, value in reversed(node.items()):
                if isinstance(key, str) and not _valid_text(key):
                    return where
                stack.append((value, f"{where}.{key}"))
        elif isinstance(node, list):
            stack.extend((value, f"{where}[{n}]") for n, value in reversed(list(enumerate(node))))
    return None


def _valid_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_TEXT = "a lone UTF-16 surrogate is not valid text"


def _depth(value: Any) -> int:
    """The nesting depth of a parsed document, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            if level > deepest:
                deepest = level
                if deepest > MAX_JSON_DEPTH:
                    return deepest
            stack.extend((child, level + 1) for child in node if isinstance(child, (list, dict)))
    return deepest


_V4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_V4_SET = (0x8000 << 48) | (4 << 76)


def new_guid(rng: Any) -> str:
    """A version-4 GUID drawn from ``rng`` (a seeded ``random.Random``), lower-case.

    The text of ``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, formatted directly:
    seeding a world makes thousands, and the ``UUID`` object costs more than the GUID (``bytes.hex`` is a fifth
    cheaper than ``"%032x"``: a 50,000-user Absorb world makes half a million).
    """
    h = (rng.getrandbits(128) & _V4_CLEAR | _V4_SET).to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_guids(rng: Any, count: int) -> list[str]:
    """``[new_guid(rng) for _ in range(count)]``: the same GUIDs in the same order, made a batch at a time.

    ``getrandbits(128 * count)`` is the next ``count`` draws of ``getrandbits(128)``, the first the least
    significant; its big-endian hexadecimal text holds them last first, 32 digits each, and the dashes go in
    with one slice assignment per column (~0.3 us a GUID against ~1.3 us)."""
    if count <= 0:
        return []
    clear, version = _v4_masks(count)
    digits = (rng.getrandbits(128 * count) & clear | version).to_bytes(16 * count, "big").hex().encode("ascii")
    text = bytearray(36 * count)
    for source, target in _GUID_COLUMNS:
        text[target::36] = digits[source::32]
    for dash in (8, 13, 18, 23):
        text[dash::36] = b"-" * count
    whole = text.decode("ascii")
    return [whole[start:start + 36] for start in range(36 * (count - 1), -1, -36)]  # the first drawn is last


def guid_stream(rng: Any, batch: int) -> Iterator[str]:
    """``new_guid(rng)`` on each ``next()``, endless. A batch of 1 draws what ``new_guid`` draws when it draws it;
    a larger one draws ``batch`` GUIDs ahead at once (``new_guids``), so the generator's other draws move: what
    a sized world's seeding may do (``core.scale``). ``next()`` on it is a C call, not a Python frame."""
    if batch <= 1:
        return map(new_guid, repeat(rng))
    return chain.from_iterable(map(new_guids, repeat(rng), repeat(batch)))


# digit n of a GUID's 32 -> its column in the 36 characters of its text (8-4-4-4-12)
_GUID_COLUMNS = tuple((n, n + (n >= 8) + (n >= 12) + (n >= 16) + (n >= 20)) for n in range(32))


@lru_cache(maxsize=8)
def _v4_masks(count: int) -> tuple[int, int]:
    """``_V4_CLEAR`` and ``_V4_SET`` repeated for ``count`` GUIDs of 128 bits."""
    clear = (_V4_CLEAR & ((1 << 128) - 1)).to_bytes(16, "big")
    version = _V4_SET.to_bytes(16, "big")
    return int.from_bytes(clear * count, "big"), int.from_bytes(version * count, "big")


def iso_z(value: datetime | None) -> str | None:
    """``2019-08-24T14:15:22Z``; milliseconds only when the instant has them; the year always four digits
    (``strftime('%Y')`` writes year 6 as ``6``, which is not RFC 3339)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        return text + f".{value.microsecond // 1000:03d}Z"
    return text + "Z"


def dotnet_datetime(value: datetime | None) -> str | None:
    """.NET round-trip format: ``2024-12-20T14:38:10.6042016+00:00``."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
            f"{value.second:02d}.{value.microsecond * 10:07d}+00:00")


def parse_iso_datetime(text: str) -> datetime:
    """ISO 8601 with ``Z``, an offset, or no zone (taken as UTC), as bodies, headers, queries and settings send
    it. Raises ValueError (``core.odata.parse_datetime_literal`` is the filter literal's parser: None instead)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty date-time")
    text = text.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: not representable in UTC
        raise ValueError(f"date-time out of range: {text}") from None


def timespan(ticks: int) -> str:
    """.NET TimeSpan text (``c`` format): ``[d.]hh:mm:ss``."""
    seconds, rest = divmod(int(ticks), TICKS_PER_SECOND)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if days:
        text = f"{days}.{text}"
    if rest:
        text += f".{rest:07d}"
    return text


def camel(name: str) -> str:
    head, *tail = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in tail)


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class IsoDateTime(fields.Field):
    """Absorb/iSpring date-time: out as ``...Z``, in from any ISO 8601 form."""

    default_error_messages = {"invalid": "Not a valid ISO 8601 date-time."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return iso_z(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        """A body's date-time is stored: at the stored precision (``clock.to_wire_precision``)."""
        try:
            return to_wire_precision(parse_iso_datetime(value))
        except (TypeError, ValueError) as exc:
            raise self.make_error("invalid") from exc


class DotNetDateTime(fields.Field):
    """Pearson date-time: .NET round-trip text with seven fractional digits."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return dotnet_datetime(value)


class Guid(fields.String):
    """A GUID: validated on the way in, lower-cased both ways."""

    default_error_messages = {"invalid_guid": "Not a valid GUID."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value).lower()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not is_guid(value):
            raise self.make_error("invalid_guid")
        return value.lower()


class TimeSpan(fields.Field):
    """Ticks in the model (``source`` attribute), .NET TimeSpan text on the wire.

    ``source`` rather than marshmallow's ``attribute``: the ticks may be on the wire too.
    """

    def __init__(self, source: str = "time_spent_ticks", **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)
        self.source = source

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return getattr(obj, self.source)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else timespan(value)


class CamelCaseSchema(Schema):
    """snake_case attributes, camelCase on the wire."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.data_key = field_obj.data_key or camel(field_name)


class PascalCaseSchema(Schema):
    """snake_case attributes, PascalCase on the wire (ASP.NET)."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.data_key = field_obj.data_key or pascal(field_name)


def resource_for(schema: Schema, name: str, *, not_filterable: tuple[str, ...] = (),
                 sort_by: dict[str, tuple[str, str]] | None = None) -> Any:
    """The OData field table of a wire type, read off its marshmallow schema (one source of truth).

    GUIDs, dates, numbers, booleans and strings are filterable and sortable;
    lists are neither; ``sort_by`` maps a wire name to (attribute, type) when the
    wire value is derived (``timeSpent`` sorts by its ticks). A nested object's
    fields are addressed with ``/`` as OData does (``customFields/decimal1``,
    read from ``obj.custom_fields.decimal1``).
    """
    return Resource(name, _field_table(schema, Field, not_filterable, sort_by or {}), key="id")


_KINDS: list[tuple[type, str]] = [
    (Guid, "guid"), (IsoDateTime, "datetime"), (fields.Boolean, "bool"), (fields.Integer, "int"),
    (fields.Float, "decimal"), (fields.Decimal, "decimal"), (fields.Number, "decimal"), (fields.String, "string"),
]


def _field_table(schema: Schema, make: Any, not_filterable: tuple[str, ...], sort_by: dict[str, tuple[str, str]],
                 wire_prefix: str = "", attr_prefix: str = "") -> list[Any]:
    table = []
    for attr, field_obj in schema.fields.items():
        wire = wire_prefix + (field_obj.data_key or attr)
        model_attr = attr_prefix + (field_obj.attribute or attr)
        if wire in sort_by:
            sort_attr, sort_type = sort_by[wire]
            table.append(make(wire=wire, type=sort_type, attr=sort_attr, filterable=False, sortable=True))
            continue
        if isinstance(field_obj, fields.Nested) and not field_obj.many:
            table += _field_table(field_obj.schema, make, not_filterable, sort_by, wire + "/", model_attr + ".")
            continue
        kind = next((k for cls, k in _KINDS if isinstance(field_obj, cls)), None)
        if kind is None:
            continue
        table.append(make(wire=wire, type=kind, attr=model_attr, filterable=wire not in not_filterable, sortable=True))
    return table


def validation_messages(messages: Any, path: str = "") -> list[str]:
    """marshmallow's nested errors as ``users[2].centerId: message`` lines (``path`` prefixes them)."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            step = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
            out.extend(validation_messages(value, path + step))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{path}: {m}" for m in messages]
    return [f"{path}: {messages}"]


def encoded(data: bytes) -> Any:
    """JSON already encoded, to stand as a value inside what ``encode_json`` encodes (copied as it is)."""
    return orjson.Fragment(data)


def encode_json(obj: Any) -> bytes:
    """A response body: orjson (several times faster than the standard library on our lists). Without
    ``OPT_NON_STR_KEYS`` first: it takes orjson's slower path, ~1.8x the time on a list page."""
    try:
        return orjson.dumps(obj)
    except TypeError:  # orjson.JSONEncodeError: a dict with keys that are not strings
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def encode_kept(obj: Any) -> bytes:
    """``encode_json`` for bytes kept for long (an entity's encoded wire form): the same bytes, in an object of
    their own size. orjson's leaves about ten times the text's size allocated (16 KB for a user's 1.6 KB): a
    cache of 50,000 such forms held ~800 MB of allocations, and the first pass over them paid a page fault or two
    per user (issue 32). The copy costs ~0.3 us."""
    return memoryview(encode_json(obj)).tobytes()

