"""``mapgen import-areas``: a series of control polygons in, a dataset folder out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapgen.cli.options import extent_option
from mapgen.cli.progress import say, tty_progress


@click.command("import-areas")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--controller", help="The side that holds the polygons (an id, e.g. russia).")
@click.option("--side-field", help="Or: the field that names each polygon's side.")
@click.option(
    "--date-field", help="The field with each polygon's date (default: the date in the file name)."
)
@click.option("--rest", metavar="ID", help="The side that holds all other ground of the countries.")
@click.option("--source", default="", help="Who drew the polygons (goes into every event).")
@click.option("--source-url", default="", help="Where the polygons come from.")
@click.option("--title", help="The dataset's title.")
@extent_option
@click.option(
    "--countries",
    metavar="ISO3,...",
    help="The countries the sides hold ground in. Default: where the polygons lie.",
)
@click.option(
    "--places/--no-places",
    default=False,
    show_default=True,
    help="Also write the GeoNames places of those countries inside the extent.",
)
@click.option(
    "--min-population",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="With --places: leave out smaller places.",
)
@click.option(
    "--tile-deg",
    type=click.FloatRange(min=0.01, max=10),
    default=0.25,
    show_default=True,
    help="Ground is stored in pieces cut on a grid of this size (degrees).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The dataset folder to write (created if needed).",
)
def import_areas_command(paths: tuple[Path, ...], out: Path, **options: Any) -> None:
    """Turn a series of dated control polygons into a dataset folder that mapgen build
    --dataset reads.

    The folder holds events.csv with area events, areas.geojson, places.csv,
    controllers.csv, relations.csv and dataset.toml.

    One file per date (the date in the file name, e.g. areas_20240708.geojson.gz) or one
    file with --date-field; GeoJSON (also .gz), GeoPackage, Shapefile, KML. Only what
    changes from day to day is stored; days missing from the series keep the day before.

    Example: mapgen import-areas deepstate/*.geojson.gz --controller russia --rest ukraine
    --source "DeepStateMap" --out ukraine
    """
    from mapgen.areaimport.dataset import DATASET_FILES, ImportOptions, import_areas, write_dataset
    from mapgen.areaimport.series import read_series

    targets = {(out / name).resolve() for name in DATASET_FILES}
    for path in paths:
        if path.resolve() in targets:
            raise click.BadParameter(f"{path} would be overwritten; choose another --out")
    series = read_series(
        list(paths),
        controller=options["controller"],
        side_field=options["side_field"],
        date_field=options["date_field"],
    )
    countries = options["countries"]
    opts = ImportOptions(
        source=options["source"],
        source_url=options["source_url"],
        rest=options["rest"],
        title=options["title"],
        extent=options["extent"],
        countries=tuple(c.strip().upper() for c in countries.split(",")) if countries else None,
        tile_deg=options["tile_deg"],
    )
    with tty_progress("days") as progress:
        data = import_areas(series, opts, progress=progress)
    if options["places"]:
        from mapgen.world.geonames import select_places

        every = sorted({c for cs in data.countries.values() for c in cs})
        data.places = select_places(
            every, extent=data.extent, min_population=options["min_population"]
        )
    written = write_dataset(data, out)
    for path in written:
        say(f"wrote {path}")
    pieces = sum(len(p.pieces) for p in data.partitions)
    changes = sum(len(p.change_days) for p in data.partitions)
    missing = data.series.missing_days()
    click.echo(
        f"{len(series.all_days())} days, {changes} with changes, {pieces} pieces; "
        f"{len(missing)} days missing from the series"
        + (": " + ", ".join(f"{d:%Y-%m-%d}" for d in missing) if missing else ""),
        err=True,
    )
