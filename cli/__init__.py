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


#: The command modules, each with the line 'zorgblik --help' shows for it. A module adds its
#: command (of the same name) to ``cli`` when imported; the list of commands is shown without
#: importing any (tests/cli/test_command.py holds each line to the command's own help).
COMMANDS = {
    "script": "VR-scripts: een nieuw script maken, controleren en nagaan wat verouderd is.",
    "capture": "360°-opnames toevoegen en bekijken, en toestemming van gefilmde personen vastleggen.",
    "build": "Bouw scènebundels uit VR-scripts (alleen wat veranderd is wordt opnieuw gecodeerd).",
    "serve": "Start de headsetservice (stoppen met Ctrl-C).",
    "demo": "Bouw de voorbeeldscripts uit demo/, publiceer ze en start de service.",
    "admin": "Beheer: medewerkersaccounts.",
    "privacy": "Gezichten onherkenbaar maken in 360°-beeld, met een reviewblad om af te tekenen.",
    "retention": "Bewaartermijn: oude sessiegegevens opruimen; gegevens van één leerling inzien of wissen.",
    "worker": "Werk voor een Dask-cluster: bouw scènes voor 'zorgblik build --executor dask'.",
    "deploy": "Zet de service achter nginx: nginx stuurt de bundelbestanden, de service controleert.",
    "station": "Speel scènes af op een headset aan deze pc (OpenXR: SteamVR, Meta Quest Link of Monado).",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs: the modules pull in OpenCV,
    SQLAlchemy, FastAPI and more, and 'zorgblik script lint' (or 'zorgblik --help') should not
    wait for what 'zorgblik serve' needs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            importlib.import_module(f"cli.{name}")
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                rows.append((name, click.Command(name, help=COMMANDS[name]).get_short_help_str(limit)))
            elif not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


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
