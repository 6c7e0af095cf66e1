"""``docs/COVERAGE.md``: each vendor's documented operations, served or not, generated (``make coverage``).

The documented operations are data kept in the repository, ``docs/operations/<vendor>.txt`` (written from the
vendor's own material; each file says which). Each operation is routed through the app's own URL map, the one
that serves requests (a path parameter is given a GUID, which every converter takes; Absorb's paths are
matched case-insensitively, as served): where a route answers that method, the operation is served, and the
page links the route's code. Routes the emulator serves that no list names are listed too, so a gap in the data
shows. ``python -m emulator.coverage --check`` exits 1 when the file is not what the code generates
(``tests/test_coverage.py`` runs that check in CI).

Links name the route's file and function, not its line, so an edit elsewhere in the file leaves the page as is.
"""
from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from .app import create_app

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations"
PAGE = ROOT / "docs" / "COVERAGE.md"
VENDOR_ORDER = ("absorb", "ispring", "pearson")
PARAMETER = re.compile(r"\{[^}/]+\}")
SAMPLE_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"  # fits every converter the routes use (guid, string)
COMMAND = "make coverage"
ADMIN_ENDPOINTS = ("openapi_document", "index")  # the app's own routes, not a vendor's


class OperationsError(ValueError):
    """A line of an operations file that is not 'METHOD /path  summary' (the message names file and line)."""


@dataclass(frozen=True, slots=True)
class Operation:
    vendor: str
    group: str
    method: str
    path: str
    summary: str


@dataclass(frozen=True, slots=True)
class Coverage:
    operation: Operation
    endpoint: str  # "" when not served
    link: str  # "[`view`](../emulator/absorb/http/routes.py)" or ""


def read_operations(vendor: str, folder: Path = OPERATIONS) -> list[Operation]:
    file = folder / f"{vendor}.txt"
    group = ""
    found: list[Operation] = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or (text.startswith("#") and not text.startswith("## ")):
            continue
        if text.startswith("## "):
            group = text[3:].strip()
            continue
        method, _, rest = text.partition(" ")
        path, _, summary = rest.strip().partition("  ")
        if method not in ("GET", "POST", "PUT", "PATCH", "DELETE") or not path.startswith("/") or not group:
            raise OperationsError(f"{file.name}:{number}: not '## Group' or 'METHOD /path  summary': {line!r}")
        found.append(Operation(vendor, group, method, path.strip(), summary.strip()))
    return found


def _link(view: Callable[..., Any]) -> str:
    function = inspect.unwrap(view)
    source = inspect.getsourcefile(function)
    if source is None:
        return f"`{function.__name__}`"
    try:
        relative = Path(source).resolve().relative_to(ROOT)
    except ValueError:
        return f"`{function.__name__}`"
    return f"[`{function.__name__}`](../{relative.as_posix()})"


class Router:
    """The app's URL map, asked the way a request is routed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.urls: MapAdapter = app.url_map.bind("localhost")
        self.vendors = app.state.vendors  # type: ignore[attr-defined]

    def endpoint(self, vendor: str, method: str, path: str) -> str:
        known = self.vendors[vendor]
        full = known.prefix + PARAMETER.sub(SAMPLE_ID, path)
        if known.case_insensitive:
            full = known.prefix + full[len(known.prefix):].lower()
        try:
            endpoint, _ = self.urls.match(full, method)
        except HTTPException:
            return ""
        return "" if endpoint in ADMIN_ENDPOINTS else str(endpoint)

    def cover(self, op: Operation) -> Coverage:
        endpoint = self.endpoint(op.vendor, op.method, op.path)
        view = self.app.view_functions.get(endpoint) if endpoint else None
        return Coverage(op, endpoint, _link(view) if view is not None else "")

    def unlisted(self, vendor: str, listed: set[str]) -> list[tuple[str, str, str]]:
        """(method, rule, link) of the vendor's routes no listed operation reached."""
        prefix = self.vendors[vendor].prefix + "/"
        rows = []
        for rule in self.app.url_map.iter_rules():
            if not rule.rule.startswith(prefix) or rule.endpoint in listed or rule.endpoint in ADMIN_ENDPOINTS:
                continue
            view = self.app.view_functions[rule.endpoint]
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                rows.append((method, rule.rule[len(prefix) - 1:], _link(view)))
        return sorted(set(rows), key=lambda r: (r[1], r[0]))


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(app: Flask, folder: Path = OPERATIONS) -> str:
    router = Router(app)
    vendors = [v for v in VENDOR_ORDER if (folder / f"{v}.txt").exists() and v in router.vendors]
    covered = {v: [router.cover(op) for op in read_operations(v, folder)] for v in vendors}
    lines = [
        "# Coverage: the vendors' documented operations, served or not",
        "",
        f"Generated by `{COMMAND}` (`emulator/coverage.py`) from each vendor's list of documented operations "
        "(`docs/operations/<vendor>.txt`, written from the vendor's own material) against the routes the emulator "
        "serves. Do not edit it by hand: change the list or the routes, then run "
        f"`{COMMAND}`; `make test` fails while this page is stale. For a call not served here, add a stub or "
        "forward it to the real service (README, \"Check the emulator against your tenant\").",
        "",
        "| vendor | documented operations | served | not served |",
        "|---|---:|---:|---:|",
    ]
    for vendor in vendors:
        rows = covered[vendor]
        served = sum(1 for c in rows if c.endpoint)
        lines.append(f"| [{router.vendors[vendor].title}](#{vendor}) | {len(rows)} | {served} "
                     f"({_percent(served, len(rows))}) | {len(rows) - served} |")
    for vendor in vendors:
        rows = covered[vendor]
        groups: dict[str, list[Coverage]] = {}
        for c in rows:
            groups.setdefault(c.operation.group, []).append(c)
        lines += ["", f"<a id=\"{vendor}\"></a>", f"## {router.vendors[vendor].title} (`/{vendor}`)", "",
                  "| resource group | documented | served |", "|---|---:|---:|"]
        for group, items in groups.items():
            served = sum(1 for c in items if c.endpoint)
            lines.append(f"| {_cell(group)} | {len(items)} | {served} |")
        for group, items in groups.items():
            lines += ["", f"### {router.vendors[vendor].title}: {_cell(group)}", "",
                      "| operation | summary | served by |", "|---|---|---|"]
            for c in items:
                lines.append(f"| `{c.operation.method} {c.operation.path}` | {_cell(c.operation.summary)} | "
                             f"{c.link if c.endpoint else 'not served'} |")
        extra = router.unlisted(vendor, {c.endpoint for c in rows if c.endpoint})
        if extra:
            lines += ["", f"### {router.vendors[vendor].title}: served, but in no list above", "",
                      "Routes the emulator serves that the vendor's list does not name (an alias, a path clients "
                      "use, or an operation the list is missing).", "", "| route | served by |", "|---|---|"]
            lines += [f"| `{method} {rule}` | {link} |" for method, rule, link in extra]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.coverage", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {PAGE.name} is stale (do not write it)")
    args = parser.parse_args(argv)
    text = render(create_app({"default_tenant": False}))
    if args.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"docs/COVERAGE.md is stale: run `{COMMAND}` and commit the file.", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
