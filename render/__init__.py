"""render: VR script + footage → headset-ready scene bundles.

    build_script(path, settings=settings, catalog=catalog, profiles=("quest2", "web"),
                 executor=get_executor("local", jobs=2), publish=True)
"""

from render.build import BuiltScene, build_script, plan_scene, resolve_footage
from render.errors import FootageMissing, FootageNotReady, OutputInvalid, RenderError
from render.events import BuildEvents
from render.executors import EXECUTORS, Executor, get_executor
from render.level import correction_for_pose
from render.plan import Rendition, ScenePlan
from render.profiles import DEFAULT_PROFILES, PROFILES, HeadsetProfile, get_profile
from render.stages import STAGES, build_bundle
from render.withdrawal import withdraw_consent

__all__ = [
    "DEFAULT_PROFILES", "EXECUTORS", "PROFILES", "STAGES", "BuildEvents", "BuiltScene", "Executor", "FootageMissing",
    "FootageNotReady", "HeadsetProfile", "OutputInvalid", "RenderError", "Rendition", "ScenePlan", "build_bundle", "build_script",
    "correction_for_pose", "get_executor", "get_profile", "plan_scene", "resolve_footage", "withdraw_consent",
]
