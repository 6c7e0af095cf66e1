"""The one way a vendor reads its part of a fixture file.

A vendor declares its part as marshmallow schemas on ``Strict`` (an unknown key is an error: a typo in a
fixture must not pass silently), reads it with ``load_part`` and checks what a schema cannot see (references,
duplicate ids) with ``Problems``. Every message names the bad entry: ``pearson.users[2].centerId: ...``.
Then the vendor's builder fills its world (``absorb.fixtures``, ``ispring.seed``, ``pearson.seed``).

Finding fixtures by name and checking the envelope (``name``, ``anchor``, one part per vendor) is
``admin.fixtures``; the store hands each part to its vendor as ``WorldContext.fixture``.
"""
from __future__ import annotations

from typing import Any, NoReturn

from marshmallow import RAISE, Schema, ValidationError, fields

from .clock import to_wire_precision
from .errors import ValidationFailed
from .wire import CamelCaseSchema, parse_iso_datetime, validation_messages


class Strict(CamelCaseSchema):
    """A fixture entity: camelCase keys, snake_case in Python, unknown keys refused."""

    error_messages = {"type": "Must be a JSON object."}  # marshmallow's own: "Invalid input type."

    class Meta:
        unknown = RAISE


class Problems:
    """What is wrong with a vendor's part, each problem as ``<vendor>.<path>: <problem>``.

    ``add`` collects (so one answer lists every problem), ``fail`` stops at once (when building on would
    need what is missing), ``check`` raises what was collected. The answer is a 400 whose message is the
    first problem and whose ``validations`` are all of them.
    """

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.found: list[str] = []

    def add(self, path: str, problem: str) -> None:
        self.found.append(f"{self.vendor}.{path}: {problem}" if path else f"{self.vendor}: {problem}")

    def fail(self, path: str, problem: str) -> NoReturn:
        self.add(path, problem)
        raise self.error()

    def check(self) -> None:
        if self.found:
            raise self.error()

    def error(self) -> ValidationFailed:
        return ValidationFailed(self.found[0], validations=list(self.found))


def load_part(schema: Schema, data: Any, vendor: str) -> dict[str, Any]:
    """A vendor's part through its schema, or ValidationFailed naming each bad entry."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"{vendor}: the fixture must be a JSON object.",
                               validations=[f"{vendor}: expected an object"])
    try:
        return schema.load(data)
    except ValidationError as exc:
        problems = Problems(vendor)
        problems.found = validation_messages(_entry_errors(exc.messages), vendor)
        raise problems.error() from None


def _entry_errors(messages: Any) -> Any:
    """marshmallow files the errors of an entry as a whole (not an object) under ``_schema``; name the
    entry itself instead (``users[0]: Must be a JSON object.``)."""
    if not isinstance(messages, dict):
        return messages
    if set(messages) == {"_schema"}:
        return messages["_schema"]
    return {key: _entry_errors(value) for key, value in messages.items()}


# -- JSON's own types (marshmallow's Float and Boolean also take "1.5" and "yes"; a fixture is JSON) --

class DateTime(fields.Field):
    """An ISO 8601 date-time (no zone: UTC), loaded as an aware datetime at the stored precision
    (``core.clock.to_wire_precision``: the wire shows milliseconds)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return to_wire_precision(parse_iso_datetime(value))
        except (TypeError, ValueError):
            raise ValidationError(f"{value!r} is not an ISO 8601 date-time.") from None


class Number(fields.Field):
    """A JSON number, kept as given (an int stays an int)."""

    default_error_messages = {"invalid": "Not a valid number."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return value


class Boolean(fields.Field):
    """``true`` or ``false``, nothing else."""

    default_error_messages = {"invalid": "Not a valid boolean."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value is not True and value is not False:
            raise self.make_error("invalid")
        return value
