"""The playlist pages (/afspeellijsten): intake staff, HR and teachers make the playlists of the
contexts they run sessions in (authors and the administrator: every context), choose published
scenes that fit, order them, and say per scene how long a photo stays and whether the headset
waits for the begeleider at its end.

Every form posts here (CSRF-checked) and redirects back with a message; what the catalog refuses
(a scene that does not fit, a name taken, a playlist in use) comes back as the message, with the
reason. No JavaScript needed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from catalog import CatalogError, Playlist, Scene, StaffUser, playlists
from headset_service.auth import may_manage_playlist
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, Id, UnitOfWorkRoute
from headset_service.web.rendering import PageForbidden, PageUser, back, render
from zorgblik.terms import MBO_LEVELS, ROUTES, USE_CONTEXTS, VR180, WAIT_FOR_STAFF_BY_DEFAULT, label

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Maker = PageUser("playlists.write")

#: The wait choice per item, as the form sends it: None is the context's default.
WAIT_CHOICES = {"standaard": None, "wachten": True, "doorgaan": False}


def managed_contexts(user: StaffUser) -> list[str]:
    return [c for c in USE_CONTEXTS if may_manage_playlist(user.role, c)]


def _playlist_for(db, user: StaffUser, playlist_id: int) -> Playlist:
    playlist = playlists.get_playlist(db, playlist_id)
    if not may_manage_playlist(user.role, playlist.context):
        raise PageForbidden(user, "playlists.write")
    return playlist


def _here(playlist_id: int) -> str:
    return f"/afspeellijsten/{playlist_id}"


def _route(value: str) -> str | None:
    return value if value in ROUTES else None


def _level(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and int(value) in MBO_LEVELS else None


def scene_view(version) -> dict:
    """What the page says of a scene: title, photo or video, and how long."""
    photo = playlists.is_photo(version)
    duration = version.manifest.duration_s
    length = "" if photo or not duration else f"{int(duration // 60)}:{int(duration % 60):02d}"
    kind = ("foto" if photo else "video") + (", VR180" if version.manifest.projection == VR180 else "")
    return {"title": playlists.title_of(version), "photo": photo, "kind": kind,
            "length": length, "script": version.scene.script.name, "scene_id": version.scene_id}


@router.get("/afspeellijsten")
def playlists_page(request: Request, db: DbDep, user: Maker):
    contexts = managed_contexts(user)
    return render(request, "playlists.html", user, {
        "contexts": contexts, "playlists": playlists.list_playlists(db, contexts), "routes": ROUTES,
        "levels": MBO_LEVELS, "versions_of": playlists.playlist_versions})


@router.post("/afspeellijsten")
def create(request: Request, db: DbDep, user: Maker, _csrf: CsrfChecked, name: Annotated[str, Form(max_length=255)],
           context: Annotated[str, Form()], route: Annotated[str, Form()] = "", level: Annotated[str, Form()] = ""):
    if context not in managed_contexts(user):
        return back("/afspeellijsten", fout=f"Je rol mag geen afspeellijsten voor {label(USE_CONTEXTS, context)} maken.")
    try:
        playlist = playlists.create_playlist(db, name=name, context=context, route=_route(route), level=_level(level),
                                             created_by=user)
    except CatalogError as exc:
        return back("/afspeellijsten", fout=exc.one_line())
    return back(_here(playlist.id), melding=f"Afspeellijst {playlist.name} gemaakt; voeg er scènes aan toe.")


@router.get("/afspeellijsten/{playlist_id}")
def playlist_page(request: Request, playlist_id: Id, db: DbDep, user: Maker):
    playlist = _playlist_for(db, user, playlist_id)
    items = []
    for item in playlist.items:
        version = playlists.published_version(item.scene)
        items.append({"item": item, "scene": scene_view(version) if version else None, "ref": _ref(item.scene),
                      "misfit": playlists.playlist_misfit(playlist, item.scene) if version else None,
                      "wait": next(k for k, v in WAIT_CHOICES.items() if v == item.wait_for_staff)})
    choices = playlists.scene_choices(db, playlist)
    return render(request, "playlist.html", user, {
        "playlist": playlist, "items": items, "routes": ROUTES, "levels": MBO_LEVELS,
        "in_playlist": {i.scene_id for i in playlist.items},
        "default_wait": WAIT_FOR_STAFF_BY_DEFAULT.get(playlist.context, False),
        "fitting": [scene_view(v) for v, reason in choices if reason is None],
        "misfits": [(scene_view(v), reason) for v, reason in choices if reason is not None]})


def _ref(scene: Scene) -> str:
    return f"{scene.script.name}/{scene.slug}"


@router.post("/afspeellijsten/{playlist_id}/naam")
def rename(request: Request, playlist_id: Id, db: DbDep, user: Maker, _csrf: CsrfChecked,
           name: Annotated[str, Form(max_length=255)]):
    playlist = _playlist_for(db, user, playlist_id)
    try:
        playlists.rename_playlist(db, playlist, name)
    except CatalogError as exc:
        return back(_here(playlist_id), fout=exc.one_line())
    return back(_here(playlist_id), melding=f"Naam gewijzigd in {playlist.name}.")


@router.post("/afspeellijsten/{playlist_id}/doelgroep")
def audience(request: Request, playlist_id: Id, db: DbDep, user: Maker, _csrf: CsrfChecked,
             route: Annotated[str, Form()] = "", level: Annotated[str, Form()] = ""):
    playlist = _playlist_for(db, user, playlist_id)
    try:
        playlists.set_audience(db, playlist, route=_route(route), level=_level(level))
    except CatalogError as exc:
        return back(_here(playlist_id), fout=exc.one_line())
    return back(_here(playlist_id), melding="Doelgroep opgeslagen.")


def _change_items(db, playlist: Playlist, change) -> str | None:
    """Apply ``change`` to the playlist's item list and write it back; the refusal, or None."""
    specs = playlists.item_specs(playlist)
    try:
        playlists.set_items(db, playlist, change(specs))
    except CatalogError as exc:
        return exc.one_line()
    return None


