"""Tests for the adapter listing and the ``dm-harness adapters`` command."""

from __future__ import annotations

import argparse
import json
from typing import Any, Literal

import pytest

from harness.adapters._listing import describe_adapters, type_name
from harness.cli._adapters import register
from harness.errors import ConfigError

BUILT_IN = ("exec", "http", "openai", "python", "recorded")


def listing() -> dict[str, Any]:
    return {info.name: info for info in describe_adapters()}


@pytest.mark.parametrize("name", BUILT_IN)
def test_listing_has_built_in(name: str) -> None:
    info = listing()[name]

    assert info.origin == "built-in"
    assert info.summary


@pytest.mark.parametrize("name", BUILT_IN)
def test_listing_options_described(name: str) -> None:
    undocumented = [option.name for option in listing()[name].options if not option.description]

    assert undocumented == []


def test_listing_exec_options() -> None:
    options = {option.name: option for option in listing()["exec"].options}

    assert options["command"].required is True
    assert options["command"].default is None
    assert options["command"].type == "list[str] | str"
    assert options["mode"].type == '"per_conversation" | "shared"'
    assert options["mode"].default == '"per_conversation"'
    assert options["env"].default == "{}"
    assert options["timeout"].default == "30.0"


def test_listing_description_from_docstring() -> None:
    options = {option.name: option for option in listing()["python"].options}

    assert options["factory"].description.startswith("Treat `target` as a zero-argument factory")


@pytest.mark.parametrize(
    ("annotation", "text"),
    [
        (str, "str"),
        (int | None, "int | None"),
        (dict[str, str], "dict[str, str]"),
        (list[str] | str, "list[str] | str"),
        (Literal["a", "b"], '"a" | "b"'),
        (None, "None"),
    ],
)
def test_type_name_forms(annotation: Any, text: str) -> None:
    assert type_name(annotation) == text


def run_command(argv: list[str]) -> int:
    # A parser with only this subcommand, so the test does not depend on the other commands.
    parser = argparse.ArgumentParser(prog="dm-harness")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_adapters_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_command(["adapters", "--json"])

    listed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {item["name"] for item in listed} >= set(BUILT_IN)
    assert all({"name", "origin", "summary", "options"} <= set(item) for item in listed)


def test_adapters_command_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_command(["adapters", "http"])

    output = capsys.readouterr().out
    assert code == 0
    assert "http (built-in)" in output
    assert "reply_path" in output
    assert "exec (built-in)" not in output


def test_adapters_command_unknown() -> None:
    with pytest.raises(ConfigError) as caught:
        run_command(["adapters", "telegraph"])

    assert "unknown adapter 'telegraph'" in str(caught.value)
    assert "python" in str(caught.value)


def test_adapters_command_registered() -> None:
    from harness.cli import COMMAND_MODULES

    assert "harness.cli._adapters" in COMMAND_MODULES
