"""Starting points: one filled-in, commented VR script per care category.

The files in ``templates/`` are YAML with a few ``${placeholders}`` that :func:`new_script` fills
in: ``${organisation}`` and ``${team}`` wherever a template shows the organisation's or the team's
name (quoted, so any name is safe), ``${custom_category}`` (only in ``custom.yaml``: the name of
the organisation's own care category) and ``${review_3m}``, ``${review_6m}``, ``${review_12m}``
(today plus three, six or twelve months), so that a new script has no fact that is already due.
A literal dollar sign in a template is written ``$$``.
"""

from __future__ import annotations

import calendar
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

from scripts_vr.errors import ScriptError, ScriptExists

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Example:
    """The fictional organisation and team a template describes until the trainer renames them."""

    organisation: str
    team: str


#: Each category with a template, and its fictional example.
EXAMPLES: dict[str, Example] = {
    "ouderenzorg": Example("Zorggroep De Linde", "Team De Vlinder"),
    "gehandicaptenzorg": Example("Stichting Het Baken", "Woongroep De Kastanje"),
    "wijkverpleging": Example("Thuiszorg Rivierenland", "Wijkteam Oost"),
    "ziekenhuis": Example("Ziekenhuis Zuiderzee", "Afdeling Chirurgie 3B"),
    "ggz": Example("GGZ Kempenland", "Kliniek De Brug"),
    "jeugdzorg": Example("Jeugdzorg De Horizon", "Leefgroep De Boei"),
    "custom": Example("Zorgorganisatie Voorbeeld", "Team Voorbeeld"),
}


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_script(category: str, *, organisation: str | None = None, team: str | None = None,
               name: str | None = None, today: date | None = None) -> str:
    """The template for ``category``, filled in; review dates count from ``today``. ``name`` is the
    name of an own care category, for ``custom`` only (and required there)."""
    if category not in EXAMPLES:
        raise ValueError(f"geen sjabloon voor {category!r}; kies uit {', '.join(EXAMPLES)}")
    name = name.strip() if name else None
    if category == "custom" and not name:
        raise ValueError("bij de categorie custom hoort de naam van je eigen zorgcategorie (--name)")
    if category != "custom" and name:
        raise ValueError(f"een naam (--name) hoort alleen bij de categorie custom, niet bij {category}")
    example, today = EXAMPLES[category], today or date.today()
    text = (TEMPLATE_DIR / f"{category}.yaml").read_text(encoding="utf-8")
    return Template(text).substitute(
        organisation=_quoted(organisation or example.organisation),
        team=_quoted(team or example.team),
        custom_category=_quoted(name or ""),
        review_3m=add_months(today, 3).isoformat(),
        review_6m=add_months(today, 6).isoformat(),
        review_12m=add_months(today, 12).isoformat(),
    )


#: The smallest profile that lints clean: for tests and benchmarks whose subject is the scenes.
_MINIMAL_PROFILE = """\
format: zorgblik-vr-script/2
owner:
  name: Test Opleider
  role: praktijkopleider
organisation:
  name: Testzorg
  locations:
    - name: Huis
      address: Straat 1
      city: Utrecht
  contact:
    name: Test
    role: praktijkopleider
    phone: "030 1234567"
care_category: ouderenzorg
client_groups:
  - name: Ouderen
    description: Bewoners
care_given:
  - Verzorging
team:
  name: Team A
  department: Afdeling
  description: Een team
  size: 10
expectations:
  - route: BOL
    level: 3
    expects:
      - Op tijd komen
welcome:
  acquaintance:
    description: Meelopen
  matching:
    matched: false
supervision:
  supervisor_role: VIG
  frequency: Wekelijks
  studentcoach: false
scenes:
"""


def minimal_script(scenes: str) -> str:
    """A script text with the smallest valid profile and ``scenes`` (YAML list items, indented
    two spaces) as its scenes. The profile part holds no braces, so the result can still be
    filled in with ``str.format``."""
    return _MINIMAL_PROFILE + scenes


def _quoted(name: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: colons, hashes and quotes stay text.
    return json.dumps(name.strip(), ensure_ascii=False)


def write_script(text: str, path: str | Path, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically; refuse to overwrite unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise ScriptExists("bestaat al", where=str(path), hint="kies een andere naam, of gebruik --force")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ScriptError(f"kan hier niet schrijven: {exc.strerror or exc}", where=str(path)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a script is an ordinary document
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