@router.post("/afspeellijsten/{playlist_id}/scenes")
def add_scene(request: Request, playlist_id: Id, db: DbDep, user: Maker, _csrf: CsrfChecked,
              scene_id: Annotated[int, Form()]):
    playlist = _playlist_for(db, user, playlist_id)
    scene = db.get(Scene, scene_id)
    if scene is None:
        return back(_here(playlist_id), fout="Die scène bestaat niet (meer).")
    if any(i.scene_id == scene.id for i in playlist.items):
        return back(_here(playlist_id), fout="Die scène staat al in de afspeellijst.")
    refused = _change_items(db, playlist, lambda specs: [*specs, playlists.ItemSpec(scene)])
    if refused:
        return back(_here(playlist_id), fout=f"Niet toegevoegd: {refused}")
    return back(_here(playlist_id), melding=f"{playlists.title_of(playlists.published_version(scene))} toegevoegd.")


def _index(playlist: Playlist, item_id: int) -> int | None:
    return next((n for n, i in enumerate(playlist.items) if i.id == item_id), None)


@router.post("/afspeellijsten/{playlist_id}/onderdelen/{item_id}/{action}")
def change_item(request: Request, playlist_id: Id, item_id: Id, action: str, db: DbDep, user: Maker,
                _csrf: CsrfChecked, photo_seconds: Annotated[str, Form()] = "", wait: Annotated[str, Form()] = "standaard"):
    playlist = _playlist_for(db, user, playlist_id)
    n = _index(playlist, item_id)
    if n is None or action not in ("omhoog", "omlaag", "verwijderen", "instellingen"):
        return back(_here(playlist_id), fout="Dat onderdeel staat niet (meer) in de afspeellijst; kijk opnieuw.")
    title = playlists.title_of(v) if (v := playlists.published_version(playlist.items[n].scene)) else _ref(playlist.items[n].scene)

    def change(specs: list[playlists.ItemSpec]) -> list[playlists.ItemSpec]:
        if action == "verwijderen":
            return specs[:n] + specs[n + 1:]
        if action in ("omhoog", "omlaag"):
            m = n - 1 if action == "omhoog" else n + 1
            if 0 <= m < len(specs):
                specs[n], specs[m] = specs[m], specs[n]
            return specs
        seconds = photo_seconds.strip().replace(",", ".")
        try:
            value = float(seconds) if seconds else None
        except ValueError:
            raise CatalogError(f"weergaveduur {seconds!r} is geen getal", hint="vul seconden in, bijv. 20") from None
        specs[n] = playlists.ItemSpec(specs[n].scene, value, WAIT_CHOICES.get(wait))
        return specs

    refused = _change_items(db, playlist, change)
    if refused:
        return back(_here(playlist_id), fout=f"Niet opgeslagen: {refused}")
    done = {"omhoog": "een plaats omhoog", "omlaag": "een plaats omlaag", "verwijderen": "uit de afspeellijst gehaald",
            "instellingen": "opgeslagen"}[action]
    return back(_here(playlist_id), melding=f"{title}: {done}.")


@router.get("/afspeellijsten/{playlist_id}/verwijderen")
def confirm_delete(request: Request, playlist_id: Id, db: DbDep, user: Maker):
    playlist = _playlist_for(db, user, playlist_id)
    return render(request, "playlist_delete.html", user, {"playlist": playlist,
                                                          "in_use": playlists.sessions_using(db, playlist)})


@router.post("/afspeellijsten/{playlist_id}/verwijderen")
def delete(request: Request, playlist_id: Id, db: DbDep, user: Maker, _csrf: CsrfChecked):
    playlist = _playlist_for(db, user, playlist_id)
    name = playlist.name
    try:
        playlists.delete_playlist(db, playlist)
    except CatalogError as exc:
        return back(_here(playlist_id), fout=exc.one_line())
    return back("/afspeellijsten", melding=f"Afspeellijst {name} verwijderd.")
