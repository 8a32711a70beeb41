"""``zorgblik worker``: a Dask worker with zorgblik's environment, for ``zorgblik build --executor dask``."""

from __future__ import annotations

import click

from cli import cli
from zorgblik.settings import Settings


@cli.command("worker")
@click.option("--scheduler", required=True, metavar="tcp://HOST:8786", help="De Dask-scheduler om voor te werken.")
@click.option("--nthreads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Scènes tegelijk in deze worker (ffmpeg gebruikt zelf al meerdere kernen).")
@click.pass_obj
def worker(settings: Settings, scheduler: str, nthreads: int) -> None:
    """Werk voor een Dask-cluster: bouw scènes voor 'zorgblik build --executor dask'.

    De worker moet dezelfde datamap en bouwcache bereiken als wie bouwt (dezelfde machine of een
    gedeelde map: ZORGBLIK_DATA_DIR, ZORGBLIK_RENDER_CACHE_DIR), of bouwt wie bouwt met --store URL:
    dan leest en schrijft de worker alleen daar (voor s3:// de AWS_*-variabelen hier)."""
    import asyncio

    from distributed import Worker

    async def run() -> None:
        async with Worker(scheduler, nthreads=nthreads, name=None) as w:
            click.echo(f"zorgblik-worker {w.address} werkt voor {scheduler} (stoppen met Ctrl-C)", err=True)
            await w.finished()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise click.ClickException(f"geen Dask-scheduler op {scheduler}: {exc}") from None
