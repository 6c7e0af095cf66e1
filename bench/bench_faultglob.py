"""Fault-rule globs that backtrack: one Absorb call's time with such a rule on its tenant.

``python bench/bench_faultglob.py``: for each pattern, the status of adding the rule and the time of one
authenticated-route call of that tenant through the WSGI app (the rule is checked once the tenant is known).
Before the globs were matched by stepping positions, ``/absorb**************q`` took seconds per call.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import create_app  # noqa: E402

PATTERNS = ("/absorb**************q", "/absorb**/**/**/**/**/**/**q", "/absorb/*a*b*c*d*e*f*g*q", "/absorb/users/*")
PATH = "/absorb/users/9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/enrollments/9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def main() -> None:
    app = create_app({"seed": 42})
    client = app.test_client()
    key = app.extensions["lms_emulator"]["store"].tenants["default"].world("absorb").api_key
    for pattern in PATTERNS:
        added = client.post("/_emulator/tenants/default/faults", json={"path": pattern, "delayMs": 0.001})
        t0 = time.perf_counter()
        answer = client.get(PATH, headers={"x-api-key": key, "x-api-version": "2"})
        took = (time.perf_counter() - t0) * 1000
        print(f"{pattern:32s} rule {added.status_code}  one call {answer.status_code} in {took:9.1f} ms")
        client.delete("/_emulator/tenants/default/faults")


if __name__ == "__main__":
    main()
