"""A page message after a form (a fresh pairing code, a filmed client's name) stays out of the
redirect URL, which browser history, proxies and server logs keep; the next page shows it once
(issue #14, item 17c)."""

from __future__ import annotations

import html
import re

from headset_service.csrf import _derived

NAME = "Kamer Jansen-Vermeer"


def test_a_pairing_code_travels_server_side_not_in_the_redirect(harness):
    runner = harness.staff("intake")
    csrf = _derived(runner.headers["Authorization"].removeprefix("Bearer "))
    made = runner.post("/sessies/koppelcode", data={"csrf": csrf, "naam": NAME, "profiel": "quest2"})
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    page = runner.get(location).text
    status = re.search(r'<p class="flash ok" role="status">(.*?)</p>', page, re.S)
    assert status, "the page after the redirect shows the message"
    code = re.search(rf"Koppelcode voor {NAME}: (\S+) ", html.unescape(status.group(1))).group(1)
    for secret in (NAME, code, "Jansen", code.replace("-", "")):
        assert secret not in location and secret.replace(" ", "+") not in location, f"{secret!r} in {location}"
    assert "Koppelcode" not in location and location.startswith("/sessies?bericht=")
    assert code not in runner.get(location).text  # shown once
