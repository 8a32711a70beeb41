"""The learning-workplace profile as the student and the staff see it: panels made from a script.

One pure function, :func:`profile_panels`, turns a script's profile part, the learner (route,
level, year; each may be unknown), the session's context and a language into the panels the
headset, the station and the staff pages show::

    welcome       organisation, team, client groups, the care given, a day, shifts
    expectations  what the team expects of *this* learner (route + level, and year when known)
    guidance      kennismaking, matching, introductieprogramma; werkbegeleiding, studentcoach
    closing       the questions to take into the conversation (the scenes' prompts for the context)

Which facts go on which panel is said once, in :data:`PANELS`: a list of small section makers per
panel, so that a new field of the script is one more line there. Nothing here reads a file or a
database; :func:`script_from_text` reads the exact YAML the catalog keeps of a build, and
:func:`headset_profile` packs what a headset needs to show the panels offline, for any learner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import yaml

from scripts_vr.freshness import volatile_facts
from scripts_vr.loader import ScriptLoader, format_path, upgrade
from scripts_vr.model import Expectation, Text, VRScript, plain
from zorgblik.terms import MBO_LEVELS, USE_CONTEXTS, YEARS

PanelKind = Literal["welcome", "expectations", "guidance", "closing"]
Lang = Literal["nl", "en"]

#: The words on the panels themselves, per language (the script's own words are never translated).
WORDS: dict[str, dict[Lang, str]] = {
    "welcome": {"nl": "Welkom bij {organisation}", "en": "Welcome to {organisation}"},
    "team": {"nl": "Het team", "en": "The team"},
    "team_size": {"nl": "{size} collega's", "en": "{size} colleagues"},
    "client_groups": {"nl": "Voor wie we zorgen", "en": "Who we care for"},
    "care_given": {"nl": "Welke zorg we geven", "en": "The care we give"},
    "day": {"nl": "Een dag bij ons", "en": "A day with us"},
    "shifts": {"nl": "Diensten", "en": "Shifts"},
    "expectations": {"nl": "Wat we van jou verwachten", "en": "What we expect of you"},
    "expectations_for": {"nl": "Voor {learner}", "en": "For {learner}"},
    "expectations_unknown": {
        "nl": "De begeleider heeft je route en niveau niet gekozen. Vraag in het gesprek wat dit team van jou verwacht.",
        "en": "No route and level were chosen for you. Ask in the conversation what this team expects of you."},
    "expectations_missing": {
        "nl": "Dit team heeft voor {learner} (nog) geen verwachtingen beschreven. Vraag er in het gesprek naar.",
        "en": "This team has not (yet) described what it expects for {learner}. Ask about it in the conversation."},
    "your_route": {"nl": "jouw route en niveau", "en": "your route and level"},
    "guidance": {"nl": "Hoe we je ontvangen en begeleiden", "en": "How we welcome and supervise you"},
    "acquaintance": {"nl": "Kennismaking", "en": "Getting acquainted"},
    "matching": {"nl": "Je werkbegeleider", "en": "Your work supervisor"},
    "not_matched": {"nl": "Je wordt niet aan één vaste werkbegeleider gekoppeld.",
                    "en": "You are not matched with one fixed work supervisor."},
    "introduction": {"nl": "Introductieprogramma", "en": "Introduction programme"},
    "week": {"nl": "Week {week}", "en": "Week {week}"},
    "supervision": {"nl": "Begeleiding", "en": "Supervision"},
    "supervisor_role": {"nl": "Werkbegeleider: {value}", "en": "Work supervisor: {value}"},
    "frequency": {"nl": "Hoe vaak: {value}", "en": "How often: {value}"},
    "studentcoach": {"nl": "Er is een studentcoach.", "en": "There is a student coach."},
    "no_studentcoach": {"nl": "Er is geen studentcoach.", "en": "There is no student coach."},
    "senior_supervisor": {"nl": "Eindverantwoordelijk: {value}", "en": "Responsible in the end: {value}"},
    "closing": {"nl": "Neem mee naar het gesprek", "en": "Take into the conversation"},
    "closing_none": {"nl": "Wat is je bijgebleven? Wat wil je nog vragen?",
                     "en": "What stayed with you? What would you still like to ask?"},
    "next": {"nl": "Verder", "en": "Continue"},
    "next_vr": {"nl": "Verder: druk op de trekker", "en": "Continue: pull the trigger"},
    "end_vr": {"nl": "Einde: zet de bril af", "en": "The end: take off the headset"},
    "position": {"nl": "{at} van {of}", "en": "{at} of {of}"},
}

#: How matching criteria read (the script stores their keys).
MATCH_CRITERIA: dict[str, dict[Lang, str]] = {
    "learning_preference": {"nl": "je leervoorkeur", "en": "how you like to learn"},
    "programme": {"nl": "je opleiding", "en": "your programme"},
    "year": {"nl": "je leerjaar", "en": "your year"},
    "personality": {"nl": "je persoonlijkheid", "en": "your personality"},
    "availability": {"nl": "wanneer je kunt werken", "en": "when you can work"},
    "interests": {"nl": "je interesses", "en": "your interests"},
}


def word(key: str, lang: Lang = "nl", **values: Any) -> str:
    return WORDS[key][lang].format(**values)


def say(value: Any, lang: Lang = "nl") -> str:
    """A fact or a :class:`Text` as the student reads it: English only where the script has it."""
    value = plain(value)
    if isinstance(value, Text):
        return value.en if lang == "en" and value.en else value.nl
    return str(value)


@dataclass(frozen=True)
class Learner:
    """Who the session is for, as staff said it; every part may be unknown."""

    route: str | None = None
    level: int | None = None
    year: int | None = None

    @classmethod
    def from_payload(cls, payload: dict | None) -> Learner:
        """The ``learner`` of a start command (absent or partly null: unknown)."""
        payload = payload or {}
        level, year = payload.get("level"), payload.get("year")
        return cls(payload.get("route") or None, int(level) if level else None, int(year) if year else None)

    @property
    def key(self) -> str:
        """``BBL-3-2``; unknown parts are empty (``BBL-3-``). The headset looks panels up by it."""
        return f"{self.route or ''}-{self.level or ''}-{self.year or ''}"

    def describe(self, lang: Lang = "nl") -> str:
        parts = [self.route or "", MBO_LEVELS.get(self.level, "") if self.level else "",
                 YEARS.get(self.year, "") if self.year else ""]
        text = " ".join(p for p in parts if p)
        return text.replace("niveau", "level").replace("leerjaar", "year") if lang == "en" else text


@dataclass(frozen=True)
class Section:
    heading: str | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    kind: PanelKind
    title: str
    sections: tuple[Section, ...]
    organisation: str = ""

    def as_dict(self) -> dict:
        return asdict(self) | {"sections": [{"heading": s.heading, "items": list(s.items)} for s in self.sections]}

    def text(self) -> str:
        """The panel as plain lines (the station's and the tests' reading of it)."""
        lines = [self.title]
        for s in self.sections:
            lines += ([s.heading] if s.heading else []) + [f"- {i}" for i in s.items]
        return "\n".join(lines)


@dataclass(frozen=True)
class ProfilePanels:
    """What a session shows around an organisation's scenes: before the first, after the last."""

    before: tuple[Panel, ...]
    after: tuple[Panel, ...] = field(default=())


