"""Enrolment outcomes per pseudonymous learner code, and the effect report: do students who
had a VR session drop out less?

The coordinator records, per learner code, the cohort, the care category, whether the student
started, and whether they were still enrolled after ``period_months`` (None while not yet known).
A learner "had a VR session" when any session carries their learner code.

Dropout is counted among students who started and whose enrolment after the period is known;
the others are counted apart (not started, not known yet), never silently left out. Each cell
says its n, and a group smaller than :data:`SMALL_GROUP` is flagged: a percentage of 3 students
says little.

    record_outcome(db, learner_code="L-0412", cohort="2026-2027", care_category="ouderenzorg",
                   started=True, enrolled_after=False, period_months=6)
    effect_report(db, period_months=6) -> EffectReport
    import_outcomes_csv(db, text) -> number of rows recorded
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import CatalogError
from catalog.models import LearnerOutcome, Session, StaffUser, utcnow

SMALL_GROUP = 10
CODE_LENGTH = 64


class OutcomeError(CatalogError):
    """An outcome cannot be recorded as given (an empty code, a CSV row that does not parse)."""


def clean_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").strip() if ch.isalnum() or ch in "-_")[:CODE_LENGTH]


def _checked(learner_code: str, cohort: str, care_category: str, period_months: int, where: str = "") -> str:
    code = clean_code(learner_code)
    prefix = f"{where}: " if where else ""
    if not code:
        raise OutcomeError(f"{prefix}leerlingcode is leeg", hint="gebruik de pseudonieme code, niet de naam")
    if not cohort.strip() or not care_category.strip():
        raise OutcomeError(f"{prefix}cohort en zorgcategorie zijn nodig voor {code}")
    if not 1 <= period_months <= 60:
        raise OutcomeError(f"{prefix}periode van {period_months} maanden kan niet", hint="kies 1 tot 60 maanden")
    return code


def record_outcome(db: DbSession, *, learner_code: str, cohort: str, care_category: str, started: bool,
                   enrolled_after: bool | None, period_months: int = 6, by: StaffUser | None = None) -> LearnerOutcome:
    """Record (or correct) the outcome of one learner code."""
    code = _checked(learner_code, cohort, care_category, period_months)
    row = db.scalar(select(LearnerOutcome).where(LearnerOutcome.learner_code == code))
    if row is None:
        row = LearnerOutcome(learner_code=code)
        db.add(row)
    row.cohort, row.care_category = cohort.strip()[:32], care_category.strip()[:64]
    row.started = started
    row.enrolled_after = enrolled_after if started else None
    row.period_months = period_months
    row.recorded_at, row.recorded_by_id = utcnow(), by.id if by else None
    db.flush()
    return row


def list_outcomes(db: DbSession, limit: int = 50) -> list[LearnerOutcome]:
    return list(db.scalars(select(LearnerOutcome).order_by(LearnerOutcome.recorded_at.desc(), LearnerOutcome.id.desc())
                           .limit(limit)))


def codes_with_vr(db: DbSession) -> set[str]:
    return set(db.scalars(select(Session.learner_code).where(Session.learner_code.is_not(None)).distinct()))


@dataclass
class Cell:
    """Students who started and whose enrolment after the period is known."""

    n: int = 0
    dropped: int = 0

    @property
    def rate(self) -> float | None:
        return self.dropped / self.n if self.n else None

    @property
    def small(self) -> bool:
        return self.n < SMALL_GROUP


@dataclass
class EffectRow:
    cohort: str
    care_category: str
    with_vr: Cell = field(default_factory=Cell)
    without_vr: Cell = field(default_factory=Cell)
    not_started: int = 0
    unknown: int = 0

    @property
    def small(self) -> bool:
        return self.with_vr.small or self.without_vr.small


@dataclass
class EffectReport:
    rows: list[EffectRow]
    total: EffectRow
    period_months: int | None

    @property
    def any_small(self) -> bool:
        return any(r.small for r in self.rows) or self.total.small


def _count(row: EffectRow, outcome: LearnerOutcome, had_vr: bool) -> None:
    if not outcome.started:
        row.not_started += 1
    elif outcome.enrolled_after is None:
        row.unknown += 1
    else:
        cell = row.with_vr if had_vr else row.without_vr
        cell.n += 1
        cell.dropped += not outcome.enrolled_after


def effect_report(db: DbSession, *, period_months: int | None = None, cohort: str | None = None,
                  care_category: str | None = None) -> EffectReport:
    """Dropout with and without a VR session per cohort and care category, with the counts."""
    stmt = select(LearnerOutcome)
    if period_months:
        stmt = stmt.where(LearnerOutcome.period_months == period_months)
    if cohort:
        stmt = stmt.where(LearnerOutcome.cohort == cohort)
    if care_category:
        stmt = stmt.where(LearnerOutcome.care_category == care_category)
    with_vr = codes_with_vr(db)
    rows: dict[tuple[str, str], EffectRow] = {}
    total = EffectRow("alle cohorten", "alle zorgcategorieën")
    for outcome in db.scalars(stmt):
        key = (outcome.cohort, outcome.care_category)
        row = rows.setdefault(key, EffectRow(*key))
        had_vr = outcome.learner_code in with_vr
        _count(row, outcome, had_vr)
        _count(total, outcome, had_vr)
    return EffectReport([rows[k] for k in sorted(rows)], total, period_months)


def choices(db: DbSession) -> dict[str, list]:
    """The cohorts, care categories and periods on record, for the report's filters."""
    def distinct(column) -> list:
        return sorted(db.scalars(select(column).distinct()))

    return {"cohorts": distinct(LearnerOutcome.cohort), "categories": distinct(LearnerOutcome.care_category),
            "periods": distinct(LearnerOutcome.period_months)}


