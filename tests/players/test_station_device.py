"""The PC station tells its battery and free storage from the OS (psutil when installed), and why
not where it cannot."""

from __future__ import annotations

import sys
import types

from headset_service.station.sync import os_device_info


def fake_psutil(monkeypatch, battery):
    module = types.ModuleType("psutil")
    module.sensors_battery = lambda: battery
    monkeypatch.setitem(sys.modules, "psutil", module)


def test_free_storage_from_the_disk_and_the_battery_from_psutil(tmp_path, monkeypatch):
    fake_psutil(monkeypatch, types.SimpleNamespace(percent=55.4, power_plugged=False, secsleft=3600))
    info = os_device_info(tmp_path)
    assert info["free_bytes"] > 0 and (info["battery"], info["charging"]) == (55, False)
    assert "battery_reason" not in info


def test_a_pc_without_a_battery_or_without_psutil_says_why(tmp_path, monkeypatch):
    fake_psutil(monkeypatch, None)
    assert os_device_info(tmp_path)["battery_reason"] == "station meldt geen accu (pc op netstroom)"
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil raises ImportError
    info = os_device_info(tmp_path)
    assert "battery" not in info and "psutil" in info["battery_reason"] and info["free_bytes"] > 0
