"""The README stays true: its Python examples run, and every command has an example."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mapgen.cli import cli
from tests.pages import open_offline

README = Path(__file__).parent.parent / "README.md"
TEXT = README.read_text("utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
FOLIUM_BLOCK = next(i for i, b in enumerate(PYTHON_BLOCKS) if "ControlSlider" in b)


def test_every_command_has_an_example() -> None:
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S))
    missing = [name for name in cli.commands if not re.search(rf"^mapgen {name}\b", shell, re.M)]
    assert missing == []


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """Each block, run once in a folder of its own (the folder it wrote into), on demand."""
    folders: dict[int, Path] = {}

    def run(index: int) -> Path:
        if index not in folders:
            folder = tmp_path_factory.mktemp(f"block{index}")
            here = Path.cwd()
            os.chdir(folder)
            try:
                exec(compile(PYTHON_BLOCKS[index], str(README), "exec"), {})
            finally:
                os.chdir(here)
            folders[index] = folder
        return folders[index]

    return run


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)), ids=lambda i: f"block{i}")
def test_python_examples_run(index: int, ran) -> None:
    folder = ran(index)
    written = {p.name for p in folder.iterdir()}
    promised = set(re.findall(r'"([\w.-]+\.(?:png|svg|html))"', PYTHON_BLOCKS[index]))
    assert promised <= written


def test_folium_example_opens_from_disk_with_the_slider_working(ran, browser) -> None:
    pytest.importorskip("folium")
    folder = ran(FOLIUM_BLOCK)
    opened = open_offline(browser, folder / "campaign.html", ready="window.mapgen && mapgen.ready")
    page = opened.page
    assert "Our office" in page.evaluate("document.body.innerHTML")
    assert page.evaluate("mapgen.setDate('2017-11-10')") == "2017-11-10"
    assert page.evaluate("mapgen.controllerOf('al-qaim')") == "iraq"  # taken 2017-11-03
    assert opened.network == [] and opened.errors == []
    page.close()
