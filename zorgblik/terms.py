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

#: The language a headset shows a session in: its own words (panels, buttons) and the script's
#: text where the script has it in that language (Dutch where it has not).
Language = Literal["nl", "en"]
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}

#: A session's state, as stored; "onderbroken": every headset of it went away mid-session.
SESSION_STATES: dict[str, str] = {"running": "loopt", "paused": "gepauzeerd", "interrupted": "onderbroken",
                                  "stopped": "gestopt"}

#: The roles of staff (a staff account's role), as the pages and the session timeline name them.
#: Not the roles of people filmed: those are :data:`FILMED_ROLES`.
StaffRole = Literal["admin", "comms", "author", "intake", "hr", "teacher"]
STAFF_ROLES: dict[str, str] = {"admin": "beheerder", "comms": "communicatie", "author": "praktijkopleider",
                               "intake": "intake", "hr": "HR", "teacher": "docent"}

#: Which staff roles run sessions in which use context (the admin runs every one).
CONTEXT_ROLES: dict[str, frozenset[str]] = {"intake": frozenset({"intake"}), "sollicitatie": frozenset({"hr"}),
                                            "werkveldorientatie": frozenset({"teacher"})}

#: The role of someone recognisably filmed in a footage item (a consent record's role); not a
#: staff role (:data:`STAFF_ROLES`).
FilmedRole = Literal["client", "staff", "student", "visitor"]
FILMED_ROLES: dict[str, str] = {"client": "cliënt", "staff": "medewerker", "student": "student", "visitor": "bezoeker"}

#: Whether a filmed person consented; "withdrawn" is set by withdrawing, never recorded directly.
ConsentStatus = Literal["given", "refused", "unknown", "withdrawn"]
CONSENT_STATUSES: dict[str, str] = {"given": "gegeven", "refused": "geweigerd", "unknown": "onbekend",
                                    "withdrawn": "ingetrokken"}

#: What a footage item (and a scene made of it) is: a clip or a photo.
MediaKind = Literal["video", "photo"]
MEDIA_KINDS: dict[str, str] = {"video": "video", "photo": "foto"}

#: The file suffixes capture takes in, per media kind (lower case). The privacy pass treats a file
#: with a photo suffix as a photo and anything else as a clip.
VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".mov"})
PHOTO_SUFFIXES: frozenset[str] = frozenset({".jpg", ".jpeg", ".png"})

#: How a footage item lies on the sphere, as the catalog stores it (``Footage.projection``, from
#: capture's classification): render uses "equirectangular" as it is, stitches "dual-fisheye"
#: first and refuses a cropped one and VR180 (a half sphere; capture takes it in since #17).
#: "not_360" is what capture may recognise in a file it then refuses; "cubemap" one it turns
#: into equirectangular first (the footage is that equirect).
Projection = Literal["equirectangular", "equirectangular-partial", "equirectangular-vr180", "dual-fisheye"]
#: The projection of VR180 footage and scenes (a bundle manifest's ``projection`` too): each eye the
#: front half sphere; staff lists call such a scene "VR180".
VR180 = "equirectangular-vr180"
PROJECTIONS: dict[str, str] = {"equirectangular": "360° (equirectangulair)",
                               "equirectangular-partial": "deels 360° (bijgesneden equirectangulair)",
                               "equirectangular-vr180": "VR180 (halve bol, equirectangulair)",
                               "dual-fisheye": "dubbele fisheye (nog te stitchen)",
                               "not_360": "geen 360°-beeld", "cubemap": "kubus"}

#: How a cubemap lays its six faces in one 3:2 picture, as capture classifies it (the layout of a
#: classification whose projection is "cubemap"); capture turns both into equirectangular, keeping
#: the original. "eac": the equi-angular cubemap (YouTube, GoPro MAX; ffmpeg's v360 ``eac``);
#: "cubemap-3x2": the plain cubemap of Spherical Video V2's layout 0 (v360 ``c3x2``).
CubemapLayout = Literal["eac", "cubemap-3x2"]
CUBEMAP_LAYOUTS: dict[str, str] = {"eac": "equi-angulaire kubus (EAC, zoals GoPro MAX)",
                                   "cubemap-3x2": "kubus 3×2"}

#: How the two eyes of stereo footage share one picture; in the order of the spherical-video V2
#: ``st3d`` byte, which :mod:`zorgblik.media.spherical` reads and writes by index.
StereoMode = Literal["mono", "top-bottom", "left-right"]
STEREO_MODES: dict[str, str] = {"mono": "mono", "top-bottom": "stereo boven-onder",
                                "left-right": "stereo naast elkaar"}

