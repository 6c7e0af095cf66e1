"""Where the JSON Schemas live (``schemas/<vendor>/<name>.json``): ``$LMS_EMULATOR_SCHEMAS``, else the package's own
``schemas/`` (read through importlib.resources, see ``core.resources``, so every install layout finds them)."""
from __future__ import annotations

from typing import Any

from . import resources
from .env import switches


def root() -> Any:
    """The schema directory: a ``Path`` (a real directory for every installed-on-disk layout) or a Traversable."""
    return switches().schemas or resources.shipped("schemas")
