"""lms-emulator: an offline emulator of three learning-platform REST APIs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

from .version import __version__


def create_app(settings: Any = None) -> Flask:
    """The WSGI app (``gunicorn 'emulator:create_app()'``)."""
    from .app import create_app as _create_app  # here: importing the package (its version) must not build Flask

    return _create_app(settings)


__all__ = ["create_app", "__version__"]
