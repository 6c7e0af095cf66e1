"""Where derived files that make start-up and first calls cheap are kept (in core: the OData parser and Faker's
word lists read it, and core imports nothing above itself; ``emulator.config`` re-exports it)."""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "LMS_EMULATOR_CACHE"


def cache_dir() -> Path:
    """Where derived files that make start-up and first calls cheap are kept (Faker's word lists, the
    OData parser tables): ``LMS_EMULATOR_CACHE``, else ``~/.cache/lms-emulator``. Owned by the user, unlike
    the shared temporary directory: one of these files is a pickle."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "lms-emulator")