#: What happened in a session, as its events are stored (``Event.kind``). A headset sends the
#: :data:`EventKind` ones; the service writes "command", "interrupted" and "rejoined" itself, and a
#: begeleider's "note" is a note, not an event, but the timeline names it alike.
EventKind = Literal["session_start", "session_end", "scene_start", "scene_end", "hotspot_open", "head_direction",
                    "panel_show", "panel_end"]  # panel_*: a profile panel (welcome, expectations, guidance, closing)
EVENT_KINDS: dict[str, str] = {"session_start": "sessie begonnen", "session_end": "sessie beëindigd",
                               "scene_start": "scène begonnen", "scene_end": "scène afgelopen",
                               "hotspot_open": "hotspot geopend", "head_direction": "kijkrichting",
                               "panel_show": "profielpaneel getoond", "panel_end": "profielpaneel verder",
                               "note": "notitie", "command": "opdracht",
                               "interrupted": "onderbroken: headset niet meer gehoord",
                               "rejoined": "headset weer verbonden; sessie gaat verder"}

#: Where a footage item stands on consent, from its consent records (``capture.consent.consent_state``).
CONSENT_STATES: dict[str, str] = {"ok": "iedereen heeft toestemming gegeven",
                                  "blur_required": "vervagen nodig: niet iedereen heeft (nog) toestemming",
                                  "none_recorded": "geen toestemming vastgelegd"}

#: Where a browser upload of footage stands (``capture.upload``).
UPLOAD_STATES: dict[str, str] = {"receiving": "wordt ontvangen", "processing": "wordt verwerkt", "done": "klaar",
                                 "failed": "mislukt"}

#: Where a version of a VR script stands (``ScriptVersion.status``).
VERSION_STATUSES: dict[str, str] = {"draft": "concept", "published": "gepubliceerd", "withdrawn": "teruggetrokken"}

#: Where a build started from the pages stands, and each scene in it (``render.events``).
BUILD_STATES: dict[str, str] = {"running": "bezig", "done": "klaar", "failed": "mislukt"}
SCENE_BUILD_STATES: dict[str, str] = {"waiting": "wacht", "building": "wordt gebouwd", "encoding": "wordt gecodeerd",
                                      "done": "klaar"}

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
SessionCommand = Literal["pause", "resume", "next", "stop", "recenter"]
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

#: Care categories of a VR script ("custom": the script names its own in custom_category).
CareCategory = Literal["ouderenzorg", "gehandicaptenzorg", "wijkverpleging", "ziekenhuis", "ggz", "jeugdzorg",
                       "custom"]
CARE_CATEGORIES: dict[str, str] = {"ouderenzorg": "Ouderenzorg (VVT)", "gehandicaptenzorg": "Gehandicaptenzorg",
                                   "wijkverpleging": "Wijkverpleging en thuiszorg", "ziekenhuis": "Ziekenhuis",
                                   "ggz": "GGZ", "jeugdzorg": "Jeugdzorg", "custom": "Eigen categorie"}

#: How a student can be matched to a werkbegeleider (the script's matching.criteria).
MatchCriterion = Literal["learning_preference", "programme", "year", "personality", "availability", "interests"]
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
    "places": "Leerplaatsen", "count": "Aantal plaatsen", "learning_profile": "Leerprofiel van het team",
    "learning_preferences": "Leervoorkeuren", "learning_now": "Wat het team nu leert", "supervisor": "Profiel van de werkbegeleider",
    "kind": "Manier van begeleiden", "trained": "Opgeleid als werkbegeleider", "self_assessment": "Zelfbeoordeling",
    "development_point": "Ontwikkelpunt", "not_yet_available": "Nog niet aanwezig", "wishes": "Wensen",
    "camera_height": "Camerahoogte",
}

#: What one item of a list in the profile is called ("Dienst 2"), by the list's key.
SCRIPT_ITEMS: dict[str, str] = {
    "locations": "Locatie", "client_groups": "Doelgroep", "care_given": "Zorg", "day": "Moment", "shifts": "Dienst",
    "expectations": "Verwachting", "expects": "Verwachting", "activities": "Activiteit",
    "other_criteria": "Criterium", "introduction": "Introductieweek", "capacities": "Vermogen",
    "places": "Leerplaats", "learning_now": "Scholing", "not_yet_available": "Nog niet aanwezig", "wishes": "Wens",
}

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
