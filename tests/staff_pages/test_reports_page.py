"""Reports per context, category, scene and week; CSV and xAPI exports; and what each role may see:
a teacher never sees HR's interviews."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog import event_log, queries, session_control
from catalog.models import utcnow


@pytest.fixture(scope="module")
def history(site):
    key = site.bundle(script="de-brug-gehandicaptenzorg", scene="woonkamer", title="Samen koken op de woongroep",
                      category="gehandicaptenzorg", contexts=("intake", "sollicitatie", "werkveldorientatie"))
    ids = {}
    with site.catalog.session() as db:
        version = queries.scene_version_by_bundle_key(db, key)
        for context, learner in (("intake", "K7F2"), ("sollicitatie", "KAND1"), ("werkveldorientatie", "KLAS9")):
            session = session_control.start_session(db, context=context, learner_code=learner)
            at = utcnow() - timedelta(days=2)
            session.started_at = at
            event_log.ingest_events(db, session, [
                {"event_id": f"evt-{learner}-start", "kind": "session_start", "at": at, "scene_version_id": None, "data": {}},
                {"event_id": f"evt-{learner}-scene", "kind": "scene_start", "at": at + timedelta(seconds=5),
                 "scene_version_id": version.id, "data": {}},
                {"event_id": f"evt-{learner}-hot", "kind": "hotspot_open", "at": at + timedelta(seconds=30),
                 "scene_version_id": version.id, "data": {"hotspot": "fornuis"}},
            ])
            ids[context] = session.id
    return ids


def test_intake_reads_usage_and_exports_csv_and_xapi(site, history, open_as, shoot):
    page = open_as("intake")
    page.get_by_role("link", name="Rapportages").first.click()
    expect(page.get_by_role("img", name="Sessies per context: Intake 1")).to_be_visible()
    expect(page.get_by_role("img", name="Meest bekeken scènes: Samen koken op de woongroep 1")).to_be_visible()
    shoot(page, "reports-intake")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (Excel)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(r["context"], r["learner_code"], r["scenes_started"]) for r in rows] == [("intake", "K7F2", "1")]
    with page.expect_download() as download:
        page.get_by_role("link", name="xAPI voor het leerrecordsysteem").click()
    statements = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [s["verb"]["display"]["en-US"] for s in statements] == ["initialized", "experienced", "interacted"]
    assert {s["actor"]["account"]["name"] for s in statements} == {"K7F2"}
    assert statements[1]["object"]["definition"]["name"]["nl-NL"] == "Samen koken op de woongroep"
    page.get_by_role("link", name=f"Tijdlijn sessie {history['intake']}").click()
    expect(page.locator("#tijdlijn ~ ol")).to_contain_text("hotspot geopend: Samen koken op de woongroep — fornuis")


def test_a_teacher_does_not_see_hr_interviews(site, history, open_as):
    page = open_as("teacher")
    page.goto(f"{site.base_url}/rapportages")
    expect(page.get_by_role("img", name="Sessies per context: Werkveldoriëntatie 1")).to_be_visible()
    expect(page.get_by_text("KAND1")).to_have_count(0)
    assert page.goto(f"{site.base_url}/rapportages/export.csv?context=sollicitatie").status == 403
    assert page.goto(f"{site.base_url}/sessies/{history['sollicitatie']}").status == 403
    csv_text = page.request.get(f"{site.base_url}/rapportages/export.csv").text()
    assert "KLAS9" in csv_text and "KAND1" not in csv_text and "K7F2" not in csv_text
