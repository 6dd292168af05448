"""The README stays true: its Python examples run, and every command has an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapgen.cli import cli

README = Path(__file__).parent.parent / "README.md"
TEXT = README.read_text("utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def test_every_command_has_an_example() -> None:
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S))
    missing = [name for name in cli.commands if not re.search(rf"^mapgen {name}\b", shell, re.M)]
    assert missing == []


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))]
)
def test_python_examples_run(block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, str(README), "exec"), namespace)
    written = {p.name for p in tmp_path.iterdir()}
    promised = set(re.findall(r'"([\w.-]+\.(?:png|svg|html))"', block))
    assert promised <= written
