"""Reading tables with line numbers, and writing files atomically."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mapgen.errors import InputFileError
from mapgen.problems import Problems, display_path


@dataclass(frozen=True)
class Row:
    """One record of a CSV file with the line it starts on (1-based, the header is line 1)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A CSV file read as text: its header, its rows and the name to show in messages."""

    path: str
    header: list[str]
    rows: list[Row]


def read_text(path: Path | str) -> str:
    """Read a UTF-8 text file (with or without BOM) or raise a clear error."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError(f"{display_path(p)}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputFileError(f"{display_path(p)}: is a directory, not a file") from exc
    except OSError as exc:
        raise InputFileError(f"{display_path(p)}: cannot read ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"{display_path(p)}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from exc


def read_csv(path: Path | str, problems: Problems) -> Table:
    """Read a CSV file into rows keyed by header names, keeping each row's first line number.

    Handles a BOM, CRLF line ends and quoted fields with commas or newlines. Ragged rows
    and blank lines are reported to ``problems``; values are stripped of outer whitespace.
    """
    shown = display_path(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.error("the file is empty; expected a header line", path=shown, line=1)
        return Table(shown, [], [])
    rows: list[Row] = []
    previous_end = reader.line_num
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.error(
                f"has {len(record)} fields but the header has {len(header)}",
                path=shown,
                line=line,
                hint="quote values that contain commas",
            )
            continue
        values = {h: cell.strip() for h, cell in zip(header, record, strict=True)}
        rows.append(Row(line, values))
    return Table(shown, header, rows)


def check_columns(
    table: Table, problems: Problems, *, required: list[str], optional: list[str]
) -> bool:
    """Report missing required columns (error) and unknown ones (warning); True if usable."""
    missing = [c for c in required if c not in table.header]
    if missing and table.header:
        problems.error(
            f"missing column(s) {', '.join(missing)}",
            path=table.path,
            line=1,
            hint=f"the header must have {', '.join(required)} (found: {', '.join(table.header)})",
        )
    known = set(required) | set(optional)
    for name in table.header:
        if name not in known:
            problems.warning(
                f"unknown column {name!r} is ignored",
                path=table.path,
                line=1,
                column=name,
                hint=f"known columns: {', '.join(required + optional)}",
            )
    return not missing and bool(table.header)


@contextlib.contextmanager
def atomic_path(path: Path | str, *, fresh: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    On an exception the temporary file is removed and ``path`` is left as it was. With
    ``fresh`` the temporary path does not exist yet and has ``path``'s own name (in a
    temporary folder beside it), for writers that create the file themselves and go by its
    extension (GDAL's GeoPackage driver, ffmpeg).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        tmp = folder / target.name
    else:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
        if fresh:
            shutil.rmtree(tmp.parent, ignore_errors=True)


def write_text_atomic(path: Path | str, text: str) -> Path:
    """Write UTF-8 text (LF line ends) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    """Write bytes to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
