"""Which passwords staff may choose (NIST SP 800-63B, 5.1.1.2): long enough, and none that is
guessed first — a common password (also with digits or marks stuck to it), a repetition or a
simple sequence, or one with the username or the product's name in it. No rules on character
classes and no expiry: those make passwords weaker, not stronger."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
#: Runs that count as a sequence, forwards and backwards, wrapping round (``890123``).
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn")
#: Words from this service that a guesser tries first.
CONTEXT_WORDS = frozenset({"zorgblik"})
_PADDING = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (common_passwords.txt beside this module), lower case."""
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _unit(text: str) -> str:
    """The shortest piece that ``text`` repeats (``text`` itself when it repeats none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _is_simple(lowered: str) -> bool:
    """One to four characters over and over (``aaaa…``, ``abab…``), or a run along SEQUENCES."""
    if any((lowered[:size] * len(lowered))[:len(lowered)] == lowered for size in range(1, 5)):
        return True
    return any(run in seq * (len(run) // len(seq) + 2) for seq in SEQUENCES for run in (lowered, lowered[::-1]))


def problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used, in Dutch, naming the rule; None when it may."""
    if len(password) < MIN_LENGTH:
        return f"wachtwoord is te kort (minstens {MIN_LENGTH} tekens)"
    lowered = password.lower()
    if _is_simple(lowered):
        return "wachtwoord is een herhaling of reeks (zoals aaaa… of 1234…)"
    name = username.strip().lower()
    if len(name) >= 3 and name in lowered:
        return "wachtwoord bevat de gebruikersnaam"
    cores = {lowered, lowered.strip(_PADDING), lowered.rstrip(_PADDING), lowered.lstrip(_PADDING)}
    guessed = common_passwords() | CONTEXT_WORDS
    if any(core in guessed or _unit(core) in guessed for core in cores if core):
        return "wachtwoord staat op de lijst van veelgebruikte wachtwoorden (ook met cijfers of tekens erbij)"
    return None