# --- the sections, one small maker per fact; PANELS says which goes where -----------------------

Maker = Callable[[VRScript, Lang], Section | None]


def _items(heading: str, items: Iterable[Any], lang: Lang) -> Section | None:
    items = tuple(say(i, lang) for i in items)
    return Section(heading, items) if items else None


def _team(s: VRScript, lang: Lang) -> Section:
    t = s.team
    return Section(word("team", lang), (
        f"{say(t.name, lang)} — {say(t.department, lang)}",
        say(t.description, lang),
        word("team_size", lang, size=say(t.size, lang)),
    ))


def _client_groups(s: VRScript, lang: Lang) -> Section | None:
    return _items(word("client_groups", lang),
                  (f"{say(g.name, lang)}: {say(g.description, lang)}" for g in s.client_groups), lang)


def _care_given(s: VRScript, lang: Lang) -> Section | None:
    return _items(word("care_given", lang), s.care_given, lang)


def _day(s: VRScript, lang: Lang) -> Section | None:
    return _items(word("day", lang), (f"{d.time} {say(d.activity, lang)}" for d in s.team.day), lang)


def _shifts(s: VRScript, lang: Lang) -> Section | None:
    return _items(word("shifts", lang),
                  (f"{say(x.name, lang)}: {say(x.start)}–{say(x.end)}" for x in s.team.shifts), lang)


