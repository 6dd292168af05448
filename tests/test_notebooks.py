"""The notebooks in notebooks/ run top to bottom and show what they promise."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pyogrio
import pytest
from nbclient import NotebookClient

from mapgen.render.html_data import page_data

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"


def _run(name: str, folder: Path) -> nbformat.NotebookNode:
    shutil.copy(NOTEBOOKS / name, folder / name)
    notebook = nbformat.read(folder / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    client.execute()
    return notebook


def _outputs(notebook: nbformat.NotebookNode, marker: str) -> list[dict]:
    """The outputs of the one code cell whose source contains ``marker``."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, marker
    return cells[0].outputs


def _mime(outputs: list[dict], kind: str) -> str:
    data = [o["data"][kind] for o in outputs if kind in o.get("data", {})]
    assert data, f"no {kind} output"
    return data[0]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


def _slider_data(output: str) -> dict:
    """The data of the slider map a notebook shows (an ``<iframe srcdoc>`` of the page)."""
    srcdoc = re.search(r'srcdoc="([^"]*)"', output)
    assert srcdoc, output[:200]
    (data,) = page_data(html.unescape(srcdoc.group(1)))
    return data


def test_campaign_notebook(tmp_path: Path) -> None:
    notebook = _run("01_euphrates_campaign.ipynb", tmp_path)
    slider = _slider_data(_mime(_outputs(notebook, "slider_map(territory"), "text/html"))
    assert slider["start"] == "2017-07-01"  # the map's data is inline
    assert "Abu Kamal" in json.dumps(slider, ensure_ascii=False)
    assert _mime(_outputs(notebook, 'snapshot_figure(territory, "2017-11-03"'), "image/png")
    assert _mime(_outputs(notebook, "area_chart_figure(territory)"), "image/png")
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "campaign-gis" / "mapgen.gpkg")}
    assert {"areas", "frontlines", "places", "events"} <= layers
    areas = pyogrio.read_dataframe(tmp_path / "campaign-gis" / "mapgen.gpkg", layer="areas")
    assert {"isis", "syria", "sdf", "iraq"} <= set(areas["controller"])


def test_own_data_notebook(tmp_path: Path) -> None:
    notebook = _run("02_your_own_data.ipynb", tmp_path)
    changes = _mime(_outputs(notebook, "timeline.changes()"), "text/plain")
    assert "Brindle" in changes and "Amberford" in changes
    assert "month" in changes  # "2024-04" keeps its precision
    held = _mime(_outputs(notebook, 'stats["date"] == "2024-03-20"'), "text/plain")
    assert "south" in held and "north" in held
    slider = _slider_data(_mime(_outputs(notebook, "slider_map(territory"), "text/html"))
    assert "Brindle" in json.dumps(slider, ensure_ascii=False)
    assert _mime(_outputs(notebook, "snapshot_figure(territory"), "image/png")
    assert (tmp_path / "my-region" / "events.csv").exists()
