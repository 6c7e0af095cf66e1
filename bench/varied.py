"""Cache-defeating workloads for ``bench/run.py``: what a test suite costs when the page cache cannot help.

* **varied reads**: ``GET /absorb/users/<learner>/enrollments`` over ``LEARNERS`` learners (each enrolled in
  every course they can enter first), with ``_filter``, ``_sort``, ``_limit`` and ``_offset`` drawn from the
  lists below: ``PATHS`` distinct pages, sent in a shuffled cycle, many more than a world's page cache holds
  (``core.pagecache.MAX_PAGES``), so nearly every request is a miss (filter, sort, page, dump, encode).
* **varied reads + writes**: the same, with every 5th request a write (an enrollment, then its un-enrollment
  on the next write), so the cache is also cleared as a suite's writes clear it.

The constant app gets the same query strings (on ``/c/<name>``) and answers a page of the median size of the
varied answers; its writes are ``POST /c/<name>`` with the same body.
"""
from __future__ import annotations

import json
import random
import statistics
import urllib.parse
from typing import Any
from collections.abc import Callable

LEARNERS = 40
PATHS = 2000
WRITE_EVERY = 5
FILTERS = ["", "isActive eq true", "isActive eq true and progress ge 0", "progress ge 50",
           "status eq 0 or status eq 1", "startswith(courseName,'A') or progress lt 30",
           "dateEdited ge datetime'2020-01-01T00:00:00Z' and isActive eq true"]
SORTS = ["", "-dateEdited,courseName", "courseName", "-progress", "dateAdded,-courseName"]
LIMITS = ["5", "10", "20"]
OFFSETS = ["0", "1"]


def build(port: int, headers: dict[str, str], world: Any, call: Callable[..., tuple[int, Any]],
          notes: list[str]) -> dict[str, Any] | None:
    """Enroll the learners, then pick the pages. ``call(port, method, path, headers, body)`` -> (status, json).
    Returns {"paths", "sample", "enroll_path", "unenroll_path"} or None (with a note) when it cannot."""
    learners = [u for u in world.users.values() if not getattr(u, "is_admin", False)][:LEARNERS]
    for user in learners:
        active = {c for (u, c) in world.active if u == user.id}
        for course in world.courses.values():
            if not course.multi_session and course.id not in active:
                call(port, "POST", f"/absorb/users/{user.id}/enrollments/{course.id}", headers)
    rng = random.Random(13)
    combos = [(u.id, f, s, lim, off) for u in learners for f in FILTERS for s in SORTS for lim in LIMITS
              for off in OFFSETS]
    rng.shuffle(combos)
    paths = []
    for user_id, flt, sort, limit, offset in combos[:PATHS]:
        query = {k: v for k, v in (("_filter", flt), ("_sort", sort), ("_limit", limit), ("_offset", offset)) if v}
        paths.append(f"/absorb/users/{user_id}/enrollments?" + urllib.parse.urlencode(query,
                                                                                      quote_via=urllib.parse.quote))
    sizes, sample = [], None
    for path in paths[:: max(1, len(paths) // 60)]:
        status, page = call(port, "GET", path, headers)
        if status != 200:
            notes.append(f"varied reads: {path} answered {status}; skipped")
            return None
        sizes.append((len(json.dumps(page, separators=(",", ":"))), page))
    sizes.sort(key=lambda pair: pair[0])
    sample = sizes[len(sizes) // 2][1]
    online = next(c for c in world.courses.values() if not c.is_ilc and not c.multi_session)
    return {"paths": paths, "sample": sample, "median_bytes": statistics.median(s for s, _ in sizes),
            "enroll_path": f"/absorb/users/{learners[0].id}/enrollments/{online.id}?reEnroll=true",
            "unenroll_path": "/absorb/enrollments/unenroll"}


def wrk_script(paths: list[str], headers: dict[str, str], write_every: int, enroll_path: str, unenroll_path: str,
               lua: Callable[[str], str], lua_table: Callable[[dict[str, str]], str]) -> str:
    """A wrk script cycling through ``paths``; every ``write_every``-th request (0: none) a write."""
    listed = ",\n".join(lua(p) for p in paths)
    return f"""
local headers = {lua_table(headers)}
local paths = {{
{listed}
}}
local n, i = 0, 0
local ids = {{}}
function request()
  n = n + 1
  if {write_every} > 0 and n % {write_every} == 0 then
    local id = table.remove(ids)
    if id then return wrk.format("POST", {lua(unenroll_path)}, headers, '["' .. id .. '"]') end
    return wrk.format("POST", {lua(enroll_path)}, headers, "")
  end
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers, nil)
end
function response(status, hdrs, body)
  if #body < 400 then
    local id = body:match('"enrollmentId"%s*:%s*"([%x%-]+)"')
    if id then table.insert(ids, id) end
  end
end
"""
