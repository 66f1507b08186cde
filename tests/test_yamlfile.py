import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from harness.errors import ConfigError
from harness.yamlfile import load_yaml, parse_yaml, validate


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int = 0


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Inner]
    label: str | None = None


TEXT = """\
label: demo
items:
  - name: a
    size: 1
  - name: b
    size: large
"""


def test_line_of_nested_value():
    document = parse_yaml(TEXT)
    assert document.lines.line_of(("items", 1, "size")) == 6
    assert document.lines.line_of(("items", 0)) == 3


def test_line_of_unknown_path_uses_prefix():
    document = parse_yaml(TEXT)
    assert document.lines.line_of(("items", 1, "missing", 3)) == 5


def test_validation_error_located():
    document = parse_yaml(TEXT, "f.yaml")
    with pytest.raises(ConfigError) as info:
        validate(Outer, document.data, path="f.yaml", lines=document.lines)
    assert str(info.value).startswith("f.yaml:6: items.1.size: ")
    assert "'large'" in str(info.value)


def test_unknown_field_lists_valid_names():
    document = parse_yaml("items:\n  - name: a\n    colour: red\n", "f.yaml")
    with pytest.raises(ConfigError) as info:
        validate(Outer, document.data, path="f.yaml", lines=document.lines)
    assert str(info.value) == "f.yaml:3: items.0.colour: unknown field. Fix: remove it or use one of: name, size"


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_yaml(path)


def test_unsafe_tag_rejected():
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_empty_document():
    assert parse_yaml("").data is None


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=20), max_size=6))
def test_round_trip_matches_safe_load(data):
    import yaml

    text = yaml.safe_dump(data)
    assert parse_yaml(text).data == yaml.safe_load(text)


def test_duplicate_key_rejected():
    with pytest.raises(ConfigError) as info:
        parse_yaml("items:\n  - name: a\n    name: b\n", "f.yaml")
    assert str(info.value) == "f.yaml:3: items.0.name: duplicate key. Fix: keep one of them"


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="expected a YAML file, found a folder"):
        load_yaml(tmp_path)
