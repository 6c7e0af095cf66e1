"""Faker's word lists, kept in a small cache file so start-up need not import Faker."""
from __future__ import annotations

import random

from emulator.core import fake
from emulator.core.env import CACHE_ENV


def test_cached_tables_equal_fakers_and_give_the_same_values(tmp_path, switch):
    switch(CACHE_ENV, str(tmp_path))
    fake._tables.cache_clear()
    try:
        first = fake._tables()  # no file yet: read from Faker, file written
        written = list(tmp_path.glob("faker-*-en_US.json"))
        assert len(written) == 1
        fake._tables.cache_clear()
        second = fake._tables()  # from the file
        assert second == first == fake._from_faker()
        a, b = fake.Fake(random.Random(7)), fake.Fake(random.Random(7))
        assert [a.first_name(), a.topic(), a.city()] == [b.first_name(), b.topic(), b.city()]
    finally:
        fake._tables.cache_clear()


def test_a_broken_cache_file_falls_back_to_faker(tmp_path, switch):
    switch(CACHE_ENV, str(tmp_path))
    path = fake._cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    fake._tables.cache_clear()
    try:
        assert fake._tables() == fake._from_faker()
    finally:
        fake._tables.cache_clear()
