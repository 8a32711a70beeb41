"""Who may do what: every endpoint refuses a caller without credentials, roles are checked,
passwords are Argon2id, sign-in cookies are HttpOnly and SameSite, pairing codes are single use."""

from __future__ import annotations

import re

import httpx
import pytest

from catalog import StaffUser, accounts
from cli import main

PUBLIC = {("GET", "/api/health"), ("POST", "/api/auth/login"), ("POST", "/api/headsets/pair")}


def test_every_endpoint_but_the_public_ones_refuses_a_stranger(harness, error_shape):
    schema = httpx.get(f"{harness.base_url}/openapi.json").json()
    checked = 0
    for path, methods in schema["paths"].items():
        for method in methods:
            if (method.upper(), path) in PUBLIC:
                continue
            url = harness.base_url + re.sub(r"\{[^}]+\}", "1", path)
            response = httpx.request(method.upper(), url, json={}, headers={"Tus-Resumable": "1.0.0"})
            if method == "head":  # no body to check
                assert response.status_code == 401, path
            else:
                error_shape(response, 401)
            checked += 1
    assert checked >= 25


@pytest.mark.parametrize(("role", "method", "path", "status"), [
    ("teacher", "GET", "/api/users", 403),
    ("admin", "GET", "/api/users", 200),
    ("comms", "POST", "/api/playlists", 403),
    ("intake", "POST", "/api/playlists", 201),  # an intake playlist: intake staff run intakes
    ("hr", "POST", "/api/playlists", 403),  # ... HR does not
    ("author", "POST", "/api/headsets/pairing-codes", 403),
    ("intake", "POST", "/api/headsets/pairing-codes", 201),
    ("hr", "GET", "/api/headsets", 200),
    ("comms", "GET", "/api/headsets", 403),
    ("teacher", "GET", "/api/scenes", 200),
    ("intake", "POST", "/api/scenes/x/withdraw", 403),
    ("comms", "POST", "/api/scenes/x/withdraw", 404),
    ("author", "OPTIONS", "/api/uploads", 403),
    ("comms", "OPTIONS", "/api/uploads", 204),
], ids=lambda v: str(v))
def test_roles(harness, role, method, path, status):
    body = {"name": "Quest 99", "profile": "quest2"} if "pairing" in path else {"name": "x", "context": "intake"}
    assert harness.staff(role).request(method, path, json=body).status_code == status


def test_sign_in_sets_a_strict_httponly_cookie_and_signing_out_ends_it(harness, error_shape):
    with harness.catalog.session() as db:
        accounts.create_user(db, username="Marieke", role="intake", password="lang-genoeg-wachtwoord")
    with httpx.Client(base_url=harness.base_url) as browser:
        error_shape(browser.post("/api/auth/login", json={"username": "marieke", "password": "fout-wachtwoord"}), 401)
        signed_in = browser.post("/api/auth/login", json={"username": "marieke", "password": "lang-genoeg-wachtwoord"})
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/api/auth/me").json()["role"] == "intake"
        browser.post("/api/auth/logout").raise_for_status()
        browser.cookies.set("zorgblik_sessie", signed_in.json()["token"])
        error_shape(browser.get("/api/auth/me"), 401)


def test_login_page_then_staff_page(harness):
    with harness.catalog.session() as db:
        accounts.create_user(db, username="docent", role="teacher", password="lang-genoeg-wachtwoord")
    with httpx.Client(base_url=harness.base_url, follow_redirects=True) as browser:
        page = browser.get("/")
        assert page.url.path == "/inloggen" and 'lang="nl"' in page.text and "Wachtwoord" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert browser.post("/inloggen", data={"username": "docent", "password": "lang-genoeg-wachtwoord"}).status_code == 403
        wrong = browser.post("/inloggen", data={"username": "docent", "password": "nee-nee-nee-nee", "csrf": csrf})
        assert wrong.status_code == 401 and "klopt niet" in wrong.text
        home = browser.post("/inloggen", data={"username": "docent", "password": "lang-genoeg-wachtwoord", "next": "/",
                                               "csrf": csrf})
        assert home.url.path == "/" and "Gepubliceerde scènes" in home.text and "Uitloggen" in home.text


