"""Scripts made and edited in the browser, and the profile approved by school and practice.

    POST /scripts/nieuw                  a script from a template (category, organisation, team)
    GET  /scripts/{name}/bewerken        the guided form, one section (``?deel=``) at a time,
                                         with every lint problem at its field
    POST /scripts/{name}/bewerken        save the section (or add / remove a list item)
    POST /scripts/{name}/scenes/{scene}/waterpas
                                         the scene takes the tilt capture estimated (``level: auto``)
    GET  /goedkeuren                     every script and how far its approval is, for both sides
    GET  /scripts/{name}/goedkeuren      the profile and its approvals
    POST /scripts/{name}/goedkeuren      approve for one side (opleiding / praktijk)

The YAML file stays the source of truth: a save reads it, changes the section's values with the
round-trip writer (:mod:`scripts_vr.roundtrip`, comments and order kept) and writes it
atomically; every save is a :class:`catalog.ScriptSave`. The form carries the sha256 of the
text it opened: when the file changed since, the save is refused, the page says who saved when,
and the input stays on the page. Saving with problems is allowed (a draft); lint then shows
them at their fields. A save that changes the profile withdraws its approvals.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session as DbSession

from catalog import approvals
from catalog.authoring import record_save, save_with_text
from catalog.errors import CatalogError
from catalog.models import StaffUser
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, FormDep, SettingsDep, UnitOfWorkRoute
from headset_service.web import script_fields
from headset_service.web.rendering import PageUser, back, render
from headset_service.web.scripts import approval_view, lint_view, profile_of, script_file, script_files
from render.build import footage_lookup
from scripts_vr import lint_files, new_script, roundtrip, write_script
from scripts_vr.errors import ScriptError, ScriptUnreadable
from scripts_vr.loader import ScriptLoader
from zorgblik.settings import Settings
from zorgblik.terms import APPROVAL_SIDES, CARE_CATEGORIES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Author = PageUser("scripts.edit")
Approver = PageUser("scripts.approve")

#: Which side each role approves for: a teacher for the school, the trainer for the practice
#: (admin: either).
APPROVER_SIDES: dict[str, tuple[str, ...]] = {"teacher": ("opleiding",), "author": ("praktijk",)}
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: One save at a time in this service: the check "is the file still what the form opened" and
#: the write belong together.
_SAVING = threading.Lock()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("àáäâèéëêìíïîòóöôùúüû", "aaaaeeeeiiiioooouuuu"))).strip("-")


def who(user: StaffUser) -> str:
    return user.display_name or user.username


# new script ----------------------------------------------------------------------------------------

@router.post("/scripts/nieuw")
def new_script_form(form: FormDep, db: DbDep, settings: SettingsDep, user: Author, _csrf: CsrfChecked):
    category = str(form.get("category", ""))
    organisation, team = str(form.get("organisation", "")).strip(), str(form.get("team", "")).strip()
    custom = str(form.get("custom_category", "")).strip() or None
    if category not in CARE_CATEGORIES:
        return back("/scripts", fout="Kies een zorgcategorie.")
    if category == "custom" and not custom:
        return back("/scripts", fout="Geef de eigen zorgcategorie een naam.")
    if not organisation or not team:
        return back("/scripts", fout="Vul de naam van de organisatie en van het team in.")
    name = slug(str(form.get("name", "")).strip() or f"{organisation}-{custom or category}")
    if not NAME.match(name):
        return back("/scripts", fout="Kies een bestandsnaam van kleine letters, cijfers en '-'.")
    if any(p.stem == name for p in script_files(settings)):
        return back("/scripts", fout=f"Er is al een script {name}; kies een andere naam.")
    try:
        text = new_script(category, organisation=organisation, team=team, name=custom if category == "custom" else None)
    except ValueError as error:
        return back("/scripts", fout=f"Geen script gemaakt: {error}")
    folder = settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    try:
        write_script(text, folder / f"{name}.yaml")
    except ScriptError as error:
        return back("/scripts", fout=error.one_line())
    record_save(db, name, source=text, sha256=sha256_text(text), base_sha256=None, by=who(user), user=user)
    return back(f"/scripts/{name}/bewerken", melding=f"Script {name} gemaakt uit het sjabloon. Vul het per onderdeel in.")


# the form ------------------------------------------------------------------------------------------

def read_data(text: str) -> dict | None:
    try:
        data = yaml.load(text, Loader=ScriptLoader)  # noqa: S506 - ScriptLoader is a SafeLoader
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def section_of(path: str) -> str | None:
    top = path.split(".", 1)[0]
    for slug_, _title in script_fields.sections():
        if top in script_fields.section_keys(slug_):
            return slug_
    return None


def form_page(request: Request, db: DbSession, settings: Settings, user: StaffUser, name: str, path: Path, deel: str,
              *, data: dict | None = None, base: str | None = None, conflict: dict | None = None,
              note: str | None = None, status_code: int = 200) -> Response:
    text = path.read_text(encoding="utf-8")
    opened = base or sha256_text(text)
    [lint] = lint_files([path], max_bytes=settings.max_script_bytes,
                        footage=footage_lookup(request.app.state.catalog))  # as the script page and a build check it
    file_data = read_data(text)
    unreadable = lint.unreadable.one_line() if lint.unreadable else (None if file_data is not None else "geen mapping")
    fields, elsewhere = [], []
    if file_data is not None or data is not None:
        fields = script_fields.section_fields(deel, data if data is not None else file_data)
        elsewhere = script_fields.attach_problems(fields, lint.problems) if conflict is None else []
    per_section: dict[str, int] = {}
    for problem in lint.problems:
        where = section_of(problem.path) or "scenes"
        per_section[where] = per_section.get(where, 0) + 1
    return render(request, "script_form.html", user, {
        "name": name, "file": path.name, "deel": deel, "sections": script_fields.sections(), "fields": fields,
        "title": dict(script_fields.sections()).get(deel, deel), "base": opened, "unreadable": unreadable,
        "elsewhere": [(p, section_of(p.path)) for p in elsewhere], "per_section": per_section,
        "problem_count": len(lint.problems), "conflict": conflict, "note": note,
        "scenes": len((file_data or {}).get("scenes") or []),
    }, status_code=status_code)


def _section(deel: str | None) -> str:
    known = [s for s, _t in script_fields.sections()]
    return deel if deel in known else known[0]


@router.get("/scripts/{name}/bewerken")
def edit_page(request: Request, name: str, db: DbDep, settings: SettingsDep, user: Author, deel: str | None = None):
    return form_page(request, db, settings, user, name, script_file(settings, name), _section(deel))


@router.post("/scripts/{name}/bewerken")
def save_form(request: Request, name: str, form: FormDep, db: DbDep, settings: SettingsDep, user: Author,
              _csrf: CsrfChecked, deel: str | None = None):
    path = script_file(settings, name)
    deel = _section(deel)
    action, base = str(form.get("_action", "save")), str(form.get("_base", ""))
    if action.startswith(("add:", "remove:")):  # show the form again with one item more or less; nothing saved
        data = script_fields.read_section(deel, form, keep_empty=True)
        script_fields.change_list(data, action)
        return form_page(request, db, settings, user, name, path, deel, data=data, base=base,
                         note="Nog niet opgeslagen: sla op om de wijziging te bewaren.")
    if action == "save-over":  # after a conflict, explicitly: this section over the newer version
        base = str(form.get("_latest", ""))
    values = script_fields.read_section(deel, form)
    with _SAVING:
        current = path.read_text(encoding="utf-8")
        if sha256_text(current) != base:
            return form_page(request, db, settings, user, name, path, deel,
                             data=script_fields.read_section(deel, form, keep_empty=True), base=base,
                             conflict=conflict_info(db, name, current), status_code=409)
        try:
            doc = roundtrip.load(current, file=path.name)
        except ScriptUnreadable as error:
            return back(f"/scripts/{name}", fout=f"Het bestand is geen leesbare YAML meer: {error.message}")
        for key, value in values.items():
            roundtrip.replace(doc, key, value)
        text = roundtrip.dump(doc)
        if text == current:
            return back(f"/scripts/{name}/bewerken?deel={deel}", melding="Niets gewijzigd.")
        write_script(text, path, force=True)  # atomic: a temporary file, then a rename
    record_save(db, name, source=text, sha256=sha256_text(text), base_sha256=base, by=who(user), user=user)
    withdrawn, before, after = [], profile_of(current), profile_of(text)
    if before != after or after is None:  # a draft with a wrong profile has nothing to approve
        withdrawn = approvals.profile_seen(db, name, after or "", reason=f"profiel gewijzigd op de pagina door {who(user)}")
    message = "Opgeslagen."
    if withdrawn:
        message += f" De goedkeuring van {' en '.join(sorted({a.side for a in withdrawn}))} is ingetrokken: het profiel is gewijzigd."
    return back(f"/scripts/{name}/bewerken?deel={deel}", melding=message)


@router.post("/scripts/{name}/scenes/{scene_id}/waterpas")
def use_level_estimate(name: str, scene_id: str, form: FormDep, db: DbDep, settings: SettingsDep,
                       user: Author, _csrf: CsrfChecked):
    """Set ``level: auto`` on one scene (the script page offers it where capture estimated a tilt):
    the build then levels the footage with that estimate. Only that key of the file changes."""
    path = script_file(settings, name)
    base = str(form.get("_base", ""))
    with _SAVING:
        current = path.read_text(encoding="utf-8")
        if sha256_text(current) != base:
            return back(f"/scripts/{name}", fout="Het script is gewijzigd sinds je de pagina opende; bekijk de scène "
                                                 "opnieuw en kies dan nog eens.")
        try:
            doc = roundtrip.load(current, file=path.name)
        except ScriptUnreadable as error:
            return back(f"/scripts/{name}", fout=f"Het bestand is geen leesbare YAML meer: {error.message}")
        scenes = doc.get("scenes")
        scene = next((s for s in scenes or [] if isinstance(s, dict) and str(s.get("id")) == scene_id), None)
        if scene is None:
            return back(f"/scripts/{name}", fout=f"Scène {scene_id} staat niet (meer) in {path.name}.")
        if scene.get("level") == "auto":
            return back(f"/scripts/{name}", melding=f"Scène {scene_id} gebruikt de schatting al.")
        if scene.get("level") is not None:
            return back(f"/scripts/{name}", fout=f"Scène {scene_id} heeft al een eigen level in {path.name}; dat blijft staan.")
        keys = list(scene)
        after = next((k for k in ("view", "out", "in", "footage") if k in keys), keys[-1])
        scene.insert(keys.index(after) + 1, "level", "auto")
        text = roundtrip.dump(doc)
        write_script(text, path, force=True)  # atomic: a temporary file, then a rename
    record_save(db, name, source=text, sha256=sha256_text(text), base_sha256=base, by=who(user), user=user)
    return back(f"/scripts/{name}", melding=f"Scène {scene_id} wordt rechtgezet met de geschatte stand (level: auto). "
                                            "Bouw het script opnieuw om het toe te passen.")


def conflict_info(db: DbSession, name: str, current: str) -> dict:
    sha = sha256_text(current)
    save = save_with_text(db, name, sha)
    if save is None:
        said = "Het bestand is buiten deze pagina gewijzigd (bijvoorbeeld in een teksteditor) nadat je het opende."
    else:
        said = (f"{save.saved_by} heeft dit script om {save.saved_at:%H:%M} op {save.saved_at:%d-%m-%Y} (UTC) "
                "opgeslagen nadat jij het opende.")
    return {"said": said, "latest": sha}


# approvals -----------------------------------------------------------------------------------------

@router.get("/goedkeuren")
def approvals_page(request: Request, db: DbDep, settings: SettingsDep, user: Approver):
    paths = script_files(settings)
    rows = [{"name": path.stem, "title": view["title"], "approval": approval_view(db, path.stem, path)}
            for path, view in zip(paths, lint_view(settings, paths, request.app.state.catalog))]
    return render(request, "approvals.html", user, {"rows": rows, "sides": APPROVAL_SIDES,
                                                    "mine": sides_of(user)})


@router.get("/scripts/{name}/goedkeuren")
def approval_page(request: Request, name: str, db: DbDep, settings: SettingsDep, user: Approver):
    path = script_file(settings, name)
    data = read_data(path.read_text(encoding="utf-8")) or {}
    profile_fields = [(title, script_fields.section_fields(slug_, data)) for slug_, title in script_fields.sections()]
    view = approval_view(db, name, path)
    return render(request, "script_approve.html", user, {
        "name": name, "approval": view, "profile_fields": profile_fields,
        "may_approve": [s for s in sides_of(user) if s in view["missing"]]})


def sides_of(user: StaffUser) -> tuple[str, ...]:
    return tuple(APPROVAL_SIDES) if user.role == "admin" else APPROVER_SIDES.get(user.role, ())


@router.post("/scripts/{name}/goedkeuren")
def approve_form(name: str, form: FormDep, db: DbDep, settings: SettingsDep, user: Approver, _csrf: CsrfChecked):
    path = script_file(settings, name)
    profile = profile_of(path.read_text(encoding="utf-8"))
    if profile is None:
        return back(f"/scripts/{name}/goedkeuren", fout="Het script heeft nog fouten; los die eerst op, dan kan het goedgekeurd worden.")
    if str(form.get("profile", "")) != profile:
        return back(f"/scripts/{name}/goedkeuren", fout="Het profiel is gewijzigd sinds je de pagina opende; lees het opnieuw en keur dan goed.")
    side = str(form.get("side", ""))
    if side not in sides_of(user):
        return back(f"/scripts/{name}/goedkeuren", fout="Je keurt alleen goed namens je eigen kant (opleiding of praktijk).")
    try:
        approvals.approve(db, name, side=side, by=str(form.get("by", "")) or who(user), role=str(form.get("role", "")),
                          profile_sha256=profile, user=user)
    except CatalogError as error:
        return back(f"/scripts/{name}/goedkeuren", fout=error.message + (f" ({error.hint})" if error.hint else ""))
    return back(f"/scripts/{name}/goedkeuren", melding=f"Goedgekeurd namens de {APPROVAL_SIDES[side]}.")
