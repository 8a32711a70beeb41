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

#: The roles of staff, as the pages and the session timeline name them.
STAFF_ROLES: dict[str, str] = {"admin": "beheerder", "comms": "communicatie", "author": "praktijkopleider",
                               "intake": "intake", "hr": "HR", "teacher": "docent"}

#: Why a session ended (``Session.end_reason``).
SESSION_END_REASONS: dict[str, str] = {"stopped": "gestopt door begeleider", "finished": "afspeellijst afgelopen",
                                       "headset_gone": "headset weg (geen verbinding meer)",
                                       "ended_on_headset": "beëindigd op de headset"}

#: What a headset says it is doing (its live status); "waiting": held at a scene's end for the begeleider.
HEADSET_STATES: dict[str, str] = {"idle": "wacht", "playing": "speelt", "paused": "gepauzeerd",
                                  "waiting": "wacht op begeleider"}

#: Where a class (a run of sessions a group started together) is, as the projector page shows it.
CLASS_STATES: dict[str, str] = {"loading": "laadt", "playing": "speelt", "paused": "gepauzeerd",
                                "finished": "afgelopen"}

#: What staff can tell a running session to do.
SESSION_COMMANDS: dict[str, str] = {"pause": "Pauzeer", "resume": "Hervat", "next": "Volgende scène",
                                    "stop": "Stop", "recenter": "Hercentreer"}
#: The same commands as the session's timeline tells them, once carried out.
COMMANDS_DONE: dict[str, str] = {"pause": "gepauzeerd", "resume": "hervat", "next": "naar de volgende scène",
                                 "stop": "gestopt", "recenter": "beeld hercentreerd"}

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

# --- the learning-workplace profile (VR-script format 2) ---------------------------------------

#: A werkbegeleider's usual way of supervising (the four styles of situational supervision).
SupervisorKind = Literal["instruerend", "overtuigend", "ondersteunend", "delegerend"]
SUPERVISOR_KINDS: dict[str, str] = {
    "instruerend": "instruerend: doet voor en zegt precies wat en hoe",
    "overtuigend": "overtuigend: legt uit waarom en stuurt bij",
    "ondersteunend": "ondersteunend: denkt mee, de student beslist",
    "delegerend": "delegerend: geeft ruimte, de student doet het zelf",
}

#: Ways of learning at work (leervoorkeuren), for a werkbegeleider and for a team.
LearningPreference = Literal["kunst_afkijken", "participeren", "kennis_verwerven", "oefenen", "ontdekken"]
LEARNING_PREFERENCES: dict[str, str] = {
    "kunst_afkijken": "kunst afkijken", "participeren": "participeren", "kennis_verwerven": "kennis verwerven",
    "oefenen": "oefenen", "ontdekken": "ontdekken",
}

#: A team's self-assessment of one of the four capacities (vermogens), lowest first.
SelfAssessment = Literal["beginnend", "groeiend", "stevig", "voorbeeld"]
SELF_ASSESSMENTS: dict[str, str] = {
    "beginnend": "beginnend: we zetten de eerste stappen",
    "groeiend": "groeiend: het lukt vaak, nog niet altijd",
    "stevig": "stevig: het hoort bij hoe we werken",
    "voorbeeld": "voorbeeld: andere teams leren hiervan",
}
