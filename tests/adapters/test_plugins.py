"""Tests that an adapter from an installed plugin package is found and runs.

The example plugin in ``examples/plugin`` is installed into a temporary folder in two ways.
pip installs it when the ``wheel`` package is present, because an offline setuptools build
needs it. The other test lays out the package and its ``.dist-info`` by hand, with METADATA
and entry_points.txt made from its pyproject.toml. A fresh interpreter with that folder on
PYTHONPATH then lists and runs the adapter, so the entry point is read as in a real install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "plugin"

PROBE = textwrap.dedent(
    """
    import asyncio, json
    from harness.adapters import ConversationState, available_adapters, create_adapter
    from harness.conversations import Scenario, Turn

    spec = available_adapters()["echo"]
    adapter = create_adapter("echo", {"prefix": "you said: ", "handover_word": "human"})
    scenario = Scenario(id="s", intent="support", policy="answer", turns=[Turn(user="x")])
    state = ConversationState(id="c", scenario=scenario, user_id="u")
    reply = asyncio.run(adapter.reply(state, Turn(user="a human please")))
    print(json.dumps({"origin": spec.origin, "text": reply.text, "handover": reply.handover,
                      "options": sorted(spec.options.model_fields)}))
    """
)


def install_by_hand(target: Path) -> None:
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    shutil.copytree(PLUGIN / "dmh_echo_adapter", target / "dmh_echo_adapter")

    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = []
    for group, points in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines.extend(f"{point} = {value}" for point, value in points.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


def install_with_pip(target: Path, scratch: Path) -> None:
    # setuptools builds in the source folder, so build from a copy to keep the repository clean.
    source = shutil.copytree(PLUGIN, scratch / "plugin")
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index"]
    command += ["--quiet", "--target", str(target), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def probe(target: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_echo(found: dict[str, Any]) -> None:
    assert found["origin"] == "dmh_echo_adapter:EchoAdapter"
    assert found["text"] == "you said: a human please"
    assert found["handover"] is True
    assert found["options"] == ["handover_word", "prefix"]


def test_plugin_installed_by_hand(tmp_path: Path) -> None:
    install_by_hand(tmp_path)

    check_echo(probe(tmp_path))


def test_plugin_installed_with_pip(tmp_path: Path) -> None:
    pytest.importorskip("wheel", reason="an offline pip build with setuptools needs the wheel package")
    target = tmp_path / "site"
    install_with_pip(target, tmp_path)

    check_echo(probe(target))


def test_plugin_absent_without_install() -> None:
    from harness.adapters import available_adapters

    assert "echo" not in available_adapters()
