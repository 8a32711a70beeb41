"""Guessing is slowed down: repeated failed sign-ins lock the account and the address (429 with
Retry-After, on the API and on the login page, in Dutch there), the admin sees a locked account
on Beheer and can unlock it, pairing-code guesses lock the address, and weak passwords are
refused wherever a password is set.

This module runs a service of its own (3 failures lock an account, 6 an address), and each test
comes from addresses of its own: uvicorn takes X-Forwarded-For from a proxy on this machine."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from catalog import Catalog, accounts, fleet, throttle
from headset_service.server import service_in_thread
from cli import main
from zorgblik.settings import Settings

GOOD = "correct-paard-batterij"
_ADDRESSES = itertools.count(1)


def address() -> dict[str, str]:
    """Headers that make the next requests come from an address no other test uses."""
    return {"X-Forwarded-For": f"192.0.2.{next(_ADDRESSES)}"}


@dataclass
class Service:
    base_url: str
    catalog: Catalog

    def user(self, username: str, role: str = "hr") -> int:
        with self.catalog.session() as db:
            return accounts.create_user(db, username=username, role=role, password=GOOD).id

    def admin(self) -> httpx.Client:
        with self.catalog.session() as db:
            user = accounts.create_user(db, username=f"beheer-{next(_ADDRESSES)}", role="admin", password=GOOD)
            token = accounts.open_login(db, user)
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def login(self, username: str, password: str, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{self.base_url}/api/auth/login", json={"username": username, "password": password},
                          headers=headers, timeout=10)


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("throttle") / "data", port=0,
                                 login_max_failures=3, login_address_max_failures=6)
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog) as running:
        yield Service(running.base_url, catalog)


def retry_after(response: httpx.Response) -> int:
    seconds = int(response.headers["retry-after"])
    assert 0 < seconds <= 60, seconds
    return seconds


def test_the_api_locks_an_account_after_repeated_failures(service, error_shape):
    service.user("marieke")
    service.user("joost")
    here, elsewhere = address(), address()
    for _ in range(3):
        error_shape(service.login("marieke", "fout-wachtwoord", here), 401)
    locked = service.login("marieke", GOOD, here)  # the right password no longer helps
    error = error_shape(locked, 429)
    assert error["code"] == "too_many_requests" and "te veel mislukte pogingen" in error["message"]
    assert error["detail"] == {"retry_after_s": retry_after(locked)}
    error_shape(service.login("MARIEKE", GOOD, elsewhere), 429)  # the account, not the address
    assert service.login("joost", GOOD, here).status_code == 200


def test_a_good_sign_in_resets_the_account_count(service):
    service.user("sanne")
    for _ in range(3):  # 6 failures in all: from one address they would lock it
        here = address()
        assert [service.login("sanne", "fout-wachtwoord", here).status_code for _ in range(2)] == [401, 401]
        assert service.login("sanne", GOOD, here).status_code == 200


def test_one_address_trying_many_usernames_is_locked(service, error_shape):
    service.user("pim")
    here, elsewhere = address(), address()
    for n in range(6):
        error_shape(service.login(f"gok-{n}", "fout-wachtwoord", here), 401)
    refused = service.login("pim", GOOD, here)
    error_shape(refused, 429)
    retry_after(refused)
    assert service.login("pim", GOOD, elsewhere).status_code == 200


def test_the_login_page_answers_429_in_dutch(service):
    service.user("docent-x", role="teacher")
    with httpx.Client(base_url=service.base_url, headers=address(), timeout=10) as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/inloggen").text).group(1)
        form = {"username": "docent-x", "password": "nee-nee-nee-nee", "csrf": csrf}
        assert [browser.post("/inloggen", data=form).status_code for _ in range(3)] == [401, 401, 401]
        page = browser.post("/inloggen", data={**form, "password": GOOD})
    assert page.status_code == 429 and retry_after(page)
    assert "Te veel mislukte pogingen; probeer het over 1 minuut opnieuw." in page.text
    assert 'name="username"' in page.text  # the form stays, to try again later


def test_the_admin_sees_a_locked_account_and_unlocks_it(service):
    user_id = service.user("pieter")
    for _ in range(3):
        service.login("pieter", "fout-wachtwoord", address())
    assert service.login("pieter", GOOD, address()).status_code == 429
    with service.catalog.session() as db:
        until = throttle.locked_accounts(db)["pieter"].locked_until
    admin = service.admin()
    page = admin.get("/beheer").text
    row = re.search(r'<tr data-user="pieter">.*?</tr>', page, re.S).group(0)
    assert f"geblokkeerd tot {throttle.local_time(until)} (3 mislukte pogingen)" in row
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    unlocked = admin.post(f"/beheer/medewerkers/{user_id}/deblokkeren", data={"csrf": csrf})
    assert unlocked.status_code == 303 and "gedeblokkeerd" in admin.get(unlocked.headers["location"]).text
    assert admin.post(f"/beheer/medewerkers/{user_id}/deblokkeren", data={}).status_code == 403  # no CSRF token
    assert service.login("pieter", GOOD, address()).status_code == 200
    assert "geblokkeerd" not in re.search(r'<tr data-user="pieter">.*?</tr>', admin.get("/beheer").text, re.S).group(0)
    admin.close()


def test_pairing_code_guesses_lock_the_address(service, error_shape):
    with service.catalog.session() as db:
        code, _ = fleet.create_pairing_code(db, headset_name="Quest 12", profile="quest2")
    here, elsewhere = address(), address()
    pair = f"{service.base_url}/api/headsets/pair"
    for n in range(6):
        error_shape(httpx.post(pair, json={"code": f"AAAA-BBB{n + 2}"}, headers=here), 404)
    refused = httpx.post(pair, json={"code": code}, headers=here)
    assert error_shape(refused, 429)["code"] == "too_many_requests" and retry_after(refused)
    assert httpx.post(pair, json={"code": code}, headers=elsewhere).status_code == 201


def test_weak_passwords_are_refused_on_beheer_the_api_and_the_cli(service, tmp_path, monkeypatch, capsys):
    admin = service.admin()
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get("/beheer").text).group(1)
    made = admin.post("/beheer/medewerkers", data={"csrf": csrf, "gebruikersnaam": "zwak", "naam": "Zwak",
                                                   "rol": "hr", "wachtwoord": "aaaaaaaaaaaa"})
    assert made.status_code == 422 and "herhaling of reeks" in made.text  # the page again, what was typed kept
    api = admin.post("/api/users", json={"username": "zwak", "role": "hr", "password": "wachtwoord123"})
    assert api.status_code == 400 and "veelgebruikte" in api.json()["error"]["message"]
    short = admin.post("/api/users", json={"username": "zwak", "role": "hr", "password": "aaaaaaaaaa"})
    assert short.status_code == 400 and "minstens 12 tekens" in short.json()["error"]["message"]
    admin.close()
    monkeypatch.setenv("ZORGBLIK_NEW_PASSWORD", "123456789012")
    assert main(["--data", str(tmp_path / "cli"), "admin", "create-user", "zwak", "--role", "hr"]) == 1
    assert "herhaling of reeks" in capsys.readouterr().err
