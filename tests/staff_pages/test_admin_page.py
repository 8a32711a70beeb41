"""The admin page: a pairing code made in the browser enrols a headset over the API, the admin
sees it in the list and revokes it (its token stops working); the admin creates a teacher
account, who can then sign in, and closes it again."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from support import headset_socket
from websockets.exceptions import ConnectionClosed


TEACHER_PASSWORD = "lesgeven-met-vr-2026"


def test_admin_pairs_and_revokes_a_headset(site, open_as, shoot):
    page = open_as("admin")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer").click()
    page.get_by_label("Naam van de headset").fill("Quest 07")
    page.get_by_label("Type").select_option("quest2")
    page.get_by_label("Groep").fill("Intakekar")
    page.get_by_role("button", name="Koppelcode maken").click()
    message = page.get_by_role("status")
    expect(message).to_contain_text("Koppelcode voor Quest 07:")
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", message.inner_text()).group(0)

    paired = httpx.post(f"{site.base_url}/api/headsets/pair", json={"code": code}).raise_for_status().json()
    device = {"Authorization": f"Bearer {paired['token']}"}
    assert httpx.get(f"{site.base_url}/api/device/manifest", headers=device).status_code != 401

    page.goto(f"{site.base_url}/beheer")
    row = page.locator("table.headsets tr", has_text="Quest 07")
    expect(row).to_contain_text("quest2")
    expect(row).to_contain_text("Intakekar")
    shoot(page, "admin-1280")
    page.set_viewport_size({"width": 820, "height": 1180})
    shoot(page, "admin-820")
    with headset_socket(site.base_url, paired["token"]) as ws:
        row.get_by_role("button", name="Ontkoppelen Quest 07").click()
        expect(page.get_by_role("status")).to_have_text(
            "Quest 07 is ontkoppeld: de headset kan niets meer ophalen of versturen.")
        with pytest.raises(ConnectionClosed) as closed:  # commands stop reaching it at once
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 4401
    expect(page.locator("table.headsets tr", has_text="Quest 07")).to_have_count(0)
    assert httpx.get(f"{site.base_url}/api/device/manifest", headers=device).status_code == 401


def test_admin_creates_a_teacher_who_can_sign_in_and_closes_the_account(site, open_as, browser):
    page = open_as("admin")
    page.goto(f"{site.base_url}/beheer")
    page.get_by_label("Naam", exact=True).fill("Tim Docent")
    page.get_by_label("Gebruikersnaam").fill("tim")
    page.get_by_label("Rol", exact=True).select_option("teacher")
    page.get_by_label("Eerste wachtwoord (minstens 12 tekens)").fill(TEACHER_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Account tim (Tim Docent) is aangemaakt.")
    expect(page.locator("tr[data-user='tim']")).to_contain_text("actief")

    context = browser.new_context()
    teacher = context.new_page()
    teacher.goto(f"{site.base_url}/inloggen")
    teacher.get_by_label("Gebruikersnaam").fill("tim")
    teacher.get_by_label("Wachtwoord").fill(TEACHER_PASSWORD)
    teacher.get_by_role("button", name="Inloggen").click()
    expect(teacher.get_by_role("link", name="Klas", exact=True).first).to_be_visible()

    page.get_by_label("Rol van Tim Docent").select_option("intake")
    page.get_by_role("button", name="Rol opslaan voor Tim Docent").click()
    expect(page.get_by_role("status")).to_have_text("Tim Docent: rol intake.")
    page.get_by_role("button", name="Afsluiten account Tim Docent").click()
    expect(page.get_by_role("status")).to_have_text("Tim Docent: rol intake (afgesloten).")
    teacher.reload()
    expect(teacher).to_have_url(re.compile(r"/inloggen"))  # closing the account signed them out
    context.close()


def test_a_refused_new_account_keeps_what_the_admin_typed(site, open_as):
    """The password policy refuses a password with the user name in it: the page says why and
    the form still holds the name, user name and role; only the password is typed again."""
    page = open_as("admin")
    page.goto(f"{site.base_url}/beheer")
    page.get_by_label("Naam", exact=True).fill("Sanne Intake")
    page.get_by_label("Gebruikersnaam").fill("sanne")
    page.get_by_label("Rol", exact=True).select_option("intake")
    page.get_by_label("Eerste wachtwoord (minstens 12 tekens)").fill("sanne-sanne-sanne")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("gebruikersnaam")
    expect(page.get_by_label("Naam", exact=True)).to_have_value("Sanne Intake")
    expect(page.get_by_label("Gebruikersnaam")).to_have_value("sanne")
    expect(page.get_by_label("Rol", exact=True)).to_have_value("intake")
    password = page.get_by_label("Eerste wachtwoord (minstens 12 tekens)")
    expect(password).to_have_value("")
    expect(password).to_be_focused()
    password.fill(TEACHER_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Account sanne (Sanne Intake) is aangemaakt.")