def _acquaintance(s: VRScript, lang: Lang) -> Section:
    a = s.welcome.acquaintance
    return Section(word("acquaintance", lang), (say(a.description, lang), *(say(x, lang) for x in a.activities)))


def _matching(s: VRScript, lang: Lang) -> Section:
    m = s.welcome.matching
    if not m.matched:
        return Section(word("matching", lang), (word("not_matched", lang),))
    criteria = [MATCH_CRITERIA[c][lang] for c in m.criteria] + [say(c, lang) for c in m.other_criteria]
    items = [say(m.how, lang)] if m.how is not None else []
    if criteria:
        items.append(("We kijken naar " if lang == "nl" else "We look at ") + ", ".join(criteria) + ".")
    return Section(word("matching", lang), tuple(items))


def _introduction(s: VRScript, lang: Lang) -> Section | None:
    return _items(word("introduction", lang),
                  (f"{word('week', lang, week=w.week)}: " + "; ".join(say(a, lang) for a in w.activities)
                   for w in s.welcome.introduction), lang)


def _supervision(s: VRScript, lang: Lang) -> Section:
    v = s.supervision
    items = [word("supervisor_role", lang, value=say(v.supervisor_role, lang)),
             word("frequency", lang, value=say(v.frequency, lang)),
             word("studentcoach" if v.studentcoach else "no_studentcoach", lang)]
    if v.senior_supervisor is not None:
        items.append(word("senior_supervisor", lang, value=say(v.senior_supervisor, lang)))
    if v.description is not None:
        items.append(say(v.description, lang))
    return Section(word("supervision", lang), tuple(items))


#: Which sections each fixed panel holds, in order. A new field in the script: one line here.
PANELS: dict[PanelKind, tuple[Maker, ...]] = {
    "welcome": (_team, _client_groups, _care_given, _day, _shifts),
    "guidance": (_acquaintance, _matching, _introduction, _supervision),
}


def _panel(kind: PanelKind, title: str, script: VRScript, lang: Lang) -> Panel:
    sections = tuple(sec for make in PANELS[kind] if (sec := make(script, lang)) is not None)
    return Panel(kind, title, sections, say(script.organisation.name))


# --- expectations and closing questions --------------------------------------------------------


def expectations_for(script: VRScript, learner: Learner) -> list[Expectation]:
    """The expectations for the learner's route and level, and for their year (or every year) when
    the year is known; none when route or level is unknown (never all of them)."""
    if learner.route is None or learner.level is None:
        return []
    return [e for e in script.expectations if e.route == learner.route and e.level == learner.level
            and (e.year is None or learner.year is None or e.year == learner.year)]


def expectations_panel(script: VRScript, learner: Learner, lang: Lang = "nl") -> Panel:
    title, organisation = word("expectations", lang), say(script.organisation.name)
    if learner.route is None or learner.level is None:
        return Panel("expectations", title, (Section(None, (word("expectations_unknown", lang),)),), organisation)
    who = learner.describe(lang)
    found = expectations_for(script, learner)
    if not found:
        return Panel("expectations", title, (Section(None, (word("expectations_missing", lang, learner=who),)),),
                     organisation)
    sections = []
    for e in found:
        heading = word("expectations_for", lang, learner=Learner(e.route, e.level, e.year).describe(lang))
        sections.append(Section(heading, tuple(say(x, lang) for x in e.expects)))
    return Panel("expectations", title, tuple(sections), organisation)