def test_a_closed_account_is_signed_out_everywhere(harness, error_shape):
    admin = harness.staff("admin")
    created = admin.post("/api/users", json={"username": "oud-collega", "role": "hr", "password": "lang-genoeg-wachtwoord"})
    assert created.status_code == 201
    token = httpx.post(f"{harness.base_url}/api/auth/login",
                       json={"username": "oud-collega", "password": "lang-genoeg-wachtwoord"}).json()["token"]
    admin.patch(f"/api/users/{created.json()['id']}", json={"active": False}).raise_for_status()
    error_shape(harness.client(token).get("/api/auth/me"), 401)
    error_shape(admin.post("/api/users", json={"username": "oud-collega", "role": "hr",
                                               "password": "lang-genoeg-wachtwoord"}), 409)


def test_a_pairing_code_works_once(harness, error_shape):
    code = harness.staff("admin").post("/api/headsets/pairing-codes", json={"name": "Quest 5", "profile": "quest3"}).json()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code["code"])
    first = httpx.post(f"{harness.base_url}/api/headsets/pair", json={"code": code["code"].lower().replace("-", " ")})
    assert first.status_code == 201 and first.json()["token"].startswith("zbh_")
    assert "httponly" in first.headers["set-cookie"].lower()
    error_shape(httpx.post(f"{harness.base_url}/api/headsets/pair", json={"code": code["code"]}), 404)
    error_shape(harness.staff("admin").post("/api/headsets/pairing-codes", json={"name": "X", "profile": "vive"}), 422)


def test_cli_creates_the_first_admin_with_an_argon2id_hash(harness, tmp_path, monkeypatch, capsys):
    data = tmp_path / "cli-data"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("een-goed-wachtwoord\n"))
    assert main(["--data", str(data), "admin", "create-user", "Beheer", "--role", "admin", "--password-stdin"]) == 0
    assert "Account beheer (admin) aangemaakt." in capsys.readouterr().out
    monkeypatch.setenv("ZORGBLIK_NEW_PASSWORD", "kort")
    assert main(["--data", str(data), "admin", "create-user", "tweede", "--role", "hr"]) == 1
    assert "wachtwoord is te kort" in capsys.readouterr().err
    assert main(["--data", str(data), "admin", "list-users"]) == 0
    assert capsys.readouterr().out.split() == ["beheer", "admin", "beheer"]
    from catalog import Catalog
    from zorgblik.settings import Settings

    with Catalog(Settings.from_env({}, data_dir=data).catalog_url) as catalog, catalog.session() as db:
        user = db.query(StaffUser).one()
        assert user.password_hash.startswith("$argon2id$")
        assert accounts.authenticate(db, "BEHEER", "een-goed-wachtwoord") is not None


def test_staff_pages_and_json_carry_security_headers_and_the_headset_page_no_csp(harness):
    """Not framed (clickjacking), not sniffed, no referrer to elsewhere, nothing of a staff member's
    left in a shared browser's cache; the headset page keeps its WebSocket and service worker."""
    key = harness.bundle("kop")
    page = httpx.get(f"{harness.base_url}/inloggen")
    staff_json = harness.staff("intake").get("/api/auth/me")
    refused_json = harness.client().get("/api/auth/me")
    for response in (page, staff_json, refused_json):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy

    headset = httpx.get(f"{harness.base_url}/headset")
    assert "content-security-policy" not in headset.headers and headset.headers["cache-control"] == "no-cache"
    assert headset.headers["x-frame-options"] == "DENY" and headset.headers["x-content-type-options"] == "nosniff"
    script = httpx.get(f"{harness.base_url}/static/player/headset.js")
    assert "javascript" in script.headers["content-type"] and script.headers["x-content-type-options"] == "nosniff"
    bundle_file = harness.staff("intake").get(f"/bundles/{key}/manifest.json")
    assert bundle_file.status_code == 200 and "no-store" not in bundle_file.headers.get("cache-control", "")


def test_the_session_cookie_is_secure_over_https_also_behind_a_proxy(harness):
    """uvicorn takes X-Forwarded-Proto from a proxy on the same machine (its forwarded_allow_ips)."""
    with harness.catalog.session() as db:
        accounts.create_user(db, username="via-proxy", role="hr", password="lang-genoeg-wachtwoord")
    body = {"username": "via-proxy", "password": "lang-genoeg-wachtwoord"}
    plain = httpx.post(f"{harness.base_url}/api/auth/login", json=body).headers["set-cookie"].lower()
    proxied = httpx.post(f"{harness.base_url}/api/auth/login", json=body,
                         headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"].lower()
    assert plain.startswith("zorgblik_sessie=") and "secure" not in plain
    assert proxied.startswith("zorgblik_sessie=") and "; secure" in proxied and "httponly" in proxied
