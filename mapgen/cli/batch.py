"""``mapgen build-many``: several builds from a manifest, each into its own folder."""

from __future__ import annotations

from pathlib import Path

import click

from mapgen.cli.options import jobs_option, scheduler_option
from mapgen.cli.progress import quiet


@click.command("build-many")
@click.argument("manifest", type=click.Path(path_type=Path, dir_okay=False))
@jobs_option
@scheduler_option
def build_many_command(manifest: Path, jobs: int | None, scheduler: str | None) -> None:
    """Build several datasets listed in a manifest (TOML), each into its own folder.

    Each [[dataset]] table names a build: name, out, and any of build's options (events,
    places, controllers, start, end, method, ...; paths relative to the manifest). With
    --scheduler the builds run at the same time on the cluster, else one after the other.
    A build that fails is reported and the others go on; the exit status is then 1.

    Example: mapgen build-many builds.toml --scheduler tcp://10.0.0.5:8786
    """
    from mapgen.batch import Outcome, build_many, read_manifest

    jobs_list = read_manifest(manifest)
    loud = not quiet()  # asked here: on_done may be called from another thread

    def report(outcome: Outcome) -> None:
        name = outcome.job.name
        if outcome.ok and loud:
            click.echo(
                f"{name}: wrote {len(outcome.written)} files into {outcome.job.out}", err=True
            )
        elif not outcome.ok:
            click.echo(f"{name}: failed: {outcome.error}", err=True)

    outcomes = build_many(jobs_list, scheduler=scheduler or None, processes=jobs, on_done=report)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        names = ", ".join(repr(o.job.name) for o in failed)
        raise click.ClickException(
            f"{len(failed)} of {len(outcomes)} builds failed ({names}); the others were written"
        )
