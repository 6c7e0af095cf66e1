"""Write ``schemas/fixture.schema.json``: a JSON Schema for fixture files, made from the vendors' own fixture
schemas (the marshmallow ``FIXTURE`` of ``absorb.fixtures``, ``ispring.schemas`` and ``pearson.schemas``), so
editors can complete and check a fixture file as it is written.

    python tools/fixture_schema.py          # rewrite the file
    python tools/fixture_schema.py --check  # exit 1 if the file is not what the code says

The loaders stay the judges: they also check what a schema cannot (references by id or name, duplicate ids,
seats, lesson states). ``tests/test_fixture_schema.py`` keeps the file equal to this output and validates the
shipped fixtures against it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.absorb.seed import fixtures as absorb_fixtures  # noqa: E402
from emulator.absorb.domain.models import EnrollmentStatus  # noqa: E402
from emulator.core import fixtures as core_fixtures  # noqa: E402
from emulator.core.wire import Guid  # noqa: E402
from emulator.ispring.wire import schemas as ispring_schemas  # noqa: E402
from emulator.pearson.wire import schemas as pearson_schemas  # noqa: E402

OUT = ROOT / "schemas" / "fixture.schema.json"
GUID = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
INSTANT = r"^\s*[+-]\s*(\d+d)?(\d+h)?(\d+m)?\s*$"
PARTS = {"absorb": absorb_fixtures.FIXTURE, "ispring": ispring_schemas.FIXTURE, "pearson": pearson_schemas.FIXTURE}
DESCRIPTIONS = {
    "absorb": "Replaces the generated portal: users, departments, the catalogue and enrollments. References "
              "(userId, courseId, sessionId, lessonId, departmentId, parentId) name an entity by its id or its "
              "name (a user by username). At least one user must be an admin.",
    "ispring": "Replaces the generated account: departments, users, appraisal sessions and API clients.",
    "pearson": "Replaces the generated centers, teachers, users, sessions and encounters. Session and encounter "
               "times are ISO 8601 date-times or offsets from the anchor ('+1d15h', '-2h').",
}


def schema_of(schema: Schema) -> dict[str, Any]:
    """An object schema: the wire names (camelCase), the required ones, nothing else allowed."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        properties[key] = field_schema(field)
        if field.required:
            required.append(key)
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def field_schema(field: fields.Field) -> dict[str, Any]:
    out = _base(field)
    for check in _validators(field):
        if isinstance(check, validate.OneOf):
            out["enum"] = list(check.choices)
        elif isinstance(check, validate.Length) and check.min:
            out["minItems" if out.get("type") == "array" else "minLength"] = check.min
        elif isinstance(check, validate.Range):
            if check.min is not None:
                out["minimum" if check.min_inclusive else "exclusiveMinimum"] = check.min
            if check.max is not None:
                out["maximum" if check.max_inclusive else "exclusiveMaximum"] = check.max
        elif getattr(check, "__name__", "") == "_whole":
            out["type"] = "integer"
    if field.allow_none:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _validators(field: fields.Field) -> list[Any]:
    return list(getattr(field, "validators", []) or [])


def _base(field: fields.Field) -> dict[str, Any]:
    if isinstance(field, fields.Nested):
        nested = field.nested
        return schema_of(nested() if isinstance(nested, type) else nested)  # type: ignore[arg-type]
    if isinstance(field, fields.List):
        return {"type": "array", "items": field_schema(field.inner)}
    if isinstance(field, Guid):
        return {"type": "string", "pattern": GUID}
    if isinstance(field, absorb_fixtures.Status):
        return {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 12},
                          {"type": "string", "examples": [s.name for s in EnrollmentStatus]}],
                "description": "An enrollment status: its number (0-12) or its name (InProgress, Complete, ...)"}
    if isinstance(field, pearson_schemas.Instant):
        return {"type": "string", "anyOf": [{"format": "date-time"}, {"pattern": INSTANT}],
                "description": "An ISO 8601 date-time, or an offset from the anchor: '+1d15h', '-2h30m'"}
    if isinstance(field, core_fixtures.DateTime):
        return {"type": "string", "format": "date-time", "description": "ISO 8601 (without a zone: UTC)"}
    if isinstance(field, core_fixtures.Number | fields.Float):
        return {"type": "number"}
    if isinstance(field, fields.Date):
        return {"type": "string", "format": "date", "description": "yyyy-mm-dd"}
    if isinstance(field, fields.Integer):
        return {"type": "integer"}
    if isinstance(field, core_fixtures.Boolean | fields.Boolean):
        return {"type": "boolean"}
    if isinstance(field, fields.String):
        return {"type": "string"}
    raise TypeError(f"no JSON Schema for {type(field).__name__}: teach tools/fixture_schema.py")


def document() -> dict[str, Any]:
    parts = {vendor: {**schema_of(schema), "description": DESCRIPTIONS[vendor]} for vendor, schema in PARTS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://lms-emulator.local/schemas/fixture.schema.json",
        "title": "lms-emulator fixture file",
        "description": "A known world for a tenant (POST /_emulator/tenants {\"fixture\": name}, serve --fixtures). "
                       "Each vendor part is optional; a vendor without one is seeded. See docs/FIXTURES.md. "
                       "Generated by tools/fixture_schema.py from the loaders' own schemas.",
        "type": "object",
        "properties": {
            "$schema": {"type": "string", "description": "This schema's path or URL, for editors"},
            "name": {"type": "string", "description": "The fixture's name (its file name is what selects it)"},
            "description": {"type": "string", "description": "What the world holds, shown by GET /_emulator/fixtures"},
            "anchor": {"type": "string", "format": "date-time",
                       "description": "The instant the fixture's relative dates hang off (a request's anchor wins)"},
            **parts,
        },
        "additionalProperties": False,
    }


def text() -> str:
    return json.dumps(document(), indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from the code's schema")
    args = parser.parse_args()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text()
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if same else 'out of date: run python tools/fixture_schema.py'}")
        return 0 if same else 1
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
