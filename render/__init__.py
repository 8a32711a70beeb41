"""render: VR script + footage → headset-ready scene bundles.

    build_script(path, settings=settings, catalog=catalog, profile="quest2", publish=True)
"""

from render.build import BuiltScene, build_script, plan_scene, resolve_footage
from render.errors import FootageMissing, OutputInvalid, RenderError
from render.plan import ScenePlan
from render.profiles import PROFILES, HeadsetProfile, get_profile
from render.stages import STAGES, build_bundle

__all__ = [
    "PROFILES", "STAGES", "BuiltScene", "FootageMissing", "HeadsetProfile", "OutputInvalid", "RenderError",
    "ScenePlan", "build_bundle", "build_script", "get_profile", "plan_scene", "resolve_footage",
]
