"""``_filter`` must answer as a SQL-Server-backed OData service would: the emulator against an independent
implementation (odata-query's SQLAlchemy translation over SQLite), over the default world's course
enrollments. The harness, and the differences it encodes on purpose, are in ``odata_diff.py`` beside this
file. A few hundred expressions here; ``LMS_DIFF_EXAMPLES=5000`` for thousands, and
``python -m tests.core.odata_diff 5000`` counts mismatches instead of stopping at the first.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.odata_diff import Style, corpus, emulator, expressions, outcomes, reference

EXAMPLES = int(os.environ.get("LMS_DIFF_EXAMPLES", "300"))


def shown(result: object) -> str:
    return result if isinstance(result, str) else f"{len(result)} rows"  # type: ignore[arg-type]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=expressions, style=st.builds(Style, st.booleans(), st.booleans()))
def test_the_emulator_answers_as_the_sql_reference_does(tree: tuple, style: Style) -> None:
    emulator_text, reference_text, got, want = outcomes(tree, style)
    assert got == want, (f"_filter={emulator_text!r}: emulator {shown(got)}, reference {shown(want)} "
                         f"(reference text {reference_text!r}; only in emulator: "
                         f"{sorted(got - want)[:3] if not isinstance(got, str) and not isinstance(want, str) else '-'})")


# The reference itself holds the documented rules: these pin them, so that agreeing with it means something.

def ids(where) -> frozenset[str]:  # noqa: ANN001 - a predicate over wire rows
    return frozenset(w["id"] for w in corpus().wire if where(w))


def test_the_reference_finds_a_row_by_its_wire_date_time() -> None:
    row = next(w for w in corpus().wire if w["dateEdited"] and "." in w["dateEdited"])
    found = reference(f"dateEdited eq {row['dateEdited']}")
    assert row["id"] in found
    assert row["id"] not in reference(f"dateEdited gt {row['dateEdited']}")
    assert emulator(f"dateEdited eq datetime'{row['dateEdited']}'") == found


def test_the_reference_lifts_comparisons_and_propagates_null_through_functions() -> None:
    assert reference("score ne 3") == ids(lambda w: w["score"] != 3)  # a null score is not 3
    assert reference("score eq null") == ids(lambda w: w["score"] is None)
    assert reference("score gt 0 or score le 0") == ids(lambda w: w["score"] is not None)
    no_x = ids(lambda w: w["jobTitle"] is not None and not w["jobTitle"].lower().startswith("x"))
    assert reference("not startswith(jobTitle,'x')") == no_x == emulator("not startswith(jobTitle,'x')")
    assert reference("endswith(avatar,'') eq false") == frozenset() == emulator("endswith(avatar,'') eq false")


def test_the_reference_compares_strings_as_sql_server_does() -> None:
    padded = next(w for w in corpus().wire if w["jobTitle"] and w["jobTitle"].endswith("  "))
    bare = padded["jobTitle"].rstrip(" ").upper()
    assert padded["id"] in reference(f"jobTitle eq '{bare}'")
    assert padded["id"] not in reference(f"endswith(jobTitle,'{bare[-3:]}')")  # LIKE keeps the spaces
    assert reference(f"jobTitle eq '{bare}'") == emulator(f"jobTitle eq '{bare}'")


def test_the_reference_refuses_not_of_a_non_boolean_and_knows_v4_numbers() -> None:
    assert reference("not status eq 3") == "error" == emulator("not status eq 3")
    assert reference("not (status eq 3)") == ids(lambda w: w["status"] != 3) == emulator("not(status eq 3)")
    assert reference("status eq +3") == reference("status eq 3e0") == ids(lambda w: w["status"] == 3)
    assert reference("status eq .5") == "error" == emulator("status eq .5")
