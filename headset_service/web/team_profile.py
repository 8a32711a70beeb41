"""The team profile page (/teamprofiel/<script>) and its printed handout for the student.

Staff who run a session (intake, HR, teacher), authors and admin open it from a session or the
script's page: the organisation, team, client groups, care, a day and its shifts, what the team
expects of the candidate's route and level (a small form changes them), how a student is welcomed
and supervised, the four capacities, every volatile fact with its freshness (a stale one: who owns
it and since when), the conversation prompts for the session's context and the scenes.

``/teamprofiel/<script>/beroepsbeeld`` is the same profile as an A4 handout ("beroepsbeeld") the
student takes home: a print stylesheet, one or two pages, no staff-only facts (owners, staleness).

The profile is read from the script file in the scripts folder (the source of truth), else from
the newest build with a published scene; the panels are :mod:`scripts_vr.profile_view`'s.
"""

from __future__ import annotations

from datetime import date

import yaml
from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError

from catalog import approvals
from catalog.profiles import published_profile_source, published_scene_slugs
from headset_service.deps import DbDep, SettingsDep, UnitOfWorkRoute
from headset_service.web.rendering import PageUser, render
from scripts_vr.digest import profile_sha256
from scripts_vr.freshness import find_scripts
from scripts_vr.model import VRScript
from scripts_vr.profile_view import Learner, fact_freshness, profile_panels, say, script_from_text
from zorgblik.settings import Settings
from zorgblik.terms import APPROVAL_SIDES, MBO_LEVELS, ROUTES, USE_CONTEXTS, YEARS

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Reader = PageUser("profiles.read")


def _from_file(settings: Settings, name: str) -> VRScript | None:
    folder = settings.scripts_path
    for path in find_scripts([folder]) if folder.is_dir() else []:
        if path.stem == name:
            return _parse(path.read_text(encoding="utf-8", errors="replace"))
    return None


def _parse(text: str) -> VRScript | None:
    try:
        return script_from_text(text)
    except (yaml.YAMLError, ValidationError):
        return None


def load_profile(settings: Settings, db, name: str) -> VRScript:
    """The script ``name``: its file when that is a valid script, else its newest published build."""
    script = _from_file(settings, name)
    if script is None and (built := published_profile_source(db, name)) is not None:
        script = _parse(built.source)
    if script is None:
        raise HTTPException(404, f"van script {name} is geen leesbaar profiel: niet in de scriptmap en niet gepubliceerd")
    return script


def learner_from_query(route: str | None, niveau: str | None, jaar: str | None) -> Learner:
    """The learner the form chose; anything not offered counts as not chosen."""
    level = int(niveau) if niveau and niveau.isascii() and niveau.isdigit() and int(niveau) in MBO_LEVELS else None
    year = int(jaar) if jaar and jaar.isascii() and jaar.isdigit() and int(jaar) in YEARS else None
    return Learner(route if route in ROUTES else None, level, year)


def profile_view(script: VRScript, learner: Learner, context: str | None) -> dict:
    """What both pages show: the panels for this learner and context, and the rest of the profile."""
    panels = profile_panels(script, learner, context)
    welcome, expectations, guidance = panels.before
    org = script.organisation
    return {
        "organisation": say(org.name),
        "team": say(script.team.name),
        "category": script.custom_category or script.care_category,
        "locations": [f"{say(loc.name)}, {say(loc.address)}, {say(loc.city)}" for loc in org.locations],
        "contact": " · ".join(say(x) for x in (org.contact.name, org.contact.role, org.contact.email, org.contact.phone)
                              if x is not None),
        "website": say(org.website) if org.website is not None else None,
        "welcome": welcome, "expectations": expectations, "guidance": guidance, "closing": panels.after[0],
        "capacities": [{"name": say(c.name), "where": say(c.where_it_stands), "develops": say(c.what_it_develops)}
                       for c in script.capacities],
        "learner": learner, "learner_text": learner.describe(),
        "context": context,
    }


def _query(request: Request) -> tuple[Learner, str | None]:
    q = request.query_params
    context = q.get("context")
    return learner_from_query(q.get("route"), q.get("niveau"), q.get("jaar")), context if context in USE_CONTEXTS else None


@router.get("/teamprofiel/{name}")
def team_profile_page(request: Request, name: str, db: DbDep, settings: SettingsDep, user: Reader):
    script = load_profile(settings, db, name)
    learner, context = _query(request)
    published = published_scene_slugs(db, name)
    scenes = [{"id": s.id, "title": say(s.title), "contexts": [USE_CONTEXTS.get(c, c) for c in s.contexts],
               "audience": f"{'/'.join(s.audience.routes)} niveau {', '.join(map(str, s.audience.levels))}",
               "published": s.id in published} for s in script.scenes]
    return render(request, "team_profile.html", user, {
        "name": name, "view": profile_view(script, learner, context), "scenes": scenes,
        "facts": fact_freshness(script, date.today(), settings.freshness_days), "owner": script.owner,
        "routes": ROUTES, "levels": MBO_LEVELS, "years": YEARS, "contexts": USE_CONTEXTS,
        "handout_query": request.url.query, "approval_sides": APPROVAL_SIDES,
        "approvals": approvals.current(db, name, profile_sha256(script)),
    })


@router.get("/teamprofiel/{name}/beroepsbeeld")
def handout_page(request: Request, name: str, db: DbDep, settings: SettingsDep, user: Reader):
    script = load_profile(settings, db, name)
    learner, context = _query(request)
    return render(request, "team_profile_handout.html", user, {
        "name": name, "view": profile_view(script, learner, context), "printed": date.today(),
    })


__all__ = ["learner_from_query", "load_profile", "profile_view", "router"]
