"""The ``zorgblik`` command: parses, then delegates to the packages' library functions.

Errors are translated here, once: a :class:`ZorgblikError` becomes one line on stderr and its
exit code; anything else is a bug and is reported as such (with the traceback only under
``--debug``).
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys

import click

from zorgblik import __version__
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings, settings_help


#: The command modules; each adds its command (of the same name) to ``cli`` when imported.
COMMAND_MODULES = ("script", "capture", "build", "serve", "demo", "admin", "privacy", "retention", "station")


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or help lists them all): the
    modules pull in OpenCV, SQLAlchemy, FastAPI and more, and 'zorgblik script lint' should
    not wait for what 'zorgblik serve' needs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMAND_MODULES and name not in self.commands:
            importlib.import_module(f"zorgblik.cli.{name}")
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zorgblik")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Data folder (database, footage store, bundles). Default: $ZORGBLIK_DATA_DIR or ./zorgblik-data",
)
@click.option("--debug", is_flag=True, help="Show debug logging and full tracebacks.")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, debug: bool) -> None:
    """zorgblik: 360°-opnames van je eigen zorgorganisatie als VR-scènes voor intake,
    sollicitatie en werkveldoriëntatie."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings.from_env(data_dir=data_dir)
    ctx.meta["debug"] = debug


@cli.command("settings")
def settings_cmd() -> None:
    """Alle instellingen met hun standaardwaarde (overschrijfbaar met omgevingsvariabelen)."""
    click.echo(settings_help())


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = cli.main(args=argv, prog_name="zorgblik", standalone_mode=False)
    except ZorgblikError as exc:
        if debug:
            raise
        click.echo(f"zorgblik: fout: {exc.one_line()}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("zorgblik: afgebroken", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else 0


def run() -> None:
    """The ``zorgblik`` command: :func:`main`, then the process ends without a last sweep of the
    garbage collector over every object (SQLAlchemy's and pydantic's included), which took a
    fifth of a second after every command. Objects are still released; the process just does not
    look for cycles on its way out."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