def prompts_for(script: VRScript, context: str | None, scene_ids: Iterable[str] | None = None,
                lang: Lang = "nl") -> list[str]:
    """The scenes' conversation prompts for ``context`` (a prompt without contexts fits every one),
    only of ``scene_ids`` when given, in scene order, each once."""
    wanted = None if scene_ids is None else set(scene_ids)
    prompts = [say(p.text, lang) for scene in script.scenes if wanted is None or scene.id in wanted
               for p in scene.prompts if p.contexts is None or context is None or context in p.contexts]
    return list(dict.fromkeys(prompts))


def closing_panel(script: VRScript, context: str | None, scene_ids: Iterable[str] | None = None,
                  lang: Lang = "nl") -> Panel:
    prompts = prompts_for(script, context, scene_ids, lang) or [word("closing_none", lang)]
    return Panel("closing", word("closing", lang), (Section(None, tuple(prompts)),), say(script.organisation.name))


def profile_panels(script: VRScript, learner: Learner = Learner(), context: str | None = None, lang: Lang = "nl",
                   scene_ids: Iterable[str] | None = None) -> ProfilePanels:
    """The panels a session shows before an organisation's first scene and after its last."""
    welcome = _panel("welcome", word("welcome", lang, organisation=say(script.organisation.name)), script, lang)
    guidance = _panel("guidance", word("guidance", lang), script, lang)
    return ProfilePanels(before=(welcome, expectations_panel(script, learner, lang), guidance),
                         after=(closing_panel(script, context, scene_ids, lang),))


# --- reading a built script and packing it for a headset ---------------------------------------


def script_from_text(text: str) -> VRScript:
    """A script from the exact YAML the catalog keeps of a build (read as the loader reads files).
    Raises ``yaml.YAMLError`` or ``pydantic.ValidationError`` when it is no valid script."""
    data = yaml.load(text, Loader=ScriptLoader)
    return VRScript.model_validate(upgrade(data)[0] if isinstance(data, dict) else data)


def _learners(script: VRScript) -> list[Learner]:
    """Every learner for whom the expectations panel says something of the script's own."""
    out = []
    for e in script.expectations:
        out += [Learner(e.route, e.level, None)] + [Learner(e.route, e.level, y) for y in YEARS]
    return list(dict.fromkeys(out))


def headset_profile(script: VRScript, lang: Lang = "nl") -> dict:
    """What a headset keeps (in its sync manifest) to show a script's panels offline, for any learner.

    ``{"organisation", "words": {the headset's own words around a panel}, "before": [panel...], "expectations": {learner key: panel},
    "expectations_unknown": panel, "expectations_missing": panel, "prompts": {scene id: [{text, contexts}]},
    "closing": {context: panel}, "closing_none": panel}``.
    The headset shows ``before`` with the expectations panel for its learner put in second place:
    ``expectations[key]``, else ``expectations_missing`` when route and level are known, else
    ``expectations_unknown``; after the organisation's last scene, the prompts of the scenes it
    played for its context (:func:`closing_for`). Kinds and key are those of :func:`profile_panels`.
    """
    panels = profile_panels(script, Learner(), None, lang)
    missing = Panel("expectations", word("expectations", lang),
                    (Section(None, (word("expectations_missing", lang, learner=word("your_route", lang)),)),),
                    say(script.organisation.name))
    return {
        "organisation": say(script.organisation.name),
        "words": {key: WORDS[key][lang] for key in ("next", "next_vr", "end_vr", "position")},
        "before": [p.as_dict() for p in panels.before],
        "expectations": {who.key: expectations_panel(script, who, lang).as_dict() for who in _learners(script)
                         if expectations_for(script, who)},
        "expectations_unknown": expectations_panel(script, Learner(), lang).as_dict(),
        "expectations_missing": missing.as_dict(),
        "prompts": {scene.id: [{"text": say(p.text, lang), "contexts": p.contexts} for p in scene.prompts]
                    for scene in script.scenes if scene.prompts},
        "closing": {context: closing_panel(script, context, None, lang).as_dict() for context in USE_CONTEXTS},
        "closing_none": Panel("closing", word("closing", lang), (Section(None, (word("closing_none", lang),)),),
                              say(script.organisation.name)).as_dict(),
    }


