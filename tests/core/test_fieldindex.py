"""A field index answers ``_filter=<field> eq '...'`` exactly as the scan does (issue 32), before and after writes."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.absorb.domain.models import USER_INDEXED, User
from emulator.absorb.wire.schemas import USERS
from emulator.core import paging
from emulator.core.fieldindex import FieldIndex
from emulator.core.odata import compile_filter

# Characters where case rules part ways: ß (upper SS), İ (lower i + dot), K (Kelvin), ı (dotless), trailing spaces
TEXT = st.text(alphabet=st.sampled_from("aAbBsSßẞİiıIKkK é '"), max_size=6)
GUIDS = [f"{n:08x}-0000-4000-8000-00000000000{n}" for n in range(3)]


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    index: FieldIndex = field(default_factory=lambda: FieldIndex("users", USER_INDEXED))


def _user(n: int, name: str, email: str | None, external: str | None, department: str | None) -> User:
    return User(id=f"u{n}", username=name, password=None, first_name="F", last_name="L", email_address=email,
                job_title=None, avatar=None, department_id=department, external_id=external)


USER = st.builds(lambda *a: a, TEXT, st.none() | TEXT, st.none() | TEXT, st.none() | st.sampled_from(GUIDS))
LITERAL = TEXT.map(lambda v: "'" + v.replace("'", "''") + "'")  # OData doubles a quote inside a literal
FILTERS = st.one_of(
    st.builds(lambda v: f"username eq {v}", LITERAL), st.builds(lambda v: f"emailAddress eq {v}", LITERAL),
    st.builds(lambda v: f"{v} eq externalId", LITERAL),
    st.builds(lambda g: f"departmentId eq '{g}'", st.sampled_from(GUIDS)),
    st.builds(lambda g: f"departmentId eq guid'{g.upper()}'", st.sampled_from(GUIDS)),
    st.builds(lambda v, w: f"username eq {v} and emailAddress ne {w}", LITERAL, LITERAL),
    st.builds(lambda v: f"tolower(username) eq {v}", LITERAL),
)


def _answer(world: World, text: str, indexed: bool) -> list[str]:
    index = (lambda attr, value: world.index.candidates(world, attr, value)) if indexed else None
    page = paging.query_list(world.users.values(), USERS, {"_filter": text, "_limit": "1000"}, key="users",
                             dump=lambda u: u.id, index=index)
    return page["users"]


@settings(max_examples=300, deadline=None)
@given(users=st.lists(USER, max_size=12), writes=st.lists(st.tuples(st.integers(0, 11), USER), max_size=6),
       filters=st.lists(FILTERS, min_size=1, max_size=4))
def test_the_index_answers_as_the_scan(users: list[Any], writes: list[Any], filters: list[str]) -> None:
    world = World()
    for n, (name, email, external, department) in enumerate(users):
        world.users[f"u{n}"] = _user(n, name, email, external, department)
    for text in filters:
        assert _answer(world, text, True) == _answer(world, text, False), text
    for n, (name, email, external, department) in writes:  # edits and new users, each announced
        target = world.users.get(f"u{n}")
        if target is None:
            world.users[f"u{n}"] = _user(n, name, email, external, department)
            world.index.changed(f"u{n}")
        else:
            world.index.changed(target)  # announced before the change is made: still seen
            target.username, target.email_address, target.external_id = name, email, external
        for text in filters:
            assert _answer(world, text, True) == _answer(world, text, False), text


def test_a_filter_names_its_lookup() -> None:
    assert compile_filter(USERS, "username eq 'Ab '").lookup == ("username", "Ab ")
    assert compile_filter(USERS, "'x''y' eq emailAddress and username ne 'z'").lookup == ("email_address", "x'y")
    assert compile_filter(USERS, f"departmentId eq guid'{GUIDS[0].upper()}'").lookup == ("department_id", GUIDS[0])
    for text in ("tolower(username) eq 'a'", "username ne 'a'", "username eq 'a' or username eq 'b'",
                 "username eq null", "firstName gt 'a'"):
        assert compile_filter(USERS, text).lookup is None, text


def test_a_whole_world_change_drops_the_index() -> None:
    world = World()
    world.users["u0"] = _user(0, "Ann", None, None, None)
    assert [u.id for u in world.index.candidates(world, "username", "ANN ") or []] == ["u0"]
    world.users["u0"] = copy.copy(world.users["u0"])
    world.users["u0"].username = "Bob"
    world.index.changed(None)
    assert world.index.candidates(world, "username", "ann") == []
    assert [u.id for u in world.index.candidates(world, "username", "bob") or []] == ["u0"]
    assert world.index.candidates(world, "first_name", "f") is None  # not indexed: the scan answers
