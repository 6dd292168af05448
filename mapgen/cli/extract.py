"""``mapgen extract``: candidate events from news articles (text or HTML, ten languages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mapgen._io import Table, read_csv, refuse_overwrite, write_text_atomic
from mapgen.cli.progress import say
from mapgen.dates import ReportedDate, parse_date
from mapgen.extract import Extraction, Extractor, default_extractor
from mapgen.extract.candidates import CANDIDATE_FIELDS, merge_rows
from mapgen.extract.merge import candidates_table, check_rows, choose_rows
from mapgen.problems import Problems

_FILE = click.Path(path_type=Path, dir_okay=False)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> ReportedDate | None:
    if value is None:
        return None
    try:
        found = parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if found.precision not in ("day", "month"):
        raise click.BadParameter(
            f"{value!r}: use YYYY-MM-DD, or YYYY-MM if only the month is known"
        )
    return found


@click.command("extract")
@click.argument("articles", nargs=-1, type=_FILE)
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="The articles' date, when they have no dateline (YYYY-MM if only the month "
              "is known). Overrides the dateline.")  # fmt: skip
@click.option("--out", type=_FILE, help="Candidates to write (CSV).")
@click.option("--unresolved", type=_FILE,
              help="Statements about places the gazetteer lacks (CSV; default "
              "<out>_unresolved.csv).")  # fmt: skip
@click.option("--merge-into", type=_FILE,
              help="Append the candidates to this events table (never overwriting or repeating "
              "a row). Without it no events table is touched.")  # fmt: skip
@click.option("--reviewed", type=_FILE,
              help="Merge this reviewed candidates CSV (made by an earlier run) instead of "
              "extracting; needs --merge-into.")  # fmt: skip
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Only candidates at least this confident are merged.")  # fmt: skip
@click.option("--places", type=_FILE, help="Gazetteer (CSV). Default: embedded.")
@click.option("--controllers", type=_FILE, help="Controllers (CSV). Default: embedded.")
def extract_command(
    articles: tuple[Path, ...],
    date: ReportedDate | None,
    out: Path | None,
    unresolved: Path | None,
    merge_into: Path | None,
    reviewed: Path | None,
    min_confidence: float,
    places: Path | None,
    controllers: Path | None,
) -> None:
    """Find statements of control in news articles and write them as candidate events.

    Reads plain text or HTML in English, Arabic, Latvian, Greek, Russian, Ukrainian, French,
    German, Spanish or Turkish (the language of each article is detected); dates come from the
    dateline or --date. An article that cannot be read (no date, another language) is named
    and skipped; the others are written, and the exit status is 1. Review the candidates
    (confidence, evidence) before merging them.

    Example: mapgen extract article1.txt article2.html --out candidates.csv;
    mapgen extract --reviewed candidates.csv --merge-into my_events.csv
    """
    if reviewed is not None and merge_into is None:
        raise click.UsageError("--reviewed needs --merge-into FILE")
    if reviewed is None and (not articles or out is None):
        raise click.UsageError("give one or more ARTICLE files and --out FILE")
    if out is not None:
        unresolved = unresolved or out.with_name(f"{out.stem}_unresolved.csv")
    inputs = {"ARTICLE": articles, "--places": places, "--controllers": controllers,
              "--reviewed": reviewed}  # fmt: skip
    refuse_overwrite(
        {"--out": out, "--unresolved": unresolved}, {**inputs, "--merge-into": merge_into}
    )
    refuse_overwrite({"--merge-into": merge_into}, inputs)
    extractor = default_extractor(places, controllers)
    if reviewed is not None:
        problems = Problems()
        table = read_csv(reviewed, problems)
        problems.raise_if_errors()
        _merge(table, merge_into, extractor, min_confidence)
        return
    result = extractor.extract(articles, date=date)
    for failure in result.failures:
        click.echo(f"error: {failure.message}", err=True)
    if result.articles:
        write_text_atomic(out, result.candidates_csv())
        say(f"wrote {out}: {len(result.candidates)} candidate(s)")
        write_text_atomic(unresolved, result.unresolved_csv())
        names = sorted({r["name"] for r in result.unresolved_rows()})
        say(f"wrote {unresolved}: {len(names)} unknown place name(s)"
            + (f": {', '.join(names)}" if names else ""))  # fmt: skip
        if merge_into is not None:
            _merge(candidates_table(result.rows()), merge_into, extractor, min_confidence)
    if result.failures:
        raise click.exceptions.Exit(_summary(result, len(articles)))


def _summary(result: Extraction, total: int) -> int:
    """Print the closing line on the articles not read; the exit status (1)."""
    unsupported = [f for f in result.failures if f.unsupported]
    other = len(result.failures) - len(unsupported)
    parts = [f"{len(result.articles)} of {total} article(s) read"]
    if unsupported:
        parts.append(f"{len(unsupported)} in a language without word lists")
    if other:
        parts.append(f"{other} not read (see the errors above)")
    written = "" if result.articles else "; nothing written"
    click.echo("extract: " + "; ".join(parts) + written, err=True)
    return 1


def _merge(table: Table, path: Path, extractor: Extractor, min_confidence: float) -> None:
    missing = [f for f in CANDIDATE_FIELDS[:10] if table.rows and f not in table.header]
    if missing:
        raise click.UsageError(f"the candidates lack the column(s) {', '.join(missing)}")
    chosen, skipped = choose_rows(table, min_confidence=min_confidence)
    check_rows(Table(table.path, table.header, chosen), extractor.gazetteer, extractor.controllers)
    merged = merge_rows(path, [r.values for r in chosen], resolve_place=_resolver(extractor))
    for line in [*map(str, skipped), *merged.present]:
        click.echo(line, err=True)
    say(f"merged into {path}: {len(merged.added)} row(s) added, {len(merged.present)} "
        f"already there, {len(skipped)} skipped")  # fmt: skip


def _resolver(extractor: Extractor) -> Callable[[str], str]:
    def resolve(text: str) -> str:
        found = extractor.gazetteer.resolve(text)
        return found[0] if len(found) == 1 else text

    return resolve
