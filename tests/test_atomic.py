"""Atomic writes (mapgen._io.atomic_path), the one helper every writer uses."""

from __future__ import annotations

import pytest

from mapgen._io import atomic_path


@pytest.mark.parametrize("fresh", [False, True])
def test_a_failed_write_leaves_the_old_file_and_no_litter(tmp_path, fresh):
    target = tmp_path / "layers.gpkg"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target, fresh=fresh) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers.gpkg"]


def test_a_fresh_path_does_not_exist_yet_and_keeps_the_name(tmp_path):
    target = tmp_path / "timelapse.mp4"
    with atomic_path(target, fresh=True) as tmp:
        assert not tmp.exists() and tmp.name == "timelapse.mp4" and tmp.parent != tmp_path
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timelapse.mp4"]
