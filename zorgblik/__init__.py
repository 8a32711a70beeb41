"""zorgblik: a care organisation's own 360° footage, turned into VR scenes for intake,
job interviews and orientation lessons.

The flow of data follows the top-level packages::

    capture (footage in) -> scripts_vr (what to show) -> render (scene bundles)
        -> catalog (what exists, what is published) -> headset_service (headsets, sessions)

This package holds what they share: the error base, the settings, the wrapper around
external tools and the ``zorgblik`` command.
"""

__version__ = "0.1.0"
