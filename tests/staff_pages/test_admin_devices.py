"""The admin page shows each headset's battery and free storage as the device reported them, and
"—" with the device's reason on hover only where it gave nothing; online as heard from."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from catalog import fleet, presence


def test_admin_sees_battery_storage_and_why_a_value_is_missing(site, open_as):
    told, _ = site.enrol("Quest 21", "Klas 3B", [])
    silent, token = site.enrol("Pico 22", "Klas 3B", [])
    with site.catalog.session() as db:  # Quest 21 reported before (a station or a browser that can tell)
        presence.record_device_info(db, fleet.get_headset(db, told), {"battery": 77, "charging": True,
                                                                      "free_bytes": 12_300_000_000})
    httpx.post(f"{site.base_url}/api/device/inventory", headers={"Authorization": f"Bearer {token}"},
               json={"bundles": [], "device": {"battery_reason": "browser geeft geen accustand (geen Battery Status API)",
                                               "storage_reason": "browser geeft geen opslagruimte"}}).raise_for_status()
    page = open_as("admin")
    page.goto(f"{site.base_url}/beheer")
    expect(page.locator(f'[data-battery="{told}"]')).to_have_text("77% (laadt)")
    expect(page.locator(f'[data-storage="{told}"]')).to_have_text("12.3 GB")
    expect(page.locator(f'[data-battery="{silent}"]')).to_have_text("—")
    expect(page.locator(f'[data-battery="{silent}"] span')).to_have_attribute(
        "title", "browser geeft geen accustand (geen Battery Status API)")
    expect(page.locator(f'[data-storage="{silent}"] span')).to_have_attribute("title", "browser geeft geen opslagruimte")
    expect(page.locator(f'[data-live-online="{silent}"]')).to_have_text("online")  # it just reported
    expect(page.locator(f'[data-live-online="{told}"]')).to_have_text("offline")  # not heard since the service started
    expect(page.locator("p", has_text="staat op onderbroken")).to_contain_text("binnen 10 minuten")  # the grace setting
