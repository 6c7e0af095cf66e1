"""The package's version, in a module of its own: what reads it (the CLI, the start-up line, HAR files) imports
nothing else of the package through it (``emulator/__init__`` would bring the app)."""
from __future__ import annotations

__version__ = "0.1.0"
