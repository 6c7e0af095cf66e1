"""Issue 26's vendor layout: old flat vendor modules -> layered packages (http/ wire/ domain/ seed/).

``python tools/relayout_imports.py --move`` moves (``git mv``) each old module that still exists to its new path;
``python tools/relayout_imports.py [paths...]`` rewrites imports of the old module paths to the new ones in every
``.py`` file under emulator/, tests/, bench/ and tools/ (or the paths given): ``emulator.absorb.routes`` and
``from .routes import`` (in a module that was moved: relative imports are read against the module's old place)
become absolute imports of the new paths; dotted strings (``"emulator.absorb.routes.x"``, monkeypatch targets)
and file paths (``emulator/absorb/routes.py``) follow. Idempotent: run it again after a merge brings code written
against the old layout.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MOVES: dict[str, dict[str, str]] = {
    "absorb": {
        "attempts": "domain.attempts", "auth": "http.auth", "bodies": "wire.bodies", "catalogue": "domain.catalogue",
        "catalogue_routes": "http.catalogue", "catalogue_schemas": "wire.catalogue",
        "certificate_routes": "http.certificates", "certificates": "domain.certificates",
        "choices": "domain.choices", "curricula": "domain.curricula", "enrollment_routes": "http.enrollments",
        "enrollments": "domain.enrollments", "fixture_plan": "seed.fixture_plan", "fixtures": "seed.fixtures",
        "learner_routes": "http.learner", "lessons": "domain.lessons", "lookup_routes": "http.lookups",
        "lookups": "domain.lookups", "managers": "domain.managers", "models": "domain.models",
        "oauth": "domain.oauth", "oauth_routes": "http.oauth", "reference": "domain.reference",
        "resource_routes": "http.resources", "rollup": "domain.rollup", "routes": "http.routes",
        "schemas": "wire.schemas", "seed": "seed.world", "service": "domain.service", "sessions": "domain.sessions",
        "users": "domain.users",
        # issue 29 (i29a, i29b): modules that land after the move
        "attendance": "domain.attendance", "course_facts": "domain.course_facts",
        "learner_records": "domain.learner_records", "learning_state": "domain.learning_state",
        "learning_fixtures": "seed.learning_fixtures", "learning_routes": "http.learning",
        "learning_schemas": "wire.learning", "availability": "domain.availability", "commerce": "domain.commerce",
        "definitions": "domain.definitions", "departments": "domain.departments",
        "offering_routes": "http.offerings", "offering_schemas": "wire.offerings",
        # issue 29's last operations (i29c)
        "last_routes": "http.last", "last_rules": "domain.last", "last_schemas": "wire.last",
    },
    "ispring": {
        "access": "domain.access", "auth": "http.auth", "bodies": "wire.bodies", "content": "domain.content",
        "departments": "domain.departments", "enrollments": "domain.enrollments",
        "gamification": "domain.gamification", "groups": "domain.groups",
        "learning_fixture": "wire.learning_fixture", "learning_schemas": "wire.learning", "models": "domain.models",
        "queries": "http.queries", "results": "domain.results", "routes": "http.routes",
        "routes_content": "http.content", "routes_departments": "http.departments",
        "routes_enrollments": "http.enrollments", "routes_gamification": "http.gamification",
        "routes_groups": "http.groups", "routes_results": "http.results", "routes_training": "http.training",
        "routes_users": "http.users", "routes_webhooks": "http.webhooks", "schemas": "wire.schemas",
        "seed": "seed.world", "seed_learning": "seed.learning", "service": "domain.service",
        "training": "domain.training", "users": "domain.users", "webhooks": "domain.webhooks",
        "wire": "http.request",
        "fixture_plan": "seed.fixture_plan",  # issue 30 (i30)
    },
    "pearson": {
        "access": "domain.access", "auth": "http.auth", "booking_routes": "http.bookings",
        "bookings": "domain.bookings", "choices": "domain.choices", "classes": "domain.classes",
        "models": "domain.models", "people": "domain.people", "routes": "http.routes", "schedule": "seed.schedule",
        "schemas": "wire.schemas", "seed": "seed.world", "service": "domain.service", "tokens": "domain.tokens",
        "wire": "wire.bookings",
        # issue 30 (i30)
        "fixture_plan": "seed.fixture_plan", "profiles": "domain.profiles", "profile_routes": "http.profiles",
        "public_routes": "http.public",
    },
}
# Names that left a moved module for another (a split): (vendor, old module, name) -> new module.
SPLITS: dict[tuple[str, str, str], str] = {
    **{("absorb", "lookup_routes", name): "emulator.absorb.wire.lookups" for name in (
        "MAX_GROUP_USER_IDS", "EMPTY_GUID", "GroupSchema", "RoleSchema", "CountrySchema", "ProvinceSchema", "GROUP",
        "ROLE", "COUNTRY", "PROVINCE", "GROUPS", "ROLES", "COUNTRIES", "PROVINCES", "dump_group")},
    **{("absorb", "auth", name): "emulator.absorb.domain.tokens" for name in (
        "TOKEN_LIFETIME", "issue_token", "prune_tokens", "authenticate")},
    **{("pearson", "auth", name): "emulator.pearson.domain.signing" for name in (
        "HEADER", "issue_token", "sign_claims", "authenticate", "read_claims", "signature_verifies")},
    **{("pearson", "access", name): "emulator.pearson.http.auth" for name in (
        "user_call", "territory_call", "public_call")},
}

OLD_TO_NEW = {f"emulator.{v}.{old}": f"emulator.{v}.{new}" for v, table in MOVES.items() for old, new in table.items()}
NEW_TO_OLD = {new: old for old, new in OLD_TO_NEW.items()}
LAYERS = ("http", "wire", "domain", "seed")


def move() -> None:
    for vendor, table in MOVES.items():
        base = ROOT / "emulator" / vendor
        for layer in LAYERS:
            pkg = base / layer
            if not pkg.exists():
                pkg.mkdir()
        for old, new in table.items():
            src = base / f"{old}.py"
            dst = base / (new.replace(".", "/") + ".py")
            if src.exists() and not dst.exists():
                subprocess.run(["git", "mv", str(src), str(dst)], check=True, cwd=ROOT)


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def new_name(module: str) -> str:
    """The new dotted path of a module or of a name inside one (the longest old prefix wins).

    Old ``seed`` and ``wire`` modules share their names with new layer packages: ``emulator.absorb.seed.world``
    is new (left alone), ``emulator.absorb.seed.build_world`` is old (a name of the old module).
    """
    parts = module.split(".")
    for cut in range(len(parts), 2, -1):
        head = ".".join(parts[:cut])
        if head in OLD_TO_NEW:
            if parts[cut - 1] in LAYERS and cut < len(parts) and _is_new_module(".".join(parts[:cut + 1])):
                return module
            split = SPLITS.get((parts[1], parts[2], parts[cut])) if cut == 3 and cut < len(parts) else None
            return ".".join([split or OLD_TO_NEW[head], *parts[cut:]])
    return module


def _is_new_module(dotted: str) -> bool:
    path = ROOT / Path(*dotted.split("."))
    return dotted in NEW_TO_OLD or path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _absolute(module: str | None, level: int, here: str, is_package: bool) -> str:
    base = here.split(".") if is_package else here.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _is_module(dotted: str) -> bool:
    path = ROOT / Path(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists() or dotted in OLD_TO_NEW


def _from_line(indent: str, pkg: str, names: list[str], tail: str) -> str:
    """``from pkg import names``, wrapped in parentheses past 120 characters (a trailing comment stays)."""
    line = f"{indent}from {pkg} import {', '.join(names)}"
    if len(line + tail.rstrip("\n")) <= 120:
        return line + tail
    comment = tail.rstrip("\n")
    out, current = [f"{indent}from {pkg} import ({comment}".rstrip() + "\n"], f"{indent}    "
    for name in names:
        if len(current) + len(name) + 2 > 118 and current.strip():
            out.append(current.rstrip() + "\n")
            current = f"{indent}    "
        current += f"{name}, "
    out.append(current.rstrip() + "\n")
    out.append(f"{indent})\n")
    return "".join(out)


def _place(lines: list[str], node: ast.Import | ast.ImportFrom) -> tuple[str, int, str]:
    """The statement's indentation, last line and what follows it on that line (a comment, the newline)."""
    end = node.end_lineno or node.lineno
    indent = lines[node.lineno - 1][: len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())]
    return indent, end, lines[end - 1][node.end_col_offset or 0:]


