"""The VR script, modelled on the learning-workplace profile (Leerwerkplaatsprofiel 3.0).

One YAML file per organisation and care category, written by a practice trainer. It reads top to
bottom like the profile, then lists the scenes the headset shows::

    format             zorgblik-vr-script/2 (een /1-bestand wordt bij het lezen omgezet)
    owner              wie dit profiel bijhoudt
    organisation       de organisatie: naam, locaties, contactpersoon, website
    care_category      zorgcategorie (custom_category bij 'custom')
    client_groups      doelgroepen
    care_given         welke zorg het team geeft
    team               het team, een dag uit het leven, diensten, leerprofiel van het team
    places             leerplaatsen per route, niveau en leerjaar (optioneel)
    expectations       wat het team verwacht, per route, niveau en leerjaar
    welcome            kennismaking, matching met een werkbegeleider, inwerken
    supervision        werkbegeleiding, met het profiel van de werkbegeleider
    capacities         de vier vermogens, met zelfbeoordeling en ontwikkelpunt (optioneel)
    not_yet_available  wat er voor studenten nog niet is (optioneel)
    wishes             wensen van het team (optioneel)
    scenes             de 360°-scènes, in volgorde

Format 2 added team.learning_profile, places, supervision.supervisor, the capacities'
self_assessment and development_point, not_yet_available and wishes, all optional; a format-1
file is read as format 2 (:func:`scripts_vr.loader.upgrade_1_to_2`).

Keys are English snake_case; values are Dutch. Every model forbids unknown keys, so a typo is an
error. Any text or number in the profile is a :class:`Fact`: written plainly it is stable;
written as ``{value: ..., owner: ..., review_by: 2027-03-01}`` it is :class:`Volatile` and
somebody must check it again by that date (``zorgblik script freshness``).

This module holds the *shape* of a script. Rules that span fields (unique scene ids, captions
inside the scene, footage paths that exist) live in :mod:`scripts_vr.checks`, so that they can
run, and point at the right line, even when other parts of the file are wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from zorgblik.terms import (CareCategory, LearningPreference, MatchCriterion, MboLevel, Route, SelfAssessment, SupervisorKind,
                            UseContext)

FORMAT = "zorgblik-vr-script/2"
#: Older formats the loader still reads, converting them in memory (see :mod:`scripts_vr.loader`).
OLDER_FORMATS: tuple[str, ...] = ("zorgblik-vr-script/1",)


class _Model(BaseModel):
    """Every part of a script: unknown keys are errors; Python names may differ from YAML keys."""

    model_config = ConfigDict(
        extra="forbid",
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


# --- building blocks ---------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIME = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)")
_TIME_HELP = "moet een tijd zijn: seconden (12.5), mm:ss(.fff) of hh:mm:ss(.fff)"


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise PydanticCustomError("slug", "moet een korte naam zijn van kleine letters, cijfers en '-' (bijv. 'ochtendzorg')")
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value.strip()):
        raise PydanticCustomError("email", "is geen e-mailadres")
    return value.strip()


def _url(value: str) -> str:
    if not re.match(r"https?://\S+$", value.strip()):
        raise PydanticCustomError("url", "moet een webadres zijn dat begint met https://")
    return value.strip()


def _clock(value: str) -> str:
    match = _CLOCK.fullmatch(value.strip())
    if not match:
        raise PydanticCustomError("clock", "moet een tijdstip zijn als 07:00")
    return f"{int(match[1]):02d}:{match[2]}"


def parse_time(value: Any) -> Any:
    """Seconds from ``12.5``, ``"01:05"``, ``"01:05.250"`` or ``"1:02:03.5"``; anything else is left
    for pydantic to reject."""
    if isinstance(value, bool):
        raise PydanticCustomError("time", _TIME_HELP)
    if not isinstance(value, str):
        return value
    match = _TIME.fullmatch(value.strip())
    if not match:
        raise PydanticCustomError("time", _TIME_HELP)
    hours, minutes, seconds = int(match[1] or 0), int(match[2] or 0), float(match[3])
    if (match[2] is not None and seconds >= 60) or (match[1] is not None and minutes >= 60):
        raise PydanticCustomError("time", "minuten en seconden moeten onder de 60 blijven")
    return hours * 3600 + minutes * 60 + seconds


def _review_date(value: Any) -> Any:
    # pydantic would read a bare number as seconds since 1970; a trainer never means that.
    if isinstance(value, (bool, int, float)):
        raise PydanticCustomError("review_date", "moet een datum zijn als 2027-03-01")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Email = Annotated[str, AfterValidator(_email)]
Url = Annotated[str, AfterValidator(_url)]
ClockTime = Annotated[str, AfterValidator(_clock)]
Seconds = Annotated[float, BeforeValidator(parse_time), Field(ge=0)]
ReviewDate = Annotated[date, BeforeValidator(_review_date)]
Yaw = Annotated[float, Field(ge=-180, le=180, description="graden; 0 is recht vooruit, positief naar rechts")]
Pitch = Annotated[float, Field(ge=-90, le=90, description="graden; positief omhoog")]
Roll = Annotated[float, Field(ge=-180, le=180, description="graden")]

Year = Annotated[int, Field(ge=1, le=4)]
#: The categories that ship a template (``custom`` has none).
TEMPLATE_CATEGORIES: tuple[str, ...] = CareCategory.__args__[:-1]


class Text(_Model):
    """A string the student sees: Dutch, optionally English. ``label: Gang`` is short for
    ``label: {nl: Gang}``."""

    nl: Name = Field(description="Nederlands")
    en: Name | None = Field(None, description="English (optional)")

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_dutch(cls, value: Any) -> Any:
        return {"nl": value} if isinstance(value, str) else value


# --- stable and volatile facts -------------------------------------------------------------------

T = TypeVar("T")


class Volatile(_Model, Generic[T]):
    """A fact that goes stale: someone (``owner``, else the script's owner) checks it by ``review_by``."""

    value: T = Field(description="de waarde zelf")
    owner: Name | None = Field(None, description="wie het controleert; standaard de eigenaar van het script")
    review_by: ReviewDate = Field(description="uiterlijk opnieuw controleren op (JJJJ-MM-DD)")


def _fact_kind(value: Any) -> str:
    return "volatile" if isinstance(value, (dict, Volatile)) else "stable"


class Fact:
    """``Fact[T]``: a plain ``T`` (stable) or a :class:`Volatile` mapping around one."""

    def __class_getitem__(cls, tp: Any) -> Any:
        return Annotated[
            Union[Annotated[tp, Tag("stable")], Annotated[Volatile[tp], Tag("volatile")]],
            Discriminator(_fact_kind),
        ]


def plain(fact: Any) -> Any:
    """The value of a fact, whether it was written stable or volatile."""
    return fact.value if isinstance(fact, Volatile) else fact


# --- the profile -------------------------------------------------------------------------------


class Owner(_Model):
    """Wie dit profiel bezit en bijhoudt (meestal de praktijkopleider)."""

    name: Name
    role: Name
    email: Email | None = None


class Location(_Model):
    name: Fact[Name]
    address: Fact[Name] = Field(description="straat en huisnummer")
    city: Fact[Name]


class Contact(_Model):
    """Contactpersoon voor studenten en scholen; e-mail, telefoon of allebei."""

    name: Fact[Name]
    role: Fact[Name]
    email: Fact[Email] | None = None
    phone: Fact[Name] | None = Field(None, description="tussen aanhalingstekens, anders valt de 0 weg")

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.email is None and self.phone is None:
            raise PydanticCustomError("contact", "geef een email of een phone, zodat een student je kan bereiken")
        return self


class Organisation(_Model):
    name: Fact[Name]
    locations: list[Location] = Field(min_length=1)
    contact: Contact
    website: Fact[Url] | None = None


class ClientGroup(_Model):
    """Een doelgroep: voor wie het team zorgt."""

    name: Fact[Name]
    description: Fact[Name]


class DayItem(_Model):
    """Een moment uit een dag in het leven van het team."""

    time: ClockTime = Field(description="tijdstip als 07:00")
    activity: Fact[Name]


class Shift(_Model):
    name: Fact[Name] = Field(description="bijv. vroege dienst")
    start: Fact[ClockTime]
    end: Fact[ClockTime]


class TeamLearningProfile(_Model):
    """Leerprofiel van het team: hoe het team zelf leert, en waar het nu in groeit."""

    description: Fact[Name] = Field(description="hoe het team leert, in een paar zinnen")
    learning_preferences: Fact[list[LearningPreference]] = Field(
        default_factory=list, description="leervoorkeuren die in het team het meest voorkomen")
    learning_now: list[Fact[Name]] = Field(
        default_factory=list, description="waar het team nu zelf van leert, bijv. een scholing of verbeterproject")


class Team(_Model):
    name: Fact[Name]
    department: Fact[Name] = Field(description="afdeling of locatie binnen de organisatie")
    description: Fact[Name]
    size: Fact[Annotated[int, Field(ge=1)]] = Field(description="aantal collega's")
    day: list[DayItem] = Field(default_factory=list, description="een dag uit het leven, in volgorde")
    shifts: list[Shift] = Field(default_factory=list)
    learning_profile: TeamLearningProfile | None = Field(None, description="leerprofiel van het team")


class Places(_Model):
    """Leerplaatsen: hoeveel studenten het team tegelijk kan begeleiden op deze route, dit niveau en
    (optioneel) dit leerjaar."""

    route: Route = Field(description="BOL of BBL")
    level: MboLevel = Field(description="mbo-niveau")
    year: Year | None = Field(None, description="leerjaar; leeg is elk jaar")
    count: Fact[Annotated[int, Field(ge=0)]] = Field(description="aantal plaatsen")


class Expectation(_Model):
    """Wat het team verwacht van een student op deze route, dit niveau en (optioneel) dit leerjaar."""

    route: Route
    level: MboLevel
    year: Year | None = Field(None, description="leerjaar; leeg is elk jaar")
    expects: list[Fact[Name]] = Field(min_length=1)


class Acquaintance(_Model):
    """Kennismaking: hoe een student het team leert kennen, vóór of bij de start."""

    description: Fact[Name]
    activities: list[Fact[Name]] = Field(default_factory=list)


class Matching(_Model):
    """Of en hoe een student aan een werkbegeleider wordt gekoppeld."""

    matched: StrictBool = Field(description="true als studenten aan een vaste werkbegeleider worden gekoppeld")
    how: Fact[Name] | None = None
    criteria: list[MatchCriterion] = Field(default_factory=list)
    other_criteria: list[Fact[Name]] = Field(default_factory=list, description="eigen criteria, in woorden")


class IntroductionWeek(_Model):
    week: Annotated[int, Field(ge=1)]
    activities: list[Fact[Name]] = Field(min_length=1)


class Welcome(_Model):
    acquaintance: Acquaintance
    matching: Matching
    introduction: list[IntroductionWeek] = Field(default_factory=list, description="de eerste weken")


class SupervisorProfile(_Model):
    """Profiel van de werkbegeleider: hoe die begeleidt en leert, en of die ervoor is opgeleid."""

    kind: Fact[SupervisorKind] = Field(
        description="type werkbegeleider: instruerend, overtuigend, ondersteunend of delegerend")
    learning_preferences: Fact[list[LearningPreference]] = Field(
        default_factory=list, description="leervoorkeuren van de werkbegeleider")
    trained: Fact[StrictBool] = Field(description="true als de werkbegeleider is opgeleid tot werkbegeleider")
    training: Fact[Name] | None = Field(None, description="welke opleiding of training tot werkbegeleider")


class Supervision(_Model):
    """Werkbegeleiding."""

    supervisor_role: Fact[Name] = Field(description="wie begeleidt, bijv. verzorgende IG niveau 3")
    frequency: Fact[Name] = Field(description="hoe vaak, bijv. elke dienst; wekelijks een leergesprek")
    studentcoach: StrictBool = Field(description="is er een studentcoach?")
    senior_supervisor: Fact[Name] | None = Field(None, description="wie eindverantwoordelijk is, bijv. de praktijkopleider")
    description: Fact[Name] | None = None
    supervisor: SupervisorProfile | None = Field(None, description="profiel van de werkbegeleider")


class Capacity(_Model):
    """Een van de vier vermogens, onder de eigen naam van de organisatie."""

    name: Fact[Name]
    where_it_stands: Fact[Name] = Field(description="waar het in het werk zichtbaar is")
    what_it_develops: Fact[Name] = Field(description="wat de student erin ontwikkelt")
    self_assessment: Fact[SelfAssessment] | None = Field(
        None, description="zelfbeoordeling van het team: beginnend, groeiend, stevig of voorbeeld")
    development_point: Fact[Name] | None = Field(None, description="ontwikkelpunt: waarin het team hier nog wil groeien")


# --- scenes ------------------------------------------------------------------------------------


#: The highest id a catalog row can have (SQLite's INTEGER is 64-bit signed); a larger number cannot
#: be looked up at all (the driver refuses it), so it is refused where the script is read.
MAX_CATALOG_ID = 2**63 - 1


@dataclass(frozen=True)
class FootageRef:
    """Which footage a scene uses: ``sha256:<hex>``, ``footage:<catalog id>`` or a relative path."""

    kind: Literal["sha256", "catalog", "path"]
    value: str

    def __str__(self) -> str:
        return {"sha256": "sha256:", "catalog": "footage:", "path": ""}[self.kind] + self.value


def parse_footage(value: Any) -> FootageRef:
    if isinstance(value, FootageRef):
        return value
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("footage", "moet sha256:<64 hex-tekens>, footage:<nummer> of een pad naar het bestand zijn")
    text = value.strip()
    if text.startswith("sha256:"):
        digest = text[len("sha256:"):]
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise PydanticCustomError("footage", "na sha256: horen precies 64 hex-tekens (0-9, a-f)")
        return FootageRef("sha256", digest)
    if text.startswith("footage:"):
        number = text[len("footage:"):]
        # ASCII only: str.isdigit() and int() also take '²' and other scripts' digits
        if not (number.isascii() and number.isdigit()):
            raise PydanticCustomError("footage", "na footage: hoort het nummer uit de catalogus")
        if int(number) > MAX_CATALOG_ID:
            raise PydanticCustomError("footage", "footage:{number} kan niet in de catalogus staan: zo'n hoog nummer "
                                      "bestaat niet; neem het nummer over uit 'zorgblik capture list'",
                                      {"number": number})
        return FootageRef("catalog", str(int(number)))
    if text.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", text):
        raise PydanticCustomError("footage", "een pad moet relatief zijn, vanaf de map van dit script")
    return FootageRef("path", text)


Footage = Annotated[
    FootageRef,
    PlainValidator(parse_footage),
    PlainSerializer(str),
    WithJsonSchema({"type": "string", "description": "sha256:<hex>, footage:<id> of relatief pad"}),
]


class View(_Model):
    """Waar de kijker bij de start naar kijkt."""

    yaw: Yaw = 0.0
    pitch: Pitch = 0.0


class Level(_Model):
    """Correctie als de camera scheef stond, in graden."""

    yaw: Yaw = 0.0
    pitch: Pitch = 0.0
    roll: Roll = 0.0


class Caption(_Model):
    """Ondertitel; tijden vanaf het begin (``in``) van de scène."""

    start: Seconds
    end: Seconds
    text: Text


HotspotKind = Literal["info", "person", "question"]


class Hotspot(_Model):
    """Een aanwijsbaar punt in de scène: uitleg, een persoon of een vraag; start/end vanaf ``in``."""

    id: Slug
    yaw: Yaw
    pitch: Pitch
    start: Seconds | None = None
    end: Seconds | None = None
    kind: HotspotKind
    label: Text = Field(description="kort, zichtbaar in de scène")
    text: Text = Field(description="wat er verschijnt als de kijker het aanwijst")


class Prompt(_Model):
    """Een gespreksvraag voor na de scène; optioneel alleen in bepaalde gebruikssituaties."""

    text: Text
    contexts: list[UseContext] | None = None


class Audience(_Model):
    routes: list[Route] = Field(min_length=1)
    levels: list[MboLevel] = Field(min_length=1)


class KeepUnblurred(_Model):
    """Iemand die herkenbaar in beeld mag, met toestemming."""

    person: Name = Field(description="verwijzing naar de persoon, niet per se een naam")
    consent_ref: Name = Field(description="kenmerk van de toestemmingsverklaring")
    yaw: Yaw
    pitch: Pitch
    start: Seconds | None = None
    end: Seconds | None = None


class BlurRegion(_Model):
    """Een vlak dat onscherp moet, bijv. een naambord of een scherm met cliëntgegevens."""

    yaw: Yaw
    pitch: Pitch
    width: Annotated[float, Field(gt=0, le=360)] = Field(description="graden")
    height: Annotated[float, Field(gt=0, le=180)] = Field(description="graden")
    start: Seconds | None = None
    end: Seconds | None = None
    reason: Name


class Privacy(_Model):
    keep_unblurred: list[KeepUnblurred] = Field(default_factory=list)
    blur_regions: list[BlurRegion] = Field(default_factory=list)


class Scene(_Model):
    """Een 360°-scène: een stuk opname met wat de kijker erbij ziet en hoort."""

    id: Slug = Field(description="uniek in dit script")
    title: Text
    footage: Footage
    in_point: Seconds = Field(0.0, alias="in", description="begin in de opname")
    out_point: Seconds | None = Field(None, alias="out", description="einde in de opname; leeg is tot het eind")
    view: View = Field(default_factory=View)
    level: Level | Literal["auto"] | None = Field(
        None, description="leeg: de metadata van de opname zelf; auto: die metadata, of anders de stand die capture uit "
                          "het beeld schatte (zie 'zorgblik capture show')")
    captions: list[Caption] = Field(default_factory=list)
    hotspots: list[Hotspot] = Field(default_factory=list)
    prompts: list[Prompt] = Field(default_factory=list)
    contexts: list[UseContext] = Field(min_length=1, description="waar de scène bij past")
    audience: Audience
    privacy: Privacy = Field(default_factory=Privacy)
    camera_height: Annotated[float, Field(ge=0.3, le=3.0)] | None = Field(
        None, description="meters van de vloer tot de camera bij de opname (0,3 tot 3); ingevuld: de headset toont een "
                          "vlakke vloer op die hoogte onder de kijker; leeg: de hele bol zoals de opname is")

    @property
    def duration(self) -> float | None:
        return None if self.out_point is None else self.out_point - self.in_point


# --- the script --------------------------------------------------------------------------------


class VRScript(_Model):
    """Een VR-script: het leerwerkplaatsprofiel van één team, en de scènes die het laten zien."""

    format: Literal["zorgblik-vr-script/2"] = Field(description="altijd zorgblik-vr-script/2")
    owner: Owner
    organisation: Organisation
    care_category: CareCategory
    custom_category: Name | None = Field(None, description="naam van de eigen zorgcategorie, alleen bij custom")
    client_groups: list[ClientGroup] = Field(min_length=1)
    care_given: list[Fact[Name]] = Field(min_length=1)
    team: Team
    places: list[Places] = Field(default_factory=list, description="leerplaatsen per route, niveau en leerjaar")
    expectations: list[Expectation] = Field(min_length=1)
    welcome: Welcome
    supervision: Supervision
    capacities: list[Capacity] = Field(default_factory=list, max_length=4, description="de vier vermogens")
    not_yet_available: list[Fact[Name]] = Field(
        default_factory=list, description="nog niet aanwezig: wat een student hier (nog) niet vindt of leert")
    wishes: list[Fact[Name]] = Field(default_factory=list, description="wensen van het team voor de leerwerkplaats")
    scenes: list[Scene] = Field(min_length=1)
