"""The shared vocabulary: one word per idea, with its Dutch label, declared once.

The VR-script model, the service's schemas, the catalog and the pages import these names instead
of spelling the words again. Keys are the stored and serialised values (English or the Dutch
term the field uses); labels are what staff read.

    from zorgblik.terms import USE_CONTEXTS, label
    label(USE_CONTEXTS, "werkveldorientatie")  # "Werkveldoriëntatie"
"""

from __future__ import annotations

from typing import Literal

#: Where a scene is used: the three kinds of session.
UseContext = Literal["intake", "sollicitatie", "werkveldorientatie"]
USE_CONTEXTS: dict[str, str] = {"intake": "Intake", "sollicitatie": "Sollicitatie",
                                "werkveldorientatie": "Werkveldoriëntatie"}

#: The vocational routes: school-based and work-based.
Route = Literal["BOL", "BBL"]
ROUTES: dict[str, str] = {"BOL": "BOL (beroepsopleidende leerweg)", "BBL": "BBL (beroepsbegeleidende leerweg)"}

#: mbo levels.
MboLevel = Literal[1, 2, 3, 4]
MBO_LEVELS: dict[int, str] = {1: "niveau 1", 2: "niveau 2", 3: "niveau 3", 4: "niveau 4"}

#: Years of study (leerjaar) an expectation can name.
YEARS: dict[int, str] = {1: "leerjaar 1", 2: "leerjaar 2", 3: "leerjaar 3", 4: "leerjaar 4"}

#: A session's state, as stored; "onderbroken": every headset of it went away mid-session.
SESSION_STATES: dict[str, str] = {"running": "loopt", "paused": "gepauzeerd", "interrupted": "onderbroken",
                                  "stopped": "gestopt"}

#: What staff can tell a running session to do.
SESSION_COMMANDS: dict[str, str] = {"pause": "Pauzeer", "resume": "Hervat", "next": "Volgende scène",
                                    "stop": "Stop", "recenter": "Hercentreer"}

#: The two sides that approve a learning-workplace profile together.
APPROVAL_SIDES: dict[str, str] = {"opleiding": "opleiding (school)", "praktijk": "praktijk (zorgorganisatie)"}


def label(terms: dict, key: object, default: str | None = None) -> str:
    """The Dutch label of ``key`` in ``terms``; the key itself (or ``default``) when unknown."""
    return terms.get(key, default if default is not None else str(key))


#: Which learner routes each kind of session is for: intake is for new students of either route,
#: a job interview (sollicitatie) for side-entrants on the work-based route, an orientation lesson
#: for a class of either route. A scene whose audience shares no route with any of its contexts
#: can never be played (lint says so; a playlist refuses it).
CONTEXT_ROUTES: dict[str, frozenset[str]] = {"intake": frozenset({"BOL", "BBL"}), "sollicitatie": frozenset({"BBL"}),
                                             "werkveldorientatie": frozenset({"BOL", "BBL"})}

#: A session in this context holds each scene at its end for the begeleider unless its playlist
#: says otherwise (a class moves on together, at the teacher's "verder").
WAIT_FOR_STAFF_BY_DEFAULT: dict[str, bool] = {"intake": False, "sollicitatie": False, "werkveldorientatie": True}

#: Care categories of a VR script ("custom": the script names its own in custom_category).
CARE_CATEGORIES: dict[str, str] = {"ouderenzorg": "Ouderenzorg (VVT)", "gehandicaptenzorg": "Gehandicaptenzorg",
                                   "wijkverpleging": "Wijkverpleging en thuiszorg", "ziekenhuis": "Ziekenhuis",
                                   "ggz": "GGZ", "jeugdzorg": "Jeugdzorg", "custom": "Eigen categorie"}

#: How a student can be matched to a werkbegeleider (the script's matching.criteria).
MATCH_CRITERIA: dict[str, str] = {"learning_preference": "leervoorkeur", "programme": "opleiding",
                                  "year": "leerjaar", "personality": "persoonlijkheid",
                                  "availability": "beschikbaarheid", "interests": "interesses"}

#: The Dutch label of each key of a VR script's profile, for forms and profile pages. A key that
#: is missing here is shown by its model description (or its own name) until it is added.
SCRIPT_FIELDS: dict[str, str] = {
    "owner": "Eigenaar van dit profiel", "organisation": "Organisatie", "care_category": "Zorgcategorie",
    "custom_category": "Naam van de eigen zorgcategorie", "client_groups": "Doelgroepen", "care_given": "Zorg die het team geeft",
    "team": "Team", "expectations": "Verwachtingen", "welcome": "Welkom", "supervision": "Werkbegeleiding",
    "capacities": "De vier vermogens", "scenes": "Scènes",
    "name": "Naam", "role": "Rol", "email": "E-mail", "phone": "Telefoon", "website": "Website",
    "locations": "Locaties", "address": "Adres", "city": "Plaats", "contact": "Contactpersoon",
    "description": "Beschrijving", "department": "Afdeling", "size": "Aantal collega's", "day": "Een dag uit het leven",
    "time": "Tijdstip", "activity": "Activiteit", "shifts": "Diensten", "start": "Begin", "end": "Einde",
    "route": "Leerweg", "level": "Niveau", "year": "Leerjaar", "expects": "Wat het team verwacht",
    "acquaintance": "Kennismaking", "activities": "Activiteiten", "matching": "Matching met een werkbegeleider",
    "matched": "Studenten krijgen een vaste werkbegeleider", "how": "Hoe", "criteria": "Waarop wordt gematcht",
    "other_criteria": "Eigen criteria", "introduction": "Introductieprogramma", "week": "Week",
    "supervisor_role": "Wie begeleidt", "frequency": "Hoe vaak", "studentcoach": "Er is een studentcoach",
    "senior_supervisor": "Eindverantwoordelijke", "where_it_stands": "Waar het in het werk zichtbaar is",
    "what_it_develops": "Wat de student erin ontwikkelt", "nl": "Nederlands", "en": "Engels",
    "value": "Waarde", "review_by": "Nakijken vóór",
}

#: What one item of a list in the profile is called ("Dienst 2"), by the list's key.
SCRIPT_ITEMS: dict[str, str] = {
    "locations": "Locatie", "client_groups": "Doelgroep", "care_given": "Zorg", "day": "Moment", "shifts": "Dienst",
    "expectations": "Verwachting", "expects": "Verwachting", "activities": "Activiteit",
    "other_criteria": "Criterium", "introduction": "Introductieweek", "capacities": "Vermogen",
}
