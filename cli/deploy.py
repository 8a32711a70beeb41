"""``zorgblik deploy nginx``: write an nginx config that puts nginx in front of the service."""

from __future__ import annotations

from pathlib import Path

import click

from cli import cli
from zorgblik.settings import Settings


@cli.group("deploy")
def deploy_group() -> None:
    """Zet de service achter nginx: nginx stuurt de bundelbestanden, de service controleert."""


@deploy_group.command("nginx")
@click.option("--listen", type=int, default=8080, show_default=True, help="Poort waarop nginx luistert.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Map voor nginx' pid, logboek en tijdelijke bestanden. Standaard: <datamap>/nginx")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Schrijf de configuratie naar dit bestand (standaard: <run-dir>/nginx.conf).")
@click.pass_obj
def nginx(settings: Settings, listen: int, run_dir: Path | None, out: Path | None) -> None:
    """Schrijf een nginx-configuratie voor deze datamap: nginx luistert op --listen, geeft alles
    door aan de service en stuurt de bundelbestanden zelf (Range, sendfile)."""
    from headset_service.nginx import nginx_config
    from zorgblik.private import private_dir

    run_dir = run_dir or Path(settings.data_dir) / "nginx"
    private_dir(run_dir)
    out = out or run_dir / "nginx.conf"
    text = nginx_config(settings, listen, run_dir)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    click.echo(f"nginx-configuratie geschreven: {out}", err=True)
    click.echo(f"1. start de service met ZORGBLIK_FILE_SENDER=nginx zorgblik serve  (poort {settings.port})", err=True)
    click.echo(f"2. start nginx als de eigenaar van de datamap: nginx -c {out}", err=True)
    click.echo(f"   headsets en medewerkers gebruiken dan http://<deze-pc>:{listen}/", err=True)
