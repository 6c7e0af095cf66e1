"""The app's state, typed: what ``create_app`` builds once and request code reads.

Flask keeps extension state in ``app.extensions``; the emulator keeps one :class:`AppState` there, under
one key, and reads it only through :func:`app_state` (or the app's ``state`` property).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from ..config import Settings
    from .outbound import Outbox
    from .persistence import StateFile
    from .store import Store
    from .vendor import Vendor

EXTENSION = "lms_emulator"


@dataclass
class AppState:
    settings: Settings
    store: Store
    vendors: dict[str, Vendor]  # by name, which is also the first segment of the vendor's paths
    state_file: StateFile | None = None  # ``--state-file``: the state is saved there after each write
    outbox: Outbox | None = None  # the webhook sender (core.outbound); its thread starts on the first delivery


def app_state(app: Flask | None = None) -> AppState:
    """The state of ``app``, or of the app handling the current request."""
    return (current_app if app is None else app).extensions[EXTENSION]


def current_store() -> Store:
    """The app's Store, for vendor code running in a request."""
    return current_app.extensions[EXTENSION].store
