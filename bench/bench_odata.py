"""Benchmark of _filter / _sort / paging over 100,000 enrollment-like objects.

Run: ``python bench/bench_odata.py`` from the project root. Prints figures; asserts nothing.
"""
from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.core import odata  # noqa: E402
from emulator.core.odata import Field, Resource, compile_filter, filter_items, sort  # noqa: E402
from emulator.core.paging import query_list  # noqa: E402

N = 100_000
RUNS = 7
UTC = timezone.utc


@dataclass(slots=True)
class Enrollment:
    id: str
    user_id: str
    course_id: str
    course_name: str
    full_name: str
    status: int
    progress: float
    score: float | None
    date_added: datetime
    date_edited: datetime
    date_completed: datetime | None
    is_active: bool


ENROLLMENT = Resource(
    "enrollment",
    [
        Field("id", "guid", "id"),
        Field("userId", "guid", "user_id"),
        Field("courseId", "guid", "course_id"),
        Field("courseName", "string", "course_name"),
        Field("fullName", "string", "full_name"),
        Field("status", "int", "status"),
        Field("progress", "decimal", "progress"),
        Field("score", "decimal", "score"),
        Field("dateAdded", "datetime", "date_added"),
        Field("dateEdited", "datetime", "date_edited"),
        Field("dateCompleted", "datetime", "date_completed"),
        Field("isActive", "bool", "is_active"),
    ],
)

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Margaret", "Linus", "Guido", "Anita", "Radia"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Thompson", "Hamilton", "Torvalds", "Rossum"]
PREFIX = ["Intro to", "Advanced", "Applied", "Fundamentals of", "Mastering", "Practical"]
TOPIC = ["Safety", "Compliance", "Python", "Leadership", "Finance", "Ethics", "Excel", "Negotiation", "Privacy"]


def build(n: int = N) -> list[Enrollment]:
    rng = Random(42)

    def guid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    courses = [(guid(), f"{rng.choice(PREFIX)} {rng.choice(TOPIC)} {i}") for i in range(300)]
    users = [(guid(), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(5000)]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = []
    for _ in range(n):
        course_id, course_name = rng.choice(courses)
        user_id, full_name = rng.choice(users)
        status = rng.randrange(13)
        added = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
        edited = added + timedelta(seconds=rng.randrange(400 * 86400))
        items.append(Enrollment(
            id=guid(), user_id=user_id, course_id=course_id, course_name=course_name, full_name=full_name,
            status=status, progress=round(rng.uniform(0, 100), 2),
            score=None if rng.random() < 0.3 else round(rng.uniform(0, 100), 1),
            date_added=added, date_edited=edited, date_completed=edited if status == 2 else None,
            is_active=rng.random() < 0.9,
        ))
    return items


def timed(fn: Callable[[], Any], runs: int = RUNS, inner: int = 1) -> tuple[float, float]:
    """(best, median) in milliseconds per call of ``fn``."""
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) * 1000 / inner)
    return min(samples), statistics.median(samples)


FILTER = "status eq 3 and startswith(courseName,'Intro') or dateEdited ge datetime'2024-01-01T00:00:00Z'"
SORT = "-dateEdited,fullName"


def main() -> None:
    t0 = time.perf_counter()
    items = build()
    print(f"built {len(items):,} objects in {(time.perf_counter() - t0):.2f} s; python {sys.version.split()[0]}")
    odata._parser()  # the one-off LALR build is not part of a query

    fresh = iter(range(10**9))
    rows: list[tuple[str, float, float, str]] = []

    best, med = timed(lambda: compile_filter(ENROLLMENT, FILTER.replace("eq 3", f"eq {next(fresh) + 100}")))
    rows.append(("(a) compile a new filter (parse + codegen)", best, med, ""))
    best, med = timed(lambda: odata.parse(FILTER.replace("eq 3", f"eq {next(fresh) + 100}")))
    rows.append(("    of which lark parse", best, med, ""))
    compile_filter(ENROLLMENT, FILTER)
    best, med = timed(lambda: compile_filter(ENROLLMENT, FILTER), inner=10_000)
    rows.append(("(b) cached compile", best, med, f"{best * 1000:.2f} µs"))

    predicate = compile_filter(ENROLLMENT, FILTER)
    matched = predicate.select(items)
    best, med = timed(lambda: filter_items(ENROLLMENT, FILTER, items))
    rows.append(("(c) filter 100k (generated list comprehension)", best, med, f"{len(matched):,} match"))
    best, med = timed(lambda: list(filter(predicate, items)))
    rows.append(("    same, list(filter(predicate, items))", best, med, ""))

    best, med = timed(lambda: sort(filter_items(ENROLLMENT, FILTER, items), ENROLLMENT, SORT))
    rows.append(("(d) filter + _sort=" + SORT, best, med, ""))
    best, med = timed(lambda: sort(matched, ENROLLMENT, SORT))
    rows.append(("    of which sort", best, med, ""))
    best, med = timed(lambda: sort(filter_items(ENROLLMENT, FILTER, items), ENROLLMENT, SORT, top=80))
    rows.append(("    filter + sort, first 80 only (top=80)", best, med, ""))
    best, med = timed(lambda: sort(items, ENROLLMENT, None))
    rows.append(("    default sort (by id) of all 100k", best, med, ""))

    args = {"_filter": FILTER, "_sort": SORT, "_limit": "20", "_offset": "3"}
    dump = lambda e: {"id": e.id, "fullName": e.full_name, "status": e.status}  # noqa: E731
    result = query_list(items, ENROLLMENT, args, dump=dump)
    best, med = timed(lambda: query_list(items, ENROLLMENT, args, dump=dump))
    rows.append(("(e) query_list, page of 20", best, med, f"totalItems {result['totalItems']:,}"))
    no_filter = {"_limit": "20"}
    best, med = timed(lambda: query_list(items, ENROLLMENT, no_filter, dump=dump))
    rows.append(("    query_list, no filter/sort, page of 20", best, med, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'best ms':>9}  {'median ms':>9}")
    for name, best, med, note in rows:
        print(f"{name:<{width}}  {best:>9.3f}  {med:>9.3f}  {note}")


if __name__ == "__main__":
    main()