def closing_for(pack: dict, context: str | None, scene_ids: list[str] | None) -> dict:
    """The closing panel of a pack: the prompts for ``context`` of the scenes played (every scene's
    when not known), each once, in the order played (the twin of panels.js ``closingFor``)."""
    if scene_ids is None:
        return pack["closing"].get(context) or pack["closing"]["intake"]
    prompts = [p["text"] for sid in scene_ids for p in pack.get("prompts", {}).get(sid, [])
               if p["contexts"] is None or context is None or context in p["contexts"]]
    if not prompts:
        return pack["closing_none"]
    return {**pack["closing_none"], "sections": [{"heading": None, "items": list(dict.fromkeys(prompts))}]}


def welcome_panels(pack: dict, learner: Learner) -> list[dict]:
    """The panels before an organisation's first scene, from a :func:`headset_profile` pack, with
    the expectations for ``learner`` in their place (the twin of panels.js ``welcomePanels``)."""
    expectations = (pack["expectations"].get(learner.key)
                    or pack["expectations"].get(Learner(learner.route, learner.level).key)
                    or pack["expectations_missing" if learner.route and learner.level else "expectations_unknown"])
    return [expectations if p["kind"] == "expectations" else p for p in pack["before"]]


def panels_around(scenes: list[str], bundles: dict[str, dict], profiles: dict[str, dict], learner: Learner,
                  context: str | None, lang: Lang = "nl") -> dict[int, list[dict]]:
    """Which panels show before scene ``i`` (``i == len(scenes)``: after the last): an organisation's
    closing panel after its last scene, its welcome panels before its first (the twin of panels.js
    ``panelsAround``). ``bundles``: the manifest's bundle entries by key (their ``script`` and
    ``scene``); ``profiles``: the manifest's (per script, a pack per language; ``lang``'s is used,
    Dutch when the manifest has no pack in ``lang``)."""
    profiles = {name: packs.get(lang) or packs["nl"] for name, packs in profiles.items()}
    at: dict[int, list[dict]] = {}
    names = [bundles.get(key, {}).get("script") for key in scenes]
    for i in range(len(scenes) + 1):
        ended = names[i - 1] if i > 0 else None
        starts = names[i] if i < len(scenes) else None
        if ended in profiles and ended not in names[i:]:
            played = [bundles[key].get("scene") for key, name in zip(scenes, names) if name == ended]
            at.setdefault(i, []).append(closing_for(profiles[ended], context, None if None in played else played))
        if starts in profiles and starts not in names[:i]:
            at.setdefault(i, []).extend(welcome_panels(profiles[starts], learner))
    return at


def panel_lines(panel: dict) -> list[str]:
    """A panel of a pack as the lines of text it shows."""
    lines = [panel["title"]]
    for section in panel["sections"]:
        lines += ([section["heading"]] if section["heading"] else []) + [f"• {item}" for item in section["items"]]
    return lines


@dataclass(frozen=True)
class FactFreshness:
    """A volatile fact for staff: where it is, its value, who checks it and by when."""

    path: str
    value: Any
    owner: str
    review_by: date
    status: Literal["verlopen", "binnenkort", "actueel"]


def fact_freshness(script: VRScript, today: date, days: int) -> list[FactFreshness]:
    """Every volatile fact of the script with its state on ``today`` (due within ``days``: binnenkort),
    the stale ones first."""
    out = []
    for loc, fact in volatile_facts(script):
        status = ("verlopen" if fact.review_by < today else
                  "binnenkort" if fact.review_by <= today + timedelta(days=days) else "actueel")
        out.append(FactFreshness(format_path(loc), say(fact.value), fact.owner or script.owner.name, fact.review_by, status))
    order = {"verlopen": 0, "binnenkort": 1, "actueel": 2}
    return sorted(out, key=lambda f: (order[f.status], f.review_by))


__all__ = ["FactFreshness", "closing_for", "fact_freshness", "panel_lines", "panels_around", "welcome_panels", "Learner", "Panel", "ProfilePanels", "Section", "closing_panel", "expectations_for",
           "expectations_panel", "headset_profile", "profile_panels", "prompts_for", "say", "script_from_text"]