def rewrite_imports(path: Path) -> bool:
    text = path.read_text()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    lines = text.splitlines(keepends=True)
    here = module_of(path) if path.is_relative_to(ROOT / "emulator") else ""
    old_here = NEW_TO_OLD.get(here, here)
    is_package = path.name == "__init__.py"
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if not here:
                    continue
                source = _absolute(node.module, node.level, old_here, is_package)
            else:
                source = node.module or ""
            if not source.startswith("emulator"):
                continue
            groups: dict[str, list[str]] = {}
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if _is_module(full) and full in OLD_TO_NEW or (full in NEW_TO_OLD):
                    target = new_name(full)
                    pkg, _, name = target.rpartition(".")
                    asname = alias.asname or (alias.name if name != alias.name else None)
                else:
                    old_source = NEW_TO_OLD.get(source, source)
                    vendor_module = old_source.split(".")[1:3] if old_source.count(".") == 2 else []
                    split = SPLITS.get((vendor_module[0], vendor_module[1], alias.name)) if vendor_module else None
                    pkg = split or new_name(source)
                    name, asname = alias.name, alias.asname
                groups.setdefault(pkg, []).append(f"{name} as {asname}" if asname and asname != name else name)
            moved = here in NEW_TO_OLD
            if list(groups) == [source] and (node.level == 0 or not moved):
                continue
            indent, end, tail = _place(lines, node)
            new = [_from_line(indent, pkg, names, tail if i == len(groups) - 1 else "\n")
                   for i, (pkg, names) in enumerate(groups.items())]
            edits.append((node.lineno, end, "".join(new)))
        elif isinstance(node, ast.Import):
            if not any(new_name(a.name) != a.name for a in node.names):
                continue
            indent, end, tail = _place(lines, node)
            modules = [new_name(a.name) + (f" as {a.asname}" if a.asname else "") for a in node.names]
            edits.append((node.lineno, end, f"{indent}import {', '.join(modules)}{tail}"))
    for start, stop, statement in sorted(edits, reverse=True):
        lines[start - 1:stop] = [statement]
    out = "".join(lines)
    out = rewrite_strings(out)
    if out != text:
        path.write_text(out)
        return True
    return False


