"""Consent per person filmed: record, update, withdraw, and what it means for a footage item."""

from __future__ import annotations

from datetime import datetime

import pytest

from capture import ConsentError, consent_state, record_consent, withdraw
from catalog import Footage, NotFound, queries


@pytest.fixture
def two_items(catalog):
    """Two footage rows; what is in the pictures does not matter for consent (ingest is tested elsewhere)."""
    with catalog.session() as db:
        rows = [Footage(sha256=c * 64, original_name=f"{c}.jpg", store_path=f"{c}.jpg", size_bytes=1, media_kind="photo",
                        codec="mjpeg", width=800, height=400, projection="equirectangular", stereo="mono")
                for c in "ab"]
        db.add_all(rows)
        db.flush()
        return [r.id for r in rows]


def _state(catalog, footage_id):
    with catalog.session() as db:
        return consent_state(queries.get_footage(db, footage_id))


def test_state_follows_everyone_on_record(catalog, two_items):
    first, _ = two_items
    assert _state(catalog, first) == "none_recorded"
    with catalog.session() as db:
        record_consent(db, first, person="F-17", role="client", status="given", form_ref="FORM-88")
        record_consent(db, first, person="M-02", role="staff", status="unknown")
    assert _state(catalog, first) == "blur_required"
    with catalog.session() as db:  # the form came back signed: the same person, updated
        record_consent(db, first, person="M-02", role="staff", status="given", form_ref="FORM-89")
        assert len(queries.get_footage(db, first).consents) == 2
    assert _state(catalog, first) == "ok"
    with catalog.session() as db:
        record_consent(db, first, person="B-01", role="visitor", status="refused")
    assert _state(catalog, first) == "blur_required"


def test_withdraw_dates_it_and_returns_the_footage_to_redo(catalog, two_items):
    first, second = two_items
    when = datetime(2026, 3, 1, 9, 30)
    with catalog.session() as db:
        for footage_id in two_items:
            record_consent(db, footage_id, person="F-17", role="client", status="given", form_ref="FORM-88")
        assert withdraw(db, "F-17", footage_id=second, when=when) == [second]
    with catalog.session() as db:
        c = queries.consent_for(db, second, "F-17")
        assert (c.status, c.withdrawn_at) == ("withdrawn", when)
        assert queries.consent_for(db, first, "F-17").status == "given"
    assert _state(catalog, second) == "blur_required"
    with catalog.session() as db:  # everywhere at once, e.g. a client who leaves
        assert withdraw(db, "F-17") == [first, second]
        assert queries.consent_for(db, second, "F-17").withdrawn_at == when  # first withdrawal date kept


@pytest.mark.parametrize("kwargs,words", [
    (dict(person="F-17", role="patient", status="given"), "onbekende rol 'patient'"),
    (dict(person="F-17", role="client", status="ja"), "onbekende status 'ja'"),
    (dict(person="F-17", role="client", status="withdrawn"), "capture withdraw"),
    (dict(person="  ", role="client", status="given"), "persoonsreferentie"),
], ids=["role", "status", "withdrawn-via-record", "empty-person"])
def test_wrong_consent_is_refused_in_dutch(catalog, two_items, kwargs, words):
    with catalog.session() as db, pytest.raises(ConsentError) as info:
        record_consent(db, two_items[0], **kwargs)
    assert words in info.value.one_line()
    assert _state(catalog, two_items[0]) == "none_recorded"


def test_unknown_footage_or_person(catalog, two_items):
    with catalog.session() as db, pytest.raises(NotFound):
        record_consent(db, 999, person="F-17", role="client", status="given")
    with catalog.session() as db, pytest.raises(ConsentError) as info:
        withdraw(db, "X-99", footage_id=two_items[0])
    assert "geen toestemming vastgelegd voor X-99" in info.value.one_line()
