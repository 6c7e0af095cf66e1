"""Where the JSON Schemas live (``schemas/<vendor>/<name>.json``): ``$LMS_EMULATOR_SCHEMAS``, else the package's own
``schemas/`` (read through importlib.resources, see ``core.resources``, so every install layout finds them)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import resources

ENV_VAR = "LMS_EMULATOR_SCHEMAS"


def root() -> Any:
    """The schema directory: a ``Path`` (a real directory for every installed-on-disk layout) or a Traversable."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).resolve()
    return resources.shipped("schemas")
