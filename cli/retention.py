"""``zorgblik retention``: delete old session data, and export or erase one learner's data."""

from __future__ import annotations

import json

import click

from catalog import Catalog, retention
from cli import cli
from zorgblik.settings import Settings


@cli.group("retention")
def retention_group() -> None:
    """Bewaartermijn: oude sessiegegevens opruimen; gegevens van één leerling inzien of wissen."""


@retention_group.command("run")
@click.option("--months", type=int, default=None, help="Bewaartermijn in maanden (standaard: ZORGBLIK_RETENTION_MONTHS).")
@click.pass_obj
def run(settings: Settings, months: int | None) -> None:
    """Verwijder sessies (met events en notities) die ouder zijn dan de bewaartermijn."""
    months = settings.retention_months if months is None else months
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        cutoff = retention.retention_cutoff(months)
        removed = retention.purge_older_than(db, cutoff)
    click.echo(f"{removed} sessies van voor {cutoff:%d-%m-%Y} verwijderd (bewaartermijn {months} maanden).")


@retention_group.command("export")
@click.argument("learner_code")
@click.pass_obj
def export(settings: Settings, learner_code: str) -> None:
    """Alles wat over leerling LEARNER_CODE bewaard is, als JSON."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        click.echo(json.dumps(retention.learner_export(db, learner_code), ensure_ascii=False, indent=2))


@retention_group.command("erase")
@click.argument("learner_code")
@click.confirmation_option(prompt="Alle gegevens van deze leerling definitief wissen?")
@click.pass_obj
def erase(settings: Settings, learner_code: str) -> None:
    """Wis alle gegevens van leerling LEARNER_CODE (sessies, events, notities, uitkomst)."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        removed = retention.erase_learner(db, learner_code)
    click.echo(f"Gegevens van {learner_code} gewist ({removed} sessies).")
