"""The OData field table (``core.odata.fields``): what a vendor declaring a wire type relies on.

Every table here is built inside its test: a table built at import is built before mutation testing
switches a mutant on, so it would prove nothing about the constructor."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from emulator.core.errors import Unprocessable
from emulator.core.odata import Field, Resource, getter
from emulator.core.odata.fields import invalid


def _fields() -> list[Field]:
    return [Field("Id", "guid", "id"), Field("fullName", "string", "full_name"),
            Field("customFields/decimal1", "decimal", "custom.decimal1", filterable=False)]


def test_a_field_is_filterable_and_sortable_unless_told():
    f = Field("n", "int", "n")
    assert (f.wire, f.type, f.attr, f.filterable, f.sortable) == ("n", "int", "n", True, True)


@pytest.mark.parametrize("kind", ["string", "int", "decimal", "bool", "guid", "datetime"])
def test_every_documented_type_is_a_field_type(kind):
    assert Field("x", kind, "x").type == kind


@pytest.mark.parametrize("attr", ["a.class", "a..b", "1a", "a-b", "", "a.", "import"])
def test_a_field_attr_must_be_a_dotted_identifier(attr):
    with pytest.raises(ValueError, match=f"field 'x': attr '{attr}' is not a dotted identifier"):
        Field("x", "string", attr)


def test_a_field_type_must_be_known():
    with pytest.raises(ValueError, match="field 'x': unknown type 'text'"):
        Field("x", "text", "x")


def test_a_dotted_attr_is_allowed():
    assert Field("x", "string", "a.b_2.c").attr == "a.b_2.c"


def test_a_resource_knows_its_name_fields_and_key_by_the_keys_wire_name():
    resource = Resource("UserResource", _fields(), key="ID")
    assert resource.name == "UserResource" and resource.fields == tuple(_fields())
    assert resource.key == "Id" and resource.key_field == Field("Id", "guid", "id")
    assert Resource("R", _fields()).key == "Id"  # the default key is "id", whatever its case
    assert repr(resource) == "Resource('UserResource', 3 fields, key='Id')"


def test_fields_are_found_by_wire_name_whatever_the_case():
    resource = Resource("R", _fields())
    assert resource.field("FULLNAME") is resource.fields[1] and resource.field("customfields/DECIMAL1") is not None
    assert resource.field("full_name") is None


def test_a_table_with_a_duplicate_name_or_without_its_key_is_refused():
    with pytest.raises(ValueError, match="resource 'R': duplicate field 'ID'"):
        Resource("R", [Field("id", "guid", "id"), Field("ID", "guid", "other")])
    with pytest.raises(ValueError, match="resource 'R': key 'id' is not one of its fields"):
        Resource("R", [Field("name", "string", "name")])
    with pytest.raises(ValueError, match="key 'code'"):
        Resource("R", _fields(), key="code")


def test_resources_with_the_same_table_are_equal_and_hash_alike():
    """So that a resource can key a cache: the same table is the same compiled filter."""
    a, b = Resource("R", _fields()), Resource("R", _fields())
    assert a == b and hash(a) == hash(b) and a == a
    assert {a: 1}[b] == 1
    assert a != Resource("S", _fields()) and a != Resource("R", _fields()[:2])
    assert a != Resource("R", [*_fields(), Field("code", "string", "code")], key="code")
    assert a != "R" and (a == object()) is False
    assert hash(a) != hash(Resource("S", _fields()))


def test_getter_reads_an_attribute_or_a_dotted_path_and_none_past_a_missing_link():
    assert getter(Field("n", "int", "n"))(SimpleNamespace(n=3)) == 3
    deep = getter(Field("d", "decimal", "custom.inner.d"))
    assert deep(SimpleNamespace(custom=SimpleNamespace(inner=SimpleNamespace(d=1.5)))) == 1.5
    assert deep(SimpleNamespace(custom=None)) is None
    assert deep(SimpleNamespace(custom=SimpleNamespace(inner=None))) is None


def test_invalid_is_the_422_naming_the_parameter():
    err = invalid("unknown field 'x' at position 0")
    assert isinstance(err, Unprocessable) and err.status == 422
    assert err.message == "The _filter parameter is invalid."
    assert err.validations == ["_filter: unknown field 'x' at position 0"]
    sort_err = invalid("empty field name at position 0", "_sort")
    assert sort_err.message == "The _sort parameter is invalid." and sort_err.validations[0].startswith("_sort: ")
