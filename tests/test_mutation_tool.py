"""``tools/mutation.py``'s own rules (issue 31, item 8): "message-only" is text shown to people, nothing else,
and no ``EQUIVALENT`` entry names code that is gone."""
from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mutation():
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_tool"] = module
    spec.loader.exec_module(module)
    return module


def _fn(source: str) -> ast.AST:
    return ast.parse(source).body[0]


@pytest.mark.parametrize("original, mutant, message_only", [
    ("def f(x):\n    raise NotFound(f'no {x}')", "def f(x):\n    raise NotFound(f'XXno {x}XX')", True),
    ("def f(x):\n    raise BadRequest('bad', validations=['x: bad'])",
     "def f(x):\n    raise BadRequest('bad', validations=['XXx: badXX'])", True),
    ("def f(x):\n    '''Doc.'''\n    return x", "def f(x):\n    '''XXDoc.XX'''\n    return x", True),
    ("def f(x):\n    return {'userId': x}", "def f(x):\n    return {'XXuserIdXX': x}", False),  # a dict key
    ("def f(h):\n    h['Retry-After'] = '1'", "def f(h):\n    h['XXRetry-AfterXX'] = '1'", False),  # a header
    ("def f(s):\n    return s == 'ACTIVE'", "def f(s):\n    return s == 'XXACTIVEXX'", False),  # an enum name
    ("def f(x):\n    raise NotFound(f'no {x}')", "def f(x):\n    raise Conflict(f'no {x}')", False),
])
def test_message_only_is_text_shown_to_people(mutation, original: str, mutant: str, message_only: bool):
    assert mutation._text_only(_fn(original), _fn(mutant)) is message_only


def test_no_equivalent_entry_names_code_that_is_gone(mutation):
    assert mutation.stale_equivalents() == []
