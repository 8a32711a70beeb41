"""Consent: who is recognisably filmed in a footage item, and whether they agreed.

One record per person per footage item; recording again for the same person updates it::

    record_consent(db, footage_id, person="F-2024-017", role="client", status="given", form_ref="FORM-88")
    withdraw(db, "F-2024-017", footage_id=3)       # -> [3]: footage the privacy stage must redo
    consent_state(footage)                          # "ok" | "blur_required" | "none_recorded"

``person`` is personal data (a reference the communications team traces to a signed form):
show it where one item is looked at (``capture show``), never in overviews.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from capture.errors import ConsentError
from catalog import queries
from catalog.models import Consent, Footage, utcnow
from zorgblik.terms import CONSENT_STATES, CONSENT_STATUSES, FILMED_ROLES

OK, BLUR_REQUIRED, NONE_RECORDED = CONSENT_STATES  # the words, in the order terms declares them


def _check_person(person: str) -> str:
    person = (person or "").strip()
    if not person or len(person) > 255:
        raise ConsentError("geef een persoonsreferentie (1 tot 255 tekens)", hint="bijv. --person F-2024-017")
    return person


def record_consent(
    db: DbSession,
    footage_id: int,
    *,
    person: str,
    role: str,
    status: str,
    form_ref: str | None = None,
    when: datetime | None = None,
) -> Consent:
    """Record that ``person`` (in ``role``) is filmed in the footage, with consent ``status``.

    Recording for a person already on record replaces their role, status and form; a
    withdrawal is made with :func:`withdraw`, which also dates it.
    """
    person = _check_person(person)
    if role not in FILMED_ROLES:
        raise ConsentError(f"onbekende rol '{role}'", hint="kies uit: " + ", ".join(FILMED_ROLES))
    if status not in CONSENT_STATUSES or status == "withdrawn":
        raise ConsentError(
            f"onbekende status '{status}'" if status not in CONSENT_STATUSES else "intrekken gaat met 'zorgblik capture withdraw'",
            hint="kies uit: given, refused, unknown",
        )
    footage = queries.get_footage(db, footage_id)
    consent = queries.consent_for(db, footage.id, person)
    if consent is None:
        consent = queries.add_consent(db, footage, person=person, role=role, status=status, form_ref=form_ref)
    else:
        consent.role, consent.status, consent.form_ref, consent.withdrawn_at = role, status, form_ref, None
    consent.recorded_at = when or utcnow()
    db.flush()
    return consent


def withdraw(db: DbSession, person: str, *, footage_id: int | None = None, when: datetime | None = None) -> list[int]:
    """Withdraw ``person``'s consent for one footage item, or for all of them when ``footage_id`` is None.

    Sets the status to ``withdrawn`` with ``withdrawn_at``, and returns the ids of the footage
    affected, in order. The privacy stage uses them to rebuild (blurred) or withdraw the scene
    versions made from that footage; that rebuild is not done here (a later issue).
    """
    person = _check_person(person)
    if footage_id is not None:
        queries.get_footage(db, footage_id)
    records = queries.consents_of_person(db, person, footage_id=footage_id)
    if not records:
        where = f"footage:{footage_id}" if footage_id is not None else None
        raise ConsentError(f"geen toestemming vastgelegd voor {person}", where=where,
                           hint="zie 'zorgblik capture show ID' voor wie er is vastgelegd")
    moment = when or utcnow()
    for consent in records:
        if consent.status != "withdrawn":
            consent.status, consent.withdrawn_at = "withdrawn", moment
    db.flush()
    return sorted({c.footage_id for c in records})


def consent_state(footage: Footage) -> str:
    """``ok`` when everyone recorded gave consent, ``blur_required`` when anyone's consent is
    unknown, refused or withdrawn, ``none_recorded`` when nobody is on record."""
    if not footage.consents:
        return NONE_RECORDED
    return OK if all(c.status == "given" for c in footage.consents) else BLUR_REQUIRED
