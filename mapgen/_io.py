"""Reading tables with line numbers, and writing files atomically."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapgen.errors import InputFileError, OverwriteError
from mapgen.fields import clean_text
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
    complete: bool = True  # False: a field over the limit stopped reading part-way


# Inputs larger than this are refused before they are read (a table, an article, a polygon
# file): far beyond any real dataset, well below what would exhaust memory.
MAX_INPUT_BYTES = 256 * 2**20
# The longest CSV field read (the csv module's limit): a longer one is most often a quote
# left open that swallows the rest of the file.
MAX_FIELD_CHARS = csv.field_size_limit()


def check_input_file(path: Path | str, *, limit: int = MAX_INPUT_BYTES) -> os.stat_result:
    """The ``stat`` of an input that is a regular file no larger than ``limit`` bytes.

    Raises InputFileError naming the path for a missing file, a directory, a FIFO, a device
    or a socket (reading those could hang or never end) and for a file over the limit.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError as exc:
        raise InputFileError(f"{display_path(p)}: no such file") from exc
    except OSError as exc:
        raise InputFileError(f"{display_path(p)}: cannot read ({exc.strerror})") from exc
    _check_stat(p, st, limit)
    return st


def _check_stat(path: Path, st: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{display_path(path)}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(
            f"{display_path(path)}: is {_kind(st.st_mode)}, not a regular file; "
            "mapgen reads its inputs from regular files only"
        )
    if st.st_size > limit:
        raise InputFileError(_too_large(path, limit))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_large(path: Path, limit: int) -> str:
    return (
        f"{display_path(path)}: larger than {_size(limit)}, the most mapgen reads from "
        "one input file; split it or keep only the rows you need"
    )


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def read_bytes(path: Path | str, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular input file of at most ``limit`` bytes, or InputFileError."""
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:  # non-blocking: opening a FIFO must not wait for a writer
        fd = os.open(p, flags)
    except FileNotFoundError as exc:
        raise InputFileError(f"{display_path(p)}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputFileError(f"{display_path(p)}: is a directory, not a file") from exc
    except OSError as exc:
        raise InputFileError(f"{display_path(p)}: cannot read ({exc.strerror})") from exc
    try:
        _check_stat(p, os.fstat(fd), limit)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(limit + 1)  # the file may have grown since fstat
        except OSError as exc:
            raise InputFileError(f"{display_path(p)}: cannot read ({exc.strerror})") from exc
    if len(data) > limit:
        raise InputFileError(_too_large(p, limit))
    return data


def read_text(path: Path | str) -> str:
    """Read a UTF-8 text file (with or without BOM) or raise a clear error."""
    return decode_text(read_bytes(path), path)


def decode_text(data: bytes, path: Path | str) -> str:
    """UTF-8 bytes (with or without BOM) of the file at ``path`` as text, or InputFileError."""
    p = Path(path)
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

    Handles a BOM, CRLF line ends and quoted fields with commas or newlines. Ragged rows,
    blank lines, fields over MAX_FIELD_CHARS and control characters (removed, see
    :func:`mapgen.fields.clean_text`) are reported to ``problems``; values are stripped of
    outer whitespace.
    """
    shown = display_path(path)
    return parse_csv(read_text(path), shown, problems)


def parse_csv(text: str, shown: str, problems: Problems) -> Table:
    """:func:`read_csv` on text already read; ``shown`` names it in messages."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    stopped: list[bool] = []
    records = _records(reader, shown, problems, stopped)
    before = problems.error_count
    try:
        _, first = next(records)
    except StopIteration:
        if problems.error_count == before:
            problems.error("the file is empty; expected a header line", path=shown, line=1)
        return Table(shown, [], [])
    header = [_clean(h, shown, 1, None, problems).strip() for h in first]
    rows: list[Row] = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            open_quote = len(record) < len(header) and any("\n" in cell for cell in record)
            problems.error(
                f"has {len(record)} fields but the header has {len(header)}",
                path=shown,
                line=line,
                hint='a quote (") on this line may be left open'
                if open_quote
                else "quote values that contain commas",
            )
            continue
        values = {
            h: _clean(cell, shown, line, h, problems).strip()
            for h, cell in zip(header, record, strict=True)
        }
        rows.append(Row(line, values))
    return Table(shown, header, rows, complete=not stopped)


def _records(
    reader: Any, shown: str, problems: Problems, stopped: list[bool]
) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` of each record; a field over the limit ends the file (and
    appends True to ``stopped``)."""
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.error(
                f"cannot read the rest of the file: {_csv_error(exc)}",
                path=shown,
                line=previous_end + 1,
                hint='look for a quote (") that is opened and never closed',
            )
            stopped.append(True)
            return
        yield previous_end + 1, record
        previous_end = reader.line_num


def _csv_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters, the most mapgen reads"
    return str(exc)


def _clean(cell: str, shown: str, line: int, column: str | None, problems: Problems) -> str:
    cleaned, removed = clean_text(cell)
    if removed:
        problems.warning(
            f"removed {removed}",
            path=shown,
            line=line,
            column=column,
            hint="control and text-direction characters could hide or reorder text on maps",
        )
    return cleaned


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


PathArg = Path | str | None | Sequence[Path | str]


def refuse_overwrite(outputs: dict[str, PathArg], inputs: dict[str, PathArg]) -> None:
    """Raise OverwriteError, naming both, if an output is an input or another output.

    Keys name the paths in the message (an option or an argument name); values are a path,
    a sequence of paths or None. Hard links and symbolic links to the same file count as
    the same file. Call it before anything is written.
    """
    named_outputs = _named(outputs)
    for i, (label, out) in enumerate(named_outputs):
        for other_label, other in [*named_outputs[:i], *_named(inputs)]:
            if same_file(out, other):
                raise OverwriteError(
                    f"{label} {display_path(out)} is the same file as {other_label} "
                    f"{display_path(other)}; mapgen never writes an output over an input or "
                    "another output: choose another path"
                )


def refuse_inside(folder: Path | str, label: str, inputs: dict[str, PathArg]) -> None:
    """Raise OverwriteError if an input lies in ``folder`` (an output folder that is
    replaced as a whole), naming both."""
    root = Path(os.path.realpath(folder))
    for input_label, path in _named(inputs):
        real = Path(os.path.realpath(path))
        if real == root or root in real.parents:
            raise OverwriteError(
                f"{input_label} {display_path(path)} is inside {label} {display_path(folder)}, "
                "which mapgen replaces as a whole; move the input or choose another folder"
            )


def same_file(a: Path | str, b: Path | str) -> bool:
    """True if ``a`` and ``b`` are one file (same inode, or the same path once resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _named(paths: dict[str, PathArg]) -> list[tuple[str, Path]]:
    named = []
    for label, value in paths.items():
        if value is None:
            continue
        items = [value] if isinstance(value, str | Path) else list(value)
        named += [(label, Path(p)) for p in items]
    return named


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


def csv_text(rows: Iterable[dict[str, str]], fields: Sequence[str]) -> str:
    """The rows as CSV text: a header of ``fields``, LF line ends (as mapgen writes CSV)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


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
