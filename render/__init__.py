"""render: VR script + footage → headset-ready scene bundles.

    build_script(path, settings=settings, catalog=catalog, profiles=("quest2", "web"),
                 executor=get_executor("local", jobs=2), publish=True)
"""

import lazy_loader as _lazy

# Names load from their module on first use, so a command imports only what it runs
# (OpenCV and the face model only when the privacy pass runs).
__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submod_attrs={
        "build": ["BuiltScene", "build_script", "plan_scene", "resolve_footage"],
        "errors": ["FootageMissing", "FootageNotReady", "OutputInvalid", "RenderError"],
        "events": ["BuildEvents"],
        "executors": ["EXECUTORS", "Executor", "get_executor"],
        "level": ["correction_for_pose"],
        "plan": ["Rendition", "ScenePlan"],
        "profiles": ["DEFAULT_PROFILES", "PROFILES", "HeadsetProfile", "get_profile"],
        "stages": ["STAGES", "build_bundle"],
        "withdrawal": ["withdraw_consent"],
    },
)
