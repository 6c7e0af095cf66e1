"""The files shipped inside the package: ``schemas/``, ``fixtures/`` and ``static/dashboard/``.

Read through ``importlib.resources``, so a checkout, an editable install, a wheel installed into any
prefix (and a zipped one) all find them the same way. In the repository ``emulator/schemas`` and
``emulator/fixtures`` are symlinks to the top-level directories, which stay the source of truth; a built
wheel carries the files themselves (see ``package_data`` in setup.cfg).
"""
from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; importlib.abc.Traversable on 3.10
    from importlib.resources.abc import Traversable


def shipped(*parts: str) -> Traversable:
    """``emulator/<parts...>`` as a Traversable (a real ``Path`` for any installed-on-disk layout)."""
    node = files("emulator")
    for part in parts:
        node = node / part
    return node


def json_files(directory: Traversable) -> Iterator[Traversable]:
    """The ``*.json`` files directly in ``directory``, by name (none when it is not a directory)."""
    if not directory.is_dir():
        return iter(())
    return iter(sorted((f for f in directory.iterdir() if f.name.endswith(".json") and f.is_file()),
                       key=lambda f: f.name))
