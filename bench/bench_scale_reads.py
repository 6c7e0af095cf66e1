"""Reads over a large Absorb world (issue 32): a full pass over the users after a write, and indexed lookups.

``python bench/bench_scale_reads.py [--users 1000,10000,50000] [--lookups 200]``: for each size, the app
in-process (no HTTP: each request is one call of the WSGI app with a plain environ, the CPU of the
emulator's own request path), the default Absorb world grown to that many users (``bench/scaleworld.py``),
then, in CPU seconds of this process (``time.process_time``):

- a full pass: one write (a user's update), then every page of ``GET /users?_limit=500`` in order (twice: the
  second pass after a second write), the CPU of each pass;
- lookups: ``GET /users?_filter=username eq '...'`` for ``--lookups`` different users (each page a miss of the
  page cache), and the same for ``emailAddress``, ``externalId`` and ``departmentId``: the CPU per request;
- the same lookup with the index turned off (``LMS_EMULATOR_NO_INDEXES=1`` is not needed: the bench asks
  with ``tolower(username) eq ...``, which no index answers, so the scan's cost is printed beside it).
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import create_app  # noqa: E402

from scaleworld import grow_absorb  # noqa: E402


def call(app: Any, method: str, path: str, query: str = "", headers: dict[str, str] | None = None,
         body: bytes = b"") -> tuple[str, bytes]:
    """One request straight into the WSGI app: (status, body)."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "wsgi.version": (1, 0), "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["CONTENT_TYPE"] = "application/json"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    chunks = app(environ, lambda s, h, exc=None: status.append(s))
    try:
        data = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return status[0], data


def login(app: Any) -> tuple[dict[str, str], Any]:
    world = app.state.store.tenants["default"].world("absorb")
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    body = b'{"username": "admin", "password": "admin", "privateKey": "%s"}' % world.api_key.encode()
    status, token = call(app, "POST", "/absorb/authenticate", headers=headers, body=body)
    assert status.startswith("200"), token
    headers["Authorization"] = "Bearer " + token.decode().strip('"')
    return headers, world


def write(app: Any, headers: dict[str, str], world: Any, n: int) -> None:
    user = next(u for u in world.users.values() if not u.is_admin)
    body = (b'{"username": "%s", "firstName": "F%d", "lastName": "L", "password": "pw", "emailAddress": '
            b'"w%d@example.com", "departmentId": "%s"}') % (user.username.encode(), n, n, user.department_id.encode())
    status, answer = call(app, "PUT", f"/absorb/users/{user.id}", headers=headers, body=body)
    assert status.startswith("200"), answer


def full_pass(app: Any, headers: dict[str, str], users: int) -> float:
    t0 = time.process_time()
    seen = 0
    for offset in range((users + 499) // 500):
        status, page = call(app, "GET", "/absorb/users", f"_limit=500&_offset={offset}", headers)
        assert status.startswith("200"), page[:200]
        seen += page.count(b'"username"')
    cpu = time.process_time() - t0
    assert seen == users, (seen, users)
    return cpu


def lookups(app: Any, headers: dict[str, str], filters: list[str]) -> float:
    t0 = time.process_time()
    for text in filters:
        status, page = call(app, "GET", "/absorb/users", "_filter=" + quote(text), headers)
        assert status.startswith("200") and b'"totalItems":' in page, page[:200]
    return (time.process_time() - t0) / len(filters) * 1000


def run(users: int, count: int) -> None:
    app = create_app({"seed": 42})
    headers, world = login(app)
    t0 = time.process_time()
    grow_absorb(world, users)
    grown = time.process_time() - t0
    write(app, headers, world, 1)
    first = full_pass(app, headers, users)
    write(app, headers, world, 2)
    second = full_pass(app, headers, users)
    picked = list(world.users.values())[:: max(1, len(world.users) // count)][:count]
    by = {
        "username": [f"username eq '{u.username.upper()}'" for u in picked],
        "emailAddress": [f"emailAddress eq '{u.email_address}'" for u in picked if u.email_address],
        "externalId": [f"externalId eq '{u.external_id}'" for u in picked if u.external_id],
        "departmentId": [f"departmentId eq '{u.department_id}'" for u in picked if u.department_id],
        "scan: tolower(username)": [f"tolower(username) eq '{u.username.lower()}'" for u in picked],
    }
    print(f"{users:>6} users (grown in {grown:.2f} s CPU): full pass 500 a page after a write "
          f"{first:.3f} s CPU, again after another write {second:.3f} s CPU")
    for name, filters in by.items():
        first = lookups(app, headers, filters[-1:])  # builds the index if it is not built
        print(f"        _filter {name:<24} first {first:7.3f} ms CPU (builds the index), then", end="")
        print(f" {lookups(app, headers, filters[:-1]):7.3f} ms CPU per request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1000,10000,50000")
    parser.add_argument("--lookups", type=int, default=200)
    options = parser.parse_args()
    for users in (int(n) for n in options.users.split(",")):
        run(users, options.lookups)


if __name__ == "__main__":
    main()
