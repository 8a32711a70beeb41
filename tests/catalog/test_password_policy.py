"""A password is set only when it is long enough, not a common one (or one with digits stuck to
it), no repetition or simple sequence, and without the username (NIST SP 800-63B, 5.1.1.2)."""

from __future__ import annotations

import pytest

from catalog import accounts, passwords


@pytest.fixture
def db(catalog):
    with catalog.session() as s:
        yield s


@pytest.mark.parametrize(("password", "rule"), [
    ("aaaaaaaaaa", "te kort"),  # the review's example: ten times 'a' was accepted
    ("kort", "te kort"),
    ("aaaaaaaaaaaa", "herhaling of reeks"),
    ("abababababab", "herhaling of reeks"),
    ("123456789012", "herhaling of reeks"),
    ("abcdefghijklm", "herhaling of reeks"),
    ("987654321098", "herhaling of reeks"),
    ("qwertyuiopasdf", "herhaling of reeks"),
    ("passwordpassword", "veelgebruikte"),
    ("wachtwoord123", "veelgebruikte"),
    ("Welkom2024!!", "veelgebruikte"),
    ("iloveyou1234", "veelgebruikte"),
    ("1q2w3e4r5t6y", "veelgebruikte"),
    ("zorgblik2026!", "veelgebruikte"),
    ("anna-de-vries-2026", "gebruikersnaam"),
], ids=lambda v: str(v))
def test_weak_passwords_are_refused_naming_the_rule(db, password, rule):
    with pytest.raises(accounts.AccountError, match=rule):
        accounts.create_user(db, username="anna", role="hr", password=password)
    assert accounts.list_users(db) == []


@pytest.mark.parametrize("password", ["correct-paard-batterij", "lesgeven-met-vr-2026", "een-lang-wachtwoord",
                                      "Tr0mmel&Fluit9", "vgHq2_x8LmPz4"])
def test_good_passwords_are_taken(db, password):
    assert accounts.create_user(db, username="anna", role="hr", password=password).password_hash.startswith("$argon2id$")


def test_a_changed_password_meets_the_same_rules(db):
    user = accounts.create_user(db, username="bram", role="hr", password="correct-paard-batterij")
    with pytest.raises(accounts.AccountError, match="gebruikersnaam"):
        accounts.update_user(db, user, password="bram-bram-bram-1")
    with pytest.raises(accounts.AccountError, match="veelgebruikte"):
        accounts.update_user(db, user, password="welkomwelkom01")


def test_the_common_password_list_ships_with_the_package():
    common = passwords.common_passwords()
    assert len(common) >= 900
    assert {"123456", "password", "qwerty", "wachtwoord", "welkom01", "iloveyou"} <= common