_DOTTED = re.compile(r"\bemulator\.(absorb|ispring|pearson)(\.[A-Za-z_][A-Za-z_0-9]*)+")
_SHORT = re.compile(r"(?<![\w./])(absorb|ispring|pearson)((?:\.[A-Za-z_][A-Za-z_0-9]*)+)")  # docs: `absorb.auth`
_PATH = re.compile(r"\bemulator/(absorb|ispring|pearson)/([a-z_]+)\.py\b")


def rewrite_strings(text: str) -> str:
    def dotted(m: re.Match[str]) -> str:
        after = re.match(r" import \(?\s*([A-Za-z_]\w*)", m.string[m.end():])
        if after and _is_new_module(f"{m.group(0)}.{after.group(1)}"):  # ``from <new package> import <module>``
            return m.group(0)
        return new_name(m.group(0))

    def path(m: re.Match[str]) -> str:
        new = OLD_TO_NEW.get(f"emulator.{m.group(1)}.{m.group(2)}")
        return new.replace(".", "/") + ".py" if new else m.group(0)

    return _PATH.sub(path, _DOTTED.sub(dotted, text))


def rewrite_docs(text: str) -> str:
    """Docs name modules without the package: `absorb.auth.WIRE_RULES` -> `absorb.http.auth.WIRE_RULES`."""
    def short(m: re.Match[str]) -> str:
        return new_name(f"emulator.{m.group(0)}")[len("emulator."):]

    return _SHORT.sub(short, rewrite_strings(text))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--move"]:
        move()
        argv = argv[1:]
    roots = [Path(a).resolve() for a in argv] or [ROOT / d for d in ("emulator", "tests", "bench", "tools")]
    files = [f for r in roots for f in ([r] if r.is_file() else sorted(r.rglob("*.py")))]
    for f in files:
        if f.resolve() == Path(__file__).resolve():
            continue
        if rewrite_imports(f):
            print("rewrote", f.relative_to(ROOT))
    for extra in ("setup.cfg", "README.md", "docs/DESIGN.md", "docs/VENDOR-NOTES.md", "docs/PERFORMANCE.md",
                  "docs/FIXTURES.md"):
        p = ROOT / extra
        if p.exists() and not argv:
            t = p.read_text()
            n = rewrite_docs(t) if extra.endswith(".md") else rewrite_strings(t)
            if n != t:
                p.write_text(n)
                print("rewrote", extra)


if __name__ == "__main__":
    main(sys.argv[1:])
