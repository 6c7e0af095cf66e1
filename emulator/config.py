"""Settings from arguments and ``LMS_EMULATOR_*`` environment variables.

Arguments win over the environment, which wins over the defaults here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "LMS_EMULATOR_"


def cache_dir() -> Path:
    """Where derived files that make start-up and first calls cheap are kept (Faker's word lists, the
    OData parser tables): ``LMS_EMULATOR_CACHE``, else ``~/.cache/lms-emulator``. Owned by the user, unlike
    the shared temporary directory: one of these files is a pickle."""
    return Path(os.environ.get(ENV_PREFIX + "CACHE") or Path.home() / ".cache" / "lms-emulator")


@dataclass
class Settings:
    host: str = "127.0.0.1"  # secure by default: loopback only unless told otherwise
    port: int = 8080
    seed: int = 42
    admin_token: str | None = None
    state_file: str | None = None
    fixtures: str | None = None
    strict: bool = False
    cors_origins: str = "*"
    journal_size: int = 1000
    default_tenant: bool = True
    rate_limit: str = ""  # comma-separated vendors whose documented rate limit every tenant gets ("absorb")

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> "Settings":
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.type, raw)
        for key, value in (overrides or {}).items():
            if value is not None:
                values[key] = value
        return cls(**values)


def _coerce(kind: Any, raw: str) -> Any:
    kind = str(kind)
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw
