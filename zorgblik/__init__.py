"""zorgblik: a care organisation's own 360° footage, turned into VR scenes for intake,
job interviews and orientation lessons.

The flow of data follows the top-level packages::

    capture (footage in) -> scripts_vr (what to show) -> render (scene bundles)
        -> catalog (what exists, what is published) -> headset_service (headsets, sessions)

and the ``zorgblik`` command (``cli``) drives them all. Imports run down these layers only
(import-linter holds them, tests/test_layers.py)::

    cli > headset_service > render > capture > catalog > scripts_vr > zorgblik

This package is the bottom layer: what every other one shares (the error base, the settings, the
terms with their Dutch labels, the scene bundle format, the wrapper around external tools, and the
media layer :mod:`zorgblik.media`: probing, 360° metadata, frames through ffmpeg); it imports none
of them. render takes from capture only its store, consent records and ingest (a second contract).
"""

__version__ = "0.1.0"
