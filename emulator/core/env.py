"""The process's environment, read in one place: every ``LMS_EMULATOR_*`` variable the package reads comes
through here (``grep -rn os.environ emulator`` finds the reads in this module only).

Two kinds of reader:

- ``variable(name)``, for ``emulator.config.Settings``: the app's settings, each also a command-line option
  that wins over it, read whenever settings are loaded (``Settings.load``) and checked there;
- ``switches()``: the three switches core needs beneath or before any app (``Switches``), read and checked
  once per process. Core cannot import ``emulator.config`` (it sits above core: a cycle), so they live here,
  below everything that reads them. ``Settings.load`` reads them too, so a bad value stops ``serve`` at start
  with one line, as a bad setting does, instead of failing the first request that needs it.

A test that changes one of the switches clears the reading (``switches.cache_clear()``, see
``tests/conftest.py``'s ``switch`` fixture).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ENV_PREFIX = "LMS_EMULATOR_"
CACHE_ENV = ENV_PREFIX + "CACHE"
SCHEMAS_ENV = ENV_PREFIX + "SCHEMAS"
VERIFY_ENV = ENV_PREFIX + "VERIFY_PAGES"


class SettingsError(ValueError):
    """A bad option or environment value; the message names where it came from."""


def variable(name: str) -> str | None:
    """``LMS_EMULATOR_<NAME>`` as set now; None when unset."""
    return os.environ.get(ENV_PREFIX + name.upper())


def boolean(value: Any) -> bool:
    """1/0, true/false, yes/no, on/off (any case); empty is off."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not a boolean (1/0, true/false, yes/no, on/off)")


def whole_number(value: Any, what: str) -> int:
    """An integer, or the text of one (white space around it allowed); a boolean is not one. ``ValueError``
    naming ``what`` (the setting's or field's accepted values) otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not {what}")
    try:
        return value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise ValueError(f"{str(value)!r} is not {what}") from None


@dataclass(frozen=True)
class Switches:
    """What core reads from the environment."""

    cache: Path  # LMS_EMULATOR_CACHE: derived files that make start-up and first calls cheap (Faker's word
    # lists, the OData parser tables, --tls's authority); default ~/.cache/lms-emulator, owned by the user
    # unlike the shared temporary directory (one of these files is a pickle)
    schemas: Path | None  # LMS_EMULATOR_SCHEMAS: a directory of contract schemas to use instead of the
    # package's own (core.schemadir); None: the shipped ones
    verify_pages: bool  # LMS_EMULATOR_VERIFY_PAGES=1: no cached page or wire form is trusted, each hit is
    # recomputed and compared (core.pagecache; on for the whole test suite)

    @classmethod
    def read(cls) -> Switches:
        """The switches as the environment sets them now; ``SettingsError`` naming a bad one."""
        cache_dir = variable("cache")
        schemas = variable("schemas")
        if schemas and not Path(schemas).is_dir():
            raise SettingsError(f"{SCHEMAS_ENV}: {schemas!r} is not a directory")
        try:
            verify_pages = boolean(variable("verify_pages") or "")
        except ValueError as exc:
            raise SettingsError(f"{VERIFY_ENV}: {exc}") from None
        return cls(cache=Path(cache_dir) if cache_dir else Path.home() / ".cache" / "lms-emulator",
                   schemas=Path(schemas).resolve() if schemas else None, verify_pages=verify_pages)


@cache
def switches() -> Switches:
    """The process's switches, read on first use."""
    return Switches.read()