_YES = {"ja", "j", "yes", "y", "1", "true", "waar"}
_NO = {"nee", "n", "no", "0", "false", "onwaar"}
CSV_COLUMNS = ("leerlingcode", "cohort", "zorgcategorie", "gestart", "ingeschreven", "periode")


def _yes_no(value: str, *, where: str, unknown_ok: bool) -> bool | None:
    value = (value or "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    if unknown_ok and value in {"", "?", "onbekend"}:
        return None
    raise OutcomeError(f"{where}: '{value}' is geen ja of nee")


def import_outcomes_csv(db: DbSession, text: str, *, by: StaffUser | None = None) -> int:
    """Record every row of a CSV with the columns :data:`CSV_COLUMNS` (``;`` or ``,``); all or nothing."""
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, delimiters=";,") if sample.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS[:5] if c not in header]
    if missing:
        raise OutcomeError(f"kolommen ontbreken: {', '.join(missing)}",
                           hint="eerste regel: " + ";".join(CSV_COLUMNS))
    parsed = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        where = f"regel {number}"
        try:
            period = int(row.get("periode") or 6)
        except ValueError:
            raise OutcomeError(f"{where}: periode '{row.get('periode')}' is geen aantal maanden") from None
        _checked(row["leerlingcode"], row["cohort"], row["zorgcategorie"], period, where)
        parsed.append({"learner_code": row["leerlingcode"], "cohort": row["cohort"], "care_category": row["zorgcategorie"],
                       "started": bool(_yes_no(row["gestart"], where=where, unknown_ok=False)),
                       "enrolled_after": _yes_no(row["ingeschreven"], where=where, unknown_ok=True),
                       "period_months": period})
    for fields in parsed:  # every row checked first: a bad row records nothing
        record_outcome(db, **fields, by=by)
    return len(parsed)


__all__ = ["CSV_COLUMNS", "SMALL_GROUP", "Cell", "EffectReport", "EffectRow", "OutcomeError", "choices", "codes_with_vr",
           "effect_report", "import_outcomes_csv", "list_outcomes", "record_outcome"]
