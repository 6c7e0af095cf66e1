"""The wire contract: JSON Schemas (draft 2020-12) under ``schemas/<vendor>/<name>.json``.

The schemas are written from the vendors' documents, not from the emulator's
output, so tests can hold the emulator to them::

    from emulator.core import contract
    contract.validate("absorb", "user-course-enrollment", body)   # raises ContractViolation

Schemas are read once per schema directory (``LMS_EMULATOR_SCHEMAS`` overrides
the directory). Relative ``$ref``s between files resolve through a
``referencing.Registry`` keyed by each file's ``$id``.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from functools import lru_cache, cache
from types import MappingProxyType
from typing import Any
from collections.abc import Mapping

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import resources
from .wire import is_guid
from .schemadir import root as _root

__all__ = ["ContractViolation", "errors", "names", "registry", "schema", "validate", "validator", "vendors"]

# RFC 3339 date-time: a time and an offset are mandatory (fromisoformat alone accepts less).
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


class ContractViolation(AssertionError):
    """A payload does not match its schema; ``errors`` holds one message per problem."""

    def __init__(self, vendor: str, name: str, problems: list[str]) -> None:
        self.vendor, self.name, self.errors = vendor, name, list(problems)
        lines = "\n".join(f"  - {p}" for p in self.errors)
        super().__init__(f"{vendor}/{name}: {len(self.errors)} contract violation(s):\n{lines}")


def _is_date_time(instance: object) -> bool:
    """RFC 3339 date-time with offset, checked for real calendar values."""
    if not isinstance(instance, str):
        return True
    m = _RFC3339.match(instance)
    if not m:
        return False
    date, time, _fraction, offset = m.groups()  # the fraction is only digits: nothing to check
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        datetime.fromisoformat(f"{date}T{time}{offset}")
    except ValueError:
        return False
    return True


def _is_uuid(instance: object) -> bool:
    """8-4-4-4-12 hexadecimal GUID (either case)."""
    if not isinstance(instance, str):
        return True
    if not is_guid(instance):
        return False
    uuid.UUID(instance)
    return True


@lru_cache(maxsize=1)
def _format_checker() -> FormatChecker:
    """jsonschema's checker with our own uuid and date-time checks (no optional packages needed)."""
    checker = FormatChecker()
    checker.checks("uuid")(_is_uuid)
    checker.checks("date-time")(_is_date_time)
    return checker


class _Catalogue:
    """Every schema of one directory, read once, plus the registry that resolves their $refs."""

    def __init__(self, root: Any) -> None:
        if not root.is_dir():
            raise FileNotFoundError(f"schema directory not found: {root}")
        docs: dict[str, dict[str, Mapping[str, Any]]] = {}
        found: list[tuple[str, Resource[Any]]] = []
        for vendor in sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.name):
            for file in resources.json_files(vendor):
                contents = json.loads(file.read_text(encoding="utf-8"))
                stem = file.name[:-len(".json")]
                docs.setdefault(vendor.name, {})[stem] = contents
                uri = contents.get("$id") or f"urn:lms-emulator:schemas:{vendor.name}/{stem}"
                found.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
        self.root = root
        self.docs = MappingProxyType({v: MappingProxyType(d) for v, d in docs.items()})
        self.registry: Registry[Any] = Registry().with_resources(found).crawl()


_CATALOGUES: dict[str, _Catalogue] = {}  # per schema directory (its text): read once


def _current() -> _Catalogue:
    root = _root()
    cat = _CATALOGUES.get(str(root))
    if cat is None:
        cat = _CATALOGUES.setdefault(str(root), _Catalogue(root))
    return cat


def vendors() -> list[str]:
    """Vendors that have schemas (the sub-directories of the schema directory)."""
    return sorted(_current().docs)


def names(vendor: str) -> list[str]:
    """Schema names (file stems, without .json) for ``vendor``."""
    cat = _current()
    if vendor not in cat.docs:
        raise KeyError(f"no schemas for vendor {vendor!r} in {cat.root} (known: {sorted(cat.docs)})")
    return sorted(cat.docs[vendor])


def registry() -> Registry[Any]:
    """The registry holding every schema under its ``$id`` (for resolving refs by hand)."""
    return _current().registry


def schema(vendor: str, name: str) -> dict[str, Any]:
    """The schema document ``schemas/<vendor>/<name>.json`` (a fresh copy; edit freely)."""
    cat = _current()
    if name not in names(vendor):
        raise KeyError(f"no schema {vendor}/{name}.json in {cat.root} (known: {names(vendor)})")
    return json.loads(json.dumps(cat.docs[vendor][name]))


@cache
def _validator(root: str, vendor: str, name: str) -> Draft202012Validator:
    cat = _CATALOGUES[root]
    if vendor not in cat.docs or name not in cat.docs[vendor]:
        raise KeyError(f"no schema {vendor}/{name}.json in {root}")
    return Draft202012Validator(
        cat.docs[vendor][name], registry=cat.registry, format_checker=_format_checker()
    )


def validator(vendor: str, name: str) -> Draft202012Validator:
    """A cached Draft 2020-12 validator for the schema, with uuid and date-time checked."""
    return _validator(str(_current().root), vendor, name)


def errors(vendor: str, name: str, payload: Any) -> list[str]:
    """Human-readable problems with ``payload``, each prefixed by its JSON path; [] if valid."""
    found = sorted(validator(vendor, name).iter_errors(payload), key=lambda e: (list(map(str, e.path)), e.message))
    return [f"{e.json_path}: {e.message}" for e in found]


def validate(vendor: str, name: str, payload: Any) -> None:
    """Raise ContractViolation unless ``payload`` matches ``schemas/<vendor>/<name>.json``."""
    problems = errors(vendor, name, payload)
    if problems:
        raise ContractViolation(vendor, name, problems)
