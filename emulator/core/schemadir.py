"""Where the JSON Schemas live (``schemas/<vendor>/<name>.json``): read by ``core.contract`` and, without
jsonschema, by ``core.casefold``."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "LMS_EMULATOR_SCHEMAS"


def root() -> Path:
    """The schema directory: ``$LMS_EMULATOR_SCHEMAS`` or ``<repo>/schemas``."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).resolve()
    in_checkout = Path(__file__).resolve().parents[2] / "schemas"
    if in_checkout.is_dir():
        return in_checkout
    # a regular (non-editable) install carries them as data files
    return Path(sys.prefix) / "share" / "lms-emulator" / "schemas"
