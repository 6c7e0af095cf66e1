"""Fixture files: a known world, ``{"name", "description", "absorb": {...}, "pearson": {...}, "ispring": {...}}``.

Each vendor part is handed to that vendor's builder as ``ctx.fixture``; the
vendor validates its part and raises ``core.errors`` naming the bad entry. This
module only finds fixtures by name and checks the envelope.

Fixtures by name are looked up in: the directory given with ``--fixtures``
(or that file's directory), ``./fixtures`` and the fixtures shipped in the package.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from ..core import resources
from ..core.clock import check_anchor
from ..core.errors import BadRequest, EmulatorError
from ..core.stubs import check_fixture_stubs
from ..core.wire import NOT_TEXT, invalid_text
from ..config import SettingsError
from ..core.wire import parse_iso_datetime

KNOWN_VENDORS = ("absorb", "ispring", "pearson")  # parts for vendors not installed are ignored
# anchor: the instant its seeded dates hang off; $schema: schemas/fixture.schema.json, for editors
ENVELOPE = {"name", "description", "anchor", "$schema"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def search_path(setting: str | None) -> list[Any]:
    """Directories (Traversables) to look fixture names up in, first match wins."""
    dirs: list[Path] = []
    if setting:
        given = Path(setting)
        dirs.append(given if given.is_dir() else given.parent)
    dirs.append(Path.cwd() / "fixtures")
    unique: list[Any] = []
    for d in dirs:
        d = d.resolve()
        if d not in unique and d.is_dir():
            unique.append(d)
    shipped = resources.shipped("fixtures")
    if str(shipped) not in map(str, unique):  # the checkout's fixtures/ is also the shipped one
        unique.append(shipped)
    return unique


def available(setting: str | None) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for directory in search_path(setting):
        for file in resources.json_files(directory):
            stem = file.name[:-len(".json")]
            if stem in found:
                continue
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                description = data.get("description") if isinstance(data, dict) else None
                if invalid_text(data) is not None:
                    description = "(unreadable)"
            except (OSError, ValueError):
                description = "(unreadable)"
            found[stem] = {"name": stem, "description": description, "file": str(file)}
    return list(found.values())


def shipped_names() -> list[str]:
    return [f.name[:-len(".json")] for f in resources.json_files(resources.shipped("fixtures"))]


def load_file(path: Any) -> dict[str, Any]:
    """A fixture file: a path, or a Traversable from the package."""
    if isinstance(path, str):
        path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadRequest(f"fixture file {path}: cannot be read ({exc.strerror or exc}).") from None
    except ValueError as exc:
        raise BadRequest(f"fixture file {path}: not valid JSON ({exc}).") from None
    bad_text = invalid_text(data, path.name)
    if bad_text is not None:
        raise BadRequest(f"fixture file {bad_text}: {NOT_TEXT}.")
    return check_envelope(data, vendors=KNOWN_VENDORS, where=path.name)


def by_name(name: str, setting: str | None) -> dict[str, Any]:
    if not NAME_RE.match(name):
        raise BadRequest(f"fixture: '{name}' is not a fixture name (letters, digits, '.', '_', '-').")
    stem = name[:-5] if name.endswith(".json") else name
    for directory in search_path(setting):
        file = directory / f"{stem}.json"
        if file.is_file():
            return load_file(file)
    known = ", ".join(f["name"] for f in available(setting)) or "none"
    raise BadRequest(f"fixture: no fixture named '{stem}' (available: {known}).")


def at_start(setting: str) -> dict[str, Any] | None:
    """``--fixtures``: a file or a known fixture's name gives the default tenant's fixture; a directory only
    adds to the places names are looked up in (None). Anything else stops the start with a clear error."""
    where = "--fixtures (LMS_EMULATOR_FIXTURES)"
    given = Path(setting)
    try:
        if given.is_file():
            return load_file(given)
        if given.is_dir():
            return None
        if NAME_RE.match(setting) and "/" not in setting:
            return by_name(setting, None)
    except BadRequest as exc:
        raise SettingsError(f"{where}: {exc.message}") from None
    known = ", ".join(f["name"] for f in available(None)) or "none"
    raise SettingsError(f"{where}: {setting!r} is not a fixture file, a directory or a fixture name "
                        f"(known names: {known})")


def build_at_start(call: Any) -> Any:
    """Build the default tenant from the start-up fixture; a vendor refusing its part stops the start."""
    try:
        return call()
    except EmulatorError as exc:
        raise SettingsError(f"--fixtures (LMS_EMULATOR_FIXTURES): {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - a vendor builder choking on a fixture part
        raise SettingsError(f"--fixtures (LMS_EMULATOR_FIXTURES): the fixture could not be applied: "
                            f"{type(exc).__name__}: {exc}") from None


def resolve(value: Any, setting: str | None, vendors: Iterable[str]) -> dict[str, Any] | None:
    """``fixture`` of an admin body: a name from the fixture directories, an inline object, or null."""
    if value is None:
        return None
    if isinstance(value, str):
        return by_name(value, setting)
    if isinstance(value, dict):
        return check_envelope(value, vendors=vendors, where="fixture")
    raise BadRequest("fixture: must be a fixture name or a fixture object.")


def check_envelope(data: Any, *, vendors: Iterable[str], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadRequest(f"{where}: a fixture must be a JSON object.")
    allowed = ENVELOPE | {"stubs"} | set(KNOWN_VENDORS) | set(vendors)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise BadRequest(f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; "
                         f"a fixture holds {', '.join(sorted(allowed))}.")
    for key in ENVELOPE:
        if key in data and not isinstance(data[key], str):
            raise BadRequest(f"{where}.{key}: must be a string.")
    if "anchor" in data:
        try:
            instant = parse_iso_datetime(data["anchor"])
        except ValueError:
            raise BadRequest(f"{where}.anchor: '{data['anchor']}' is not an ISO 8601 date-time.") from None
        try:
            check_anchor(instant)
        except ValueError as exc:
            raise BadRequest(f"{where}.anchor: {exc}.") from None
    if "stubs" in data:  # answers for calls the emulator does not emulate (core.stubs)
        check_fixture_stubs(data["stubs"], set(KNOWN_VENDORS) | set(vendors), where)
    for key in set(data) - ENVELOPE - {"stubs"}:
        if not isinstance(data[key], dict):
            raise BadRequest(f"{key}: the {key} part of a fixture must be an object.")
    return data
